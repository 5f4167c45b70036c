"""The synthetic world of the demo data: corridors, offices, carriers, conveyances, goods and companies.

Everything here is plain data plus small builders. Places are UN/LOCODEs that exist in the packaged
reference data, goods are HS 2022 subheadings, countries are ISO alpha-2. Company names, tax ids,
vessel names and IMO/MMSI numbers are invented (IMO numbers carry valid check digits); carrier
operators are the public ones that run these services, since that is what real manifests show.
Unit values are customs values in USD per kg of net weight, with the spread seen in trade data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from corridor.domain.consignment import DocumentType, TransportMode

# Fixed conversion rates for the demo: unit values are kept in USD and converted at these rates so a
# declared value in another currency stays consistent with the HS unit-value table.
USD_RATES: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "RUB": 92.0, "CNY": 7.2, "TRY": 32.0, "AZN": 1.7}


@dataclass(frozen=True, slots=True)
class Office:
    code: str
    name: str
    locode: str
    kind: str


OFFICES: dict[str, Office] = {
    o.code: o
    for o in (
        Office("AZ-ALAT-PCU", "Port Control Unit, Baku International Sea Trade Port (Alat)", "AZALA", "sea"),
        Office("AZ-ASTARA-BP", "Astara road border post (Iran)", "AZAST", "road"),
        Office("AZ-YALAMA-BP", "Yalama road and rail border post (Russia)", "AZYAL", "road/rail"),
        Office("AZ-REDBRIDGE-BP", "Red Bridge road border post (Georgia), Qazax", "AZKAZ", "road"),
        Office("AZ-BOYUKKESIK-RW", "Boyuk Kesik rail border post (Georgia), Agstafa", "AZAGS", "rail"),
        Office("AZ-BAKU-AIR", "Air cargo terminal, Heydar Aliyev International Airport", "AZGYD", "air"),
    )
}


@dataclass(frozen=True, slots=True)
class Commodity:
    key: str
    hs: str
    en: str
    ru: str | None
    usd_per_kg: tuple[float, float]
    package: str
    kg_per_package: tuple[float, float]
    max_kg: float | None = None
    un: str | None = None


_C = Commodity
COMMODITIES: dict[str, Commodity] = {
    c.key: c
    for c in (
        # Fresh and dried produce (Iran, Afghanistan, Central Asia)
        _C("oranges", "080510", "Fresh oranges", "Апельсины свежие", (0.45, 0.9), "CT", (15, 18)),
        _C("mandarins", "080521", "Fresh mandarins", "Мандарины свежие", (0.55, 1.0), "CT", (10, 15)),
        _C("grapes", "080610", "Fresh table grapes", "Виноград свежий", (0.8, 1.6), "CT", (8, 10)),
        _C("raisins", "080620", "Raisins, dried grapes", "Изюм", (1.5, 3.0), "CT", (10, 12.5)),
        _C("apples", "080810", "Fresh apples", "Яблоки свежие", (0.35, 0.8), "CT", (18, 20)),
        _C("tomatoes", "070200", "Fresh tomatoes", "Томаты свежие", (0.4, 0.9), "CT", (6, 10)),
        _C("onions", "070310", "Fresh onions", "Лук репчатый", (0.15, 0.35), "BG", (20, 25)),
        _C("potatoes", "070190", "Potatoes, fresh", "Картофель свежий", (0.12, 0.3), "BG", (25, 50)),
        _C("cucumbers", "070700", "Fresh cucumbers", "Огурцы свежие", (0.4, 0.9), "CT", (8, 12)),
        _C("melons", "080719", "Fresh melons", "Дыни свежие", (0.2, 0.5), "NE", (2, 4)),
        _C("pomegranates", "081090", "Fresh pomegranates", "Гранаты свежие", (0.6, 1.2), "CT", (8, 10)),
        _C("dates", "080410", "Dates, dried", "Финики сушёные", (1.0, 2.5), "CT", (5, 10)),
        _C("pistachios", "080251", "Pistachios in shell", "Фисташки в скорлупе", (6.0, 10.0), "BG", (25, 50)),
        _C("apricots", "081310", "Dried apricots", "Курага", (2.0, 4.0), "CT", (10, 12.5)),
        _C("almonds", "080212", "Almonds, shelled", "Миндаль очищенный", (4.0, 7.0), "CT", (10, 25)),
        _C("saffron", "091020", "Saffron", None, (800.0, 1500.0), "BX", (0.5, 2.0), max_kg=120),
        _C("juice", "200990", "Mixed fruit juice", "Сок фруктовый", (0.6, 1.1), "CT", (12, 18)),
        _C("roses", "060311", "Fresh cut roses", None, (3.0, 6.0), "BX", (8, 15), max_kg=3000),
        _C("fish", "030389", "Frozen fish", "Рыба мороженая", (1.5, 3.5), "CT", (20, 25)),
        # Food and agriculture (Russia, Kazakhstan, Turkey)
        _C(
            "wheat",
            "100199",
            "Wheat, milling quality",
            "Пшеница продовольственная",
            (0.2, 0.3),
            "VR",
            (1000, 1000),
        ),
        _C("barley", "100390", "Feed barley", "Ячмень фуражный", (0.16, 0.25), "VR", (1000, 1000)),
        _C("flour", "110100", "Wheat flour", "Мука пшеничная", (0.25, 0.4), "BG", (50, 50)),
        _C(
            "sunoil_crude",
            "151211",
            "Crude sunflower oil",
            "Масло подсолнечное нерафинированное",
            (0.8, 1.3),
            "VL",
            (1000, 1000),
        ),
        _C(
            "sunoil",
            "151219",
            "Refined sunflower oil in PET bottles",
            "Масло подсолнечное рафинированное",
            (1.0, 1.6),
            "CT",
            (9, 10),
        ),
        _C("sugar", "170199", "White cane sugar", "Сахар белый", (0.45, 0.65), "BG", (50, 50)),
        _C(
            "confectionery",
            "170490",
            "Sugar confectionery",
            "Кондитерские изделия",
            (1.5, 3.0),
            "CT",
            (5, 12),
        ),
        _C("biscuits", "190590", "Biscuits and wafers", "Печенье и вафли", (1.5, 3.0), "CT", (3, 8)),
        _C("pasta", "190219", "Pasta, uncooked", "Макаронные изделия", (0.9, 1.4), "CT", (10, 20)),
        _C("chocolate", "180690", "Chocolate products", "Шоколадные изделия", (4.0, 8.0), "CT", (4, 10)),
        _C("wine", "220421", "Still wine in bottles", "Вино столовое", (2.5, 6.0), "CT", (8, 9)),
        _C(
            "cigarettes",
            "240220",
            "Cigarettes containing tobacco",
            "Сигареты с фильтром",
            (15.0, 30.0),
            "CS",
            (10, 12),
            max_kg=6000,
        ),
        _C("tobacco_leaf", "240120", "Tobacco, stemmed", "Табак-сырец", (3.0, 6.0), "CS", (150, 200)),
        _C("urea", "310210", "Urea fertilizer", "Карбамид", (0.25, 0.45), "JB", (1000, 1000)),
        _C("npk", "310520", "NPK fertilizer", "Удобрение NPK", (0.35, 0.6), "BG", (50, 50)),
        _C(
            "ammonium_nitrate",
            "310230",
            "Ammonium nitrate",
            "Аммиачная селитра",
            (0.25, 0.4),
            "JB",
            (1000, 1000),
            un="1942",
        ),
        # Metals, timber, building materials
        _C(
            "steel_plate",
            "720851",
            "Hot-rolled steel plates",
            "Прокат листовой горячекатаный",
            (0.5, 0.8),
            "BE",
            (2000, 8000),
        ),
        _C("rebar", "721420", "Reinforcing steel bars", "Арматура стальная", (0.45, 0.7), "BE", (2000, 3000)),
        _C(
            "ferrochrome",
            "720241",
            "High-carbon ferrochrome",
            "Феррохром высокоуглеродистый",
            (1.0, 1.6),
            "JB",
            (1000, 1000),
        ),
        _C("copper", "740311", "Copper cathodes", "Катоды медные", (7.0, 9.5), "BE", (2000, 2500)),
        _C("zinc", "790111", "Zinc ingots 99.99%", "Цинк в слитках", (2.3, 3.0), "BE", (1000, 1100)),
        _C("pipes", "730630", "Welded steel pipes", "Трубы стальные сварные", (0.8, 1.3), "BE", (1000, 3000)),
        _C("steel_articles", "732690", "Steel articles", "Изделия из стали", (1.5, 4.0), "PK", (20, 200)),
        _C("pine", "440711", "Sawn pine timber", "Пиломатериалы сосновые", (0.2, 0.35), "BE", (1000, 1500)),
        _C("spruce", "440712", "Sawn spruce timber", "Пиломатериалы еловые", (0.2, 0.33), "BE", (1000, 1500)),
        _C("cement", "252329", "Portland cement", "Цемент портландский", (0.05, 0.09), "BG", (50, 50)),
        _C("tiles", "690721", "Ceramic floor tiles", "Плитка керамическая", (0.4, 0.8), "PX", (1000, 1400)),
        _C("glass", "700529", "Float glass sheets", "Стекло флоат", (0.35, 0.6), "CR", (1500, 2500)),
        _C(
            "paper",
            "481013",
            "Coated printing paper in rolls",
            "Бумага мелованная",
            (0.8, 1.2),
            "RO",
            (500, 900),
        ),
        # Chemicals and plastics
        _C(
            "polyethylene",
            "390120",
            "Polyethylene granules HDPE",
            "Полиэтилен гранулированный",
            (0.9, 1.4),
            "BG",
            (25, 25),
        ),
        _C(
            "polypropylene", "390210", "Polypropylene homopolymer", "Полипропилен", (0.9, 1.3), "BG", (25, 25)
        ),
        _C("detergent", "340250", "Washing powder", "Стиральный порошок", (0.8, 1.5), "CT", (6, 12)),
        _C(
            "sulphuric_acid",
            "280700",
            "Sulphuric acid",
            "Кислота серная",
            (0.05, 0.15),
            "DR",
            (200, 250),
            un="1830",
        ),
        _C(
            "acetic_acid",
            "291521",
            "Acetic acid, glacial",
            "Кислота уксусная",
            (0.5, 0.9),
            "DR",
            (200, 220),
            un="2789",
        ),
        _C(
            "solvents",
            "381400",
            "Organic composite solvents",
            "Растворители органические",
            (1.0, 2.0),
            "DR",
            (160, 200),
            un="1993",
        ),
        _C(
            "paints", "320810", "Polyester paints and varnishes", "Краски и лаки", (2.0, 4.0), "DR", (20, 200)
        ),
        _C(
            "cosmetics",
            "330499",
            "Cosmetic preparations",
            "Косметические средства",
            (6.0, 20.0),
            "CT",
            (5, 12),
        ),
        _C(
            "medicaments",
            "300490",
            "Medicaments in dosage form",
            "Лекарственные средства",
            (20.0, 80.0),
            "CT",
            (5, 15),
            max_kg=5000,
        ),
        # Textiles and clothing
        _C("cotton", "520100", "Raw cotton fibre", "Хлопок-волокно", (1.4, 2.0), "BL", (200, 230)),
        _C(
            "cotton_yarn",
            "520512",
            "Cotton yarn, single",
            "Пряжа хлопчатобумажная",
            (2.5, 4.0),
            "BG",
            (50, 60),
        ),
        _C("towels", "630260", "Terry cotton towels", "Полотенца махровые", (3.5, 7.0), "BL", (40, 60)),
        _C(
            "trousers_men",
            "620342",
            "Men's cotton trousers",
            "Брюки мужские хлопковые",
            (6.0, 14.0),
            "CT",
            (10, 20),
        ),
        _C(
            "trousers_women",
            "620462",
            "Women's cotton trousers",
            "Брюки женские хлопковые",
            (6.0, 14.0),
            "CT",
            (10, 20),
        ),
        _C(
            "jerseys",
            "611020",
            "Cotton knitted pullovers",
            "Джемперы трикотажные",
            (6.0, 15.0),
            "CT",
            (10, 20),
        ),
        _C("footwear_leather", "640399", "Leather footwear", "Обувь кожаная", (12.0, 25.0), "CT", (8, 15)),
        _C("footwear", "640299", "Footwear, rubber and plastic soles", "Обувь", (4.0, 9.0), "CT", (8, 15)),
        _C(
            "carpets_hand",
            "570110",
            "Hand-knotted wool carpets",
            None,
            (30.0, 100.0),
            "BL",
            (20, 60),
            max_kg=2000,
        ),
        _C("carpets", "570390", "Tufted carpets", "Ковры тафтинговые", (3.0, 6.0), "RO", (40, 120)),
        _C(
            "worn_clothing",
            "630900",
            "Worn clothing",
            "Одежда бывшая в употреблении",
            (0.3, 0.9),
            "BL",
            (45, 55),
        ),
        # Electronics, machinery, vehicles
        _C("smartphones", "851713", "Smartphones", "Смартфоны", (150.0, 450.0), "CT", (8, 15), max_kg=3000),
        _C("laptops", "847130", "Laptop computers", "Ноутбуки", (60.0, 150.0), "CT", (10, 20), max_kg=4000),
        _C(
            "computer_parts",
            "847330",
            "Computer parts and accessories",
            "Части компьютеров",
            (20.0, 80.0),
            "CT",
            (5, 20),
            max_kg=3000,
        ),
        _C("tvs", "852872", "LED television sets", "Телевизоры", (5.0, 10.0), "CT", (10, 25)),
        _C(
            "cctv",
            "852589",
            "CCTV cameras",
            "Камеры видеонаблюдения",
            (30.0, 80.0),
            "CT",
            (5, 15),
            max_kg=2000,
        ),
        _C(
            "solar_panels", "854143", "Photovoltaic modules", "Солнечные панели", (2.0, 3.5), "PX", (500, 700)
        ),
        _C("inverters", "850440", "Static converters (inverters)", "Инверторы", (8.0, 20.0), "CT", (10, 40)),
        _C(
            "control_panels",
            "853710",
            "Electric control panels",
            "Щиты управления",
            (15.0, 40.0),
            "CS",
            (50, 400),
        ),
        _C(
            "processors",
            "854231",
            "Processors and controllers (ICs)",
            "Микропроцессоры",
            (500.0, 3000.0),
            "BX",
            (2, 10),
            max_kg=40,
        ),
        _C("led_lamps", "940542", "LED luminaires", "Светильники светодиодные", (4.0, 10.0), "CT", (5, 15)),
        _C("toys", "950300", "Toys", "Игрушки", (3.0, 7.0), "CT", (5, 15)),
        _C("furniture", "940360", "Wooden furniture", "Мебель деревянная", (1.5, 3.5), "PK", (20, 80)),
        _C("fridges", "841810", "Refrigerator-freezers", "Холодильники", (2.5, 4.5), "PK", (50, 80)),
        _C("washers", "845011", "Washing machines", "Стиральные машины", (2.5, 4.0), "PK", (55, 75)),
        _C(
            "auto_parts",
            "870899",
            "Motor vehicle spare parts",
            "Запасные части к автомобилям",
            (4.0, 12.0),
            "CT",
            (10, 40),
        ),
        _C("brakes", "870830", "Brake pads and parts", "Тормозные колодки", (3.0, 8.0), "CT", (10, 25)),
        _C("tyres", "401110", "Passenger car tyres", "Шины легковые", (2.5, 4.5), "NE", (8, 12)),
        _C(
            "mixers",
            "847439",
            "Concrete and mineral mixing machinery",
            "Смесительное оборудование",
            (4.0, 12.0),
            "CS",
            (500, 3000),
        ),
        _C(
            "machines",
            "847989",
            "Industrial machines n.e.s.",
            "Промышленное оборудование",
            (8.0, 25.0),
            "CS",
            (200, 2500),
        ),
        _C("pumps", "841370", "Centrifugal pumps", "Насосы центробежные", (8.0, 20.0), "CS", (50, 600)),
        _C("valves", "848180", "Industrial valves", "Арматура трубопроводная", (10.0, 30.0), "CS", (20, 300)),
        _C(
            "filling_machines",
            "842230",
            "Bottling and filling machinery",
            "Разливочное оборудование",
            (15.0, 35.0),
            "CS",
            (300, 2000),
        ),
        _C(
            "medical_devices",
            "901890",
            "Medical instruments",
            "Медицинские инструменты",
            (30.0, 100.0),
            "CT",
            (5, 20),
            max_kg=2000,
        ),
        _C("aircraft_parts", "880730", "Aircraft parts", None, (50.0, 300.0), "CS", (5, 200), max_kg=1500),
        _C("watches", "910211", "Electronic wrist-watches", None, (50.0, 200.0), "CT", (2, 8), max_kg=150),
        _C("jewellery", "711319", "Gold jewellery", None, (30000.0, 55000.0), "BX", (0.5, 2.0), max_kg=12),
        _C(
            "fuel_oil",
            "271019",
            "Diesel fuel",
            "Дизельное топливо",
            (0.6, 0.9),
            "VL",
            (1000, 1000),
            un="1202",
        ),
    )
}

# Goods that only planted consignments truly carry (their true HS, kept in attributes).
HIDDEN_GOODS: dict[str, tuple[str, str]] = {
    "heroin": ("293911", "Heroin (diacetylmorphine) concealed in the load"),
    "acetic_anhydride": ("291524", "Acetic anhydride (UN 1715), Table I precursor"),
    "pistol_parts": ("930510", "Pistol slides, barrels and frames"),
    "processors": ("854231", "Processors and controllers (CHPL tier 1)"),
    "memories": ("854232", "Memory integrated circuits (CHPL tier 1)"),
    "radio_navigation": ("852691", "GNSS receivers and radio navigation modules (CHPL tier 2)"),
    "radar": ("852610", "Radar apparatus"),
    "lasers": ("901320", "Lasers, other than laser diodes"),
    "cigarettes": ("240220", "Cigarettes containing tobacco"),
    "smartphones": ("851713", "Smartphones"),
}


@dataclass(frozen=True, slots=True)
class Origin:
    country: str
    loading: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class Destination:
    country: str
    delivery: tuple[str, ...]
    weight: float
    via: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Corridor:
    id: str
    name: str
    share: float
    mode: TransportMode
    document_type: DocumentType
    office: str
    discharge: str
    origins: tuple[Origin, ...]
    transit_countries: tuple[str, ...]
    transit_routes: tuple[tuple[str, ...], ...]
    destinations: tuple[Destination, ...]
    mix: tuple[tuple[str, float], ...]
    conveyance: str
    carriers: tuple[str, ...]
    containerised: float
    transit_hours: tuple[float, float]
    load_kg: tuple[float, float]


_O, _D = Origin, Destination
_AZ_CITIES = ("AZBAK", "AZBAK", "AZBAK", "AZSUM", "AZXIR", "AZGAN", "AZSAN", "AZLAN")
_FRUIT = (
    ("oranges", 8),
    ("mandarins", 6),
    ("grapes", 4),
    ("apples", 5),
    ("tomatoes", 9),
    ("onions", 6),
    ("potatoes", 5),
    ("cucumbers", 5),
    ("melons", 3),
    ("pomegranates", 4),
    ("dates", 3),
)

CORRIDORS: tuple[Corridor, ...] = (
    Corridor(
        "ir-astara-road",
        "Iran to Azerbaijan by road via Astara",
        0.20,
        TransportMode.ROAD,
        DocumentType.CMR,
        "AZ-ASTARA-BP",
        "AZAST",
        (_O("IR", ("IRTHR",), 4), _O("IR", ("IRTBZ",), 3), _O("IR", ("IRRAS",), 2), _O("IR", ("IRMHD",), 1)),
        (),
        ((), ("IRASR",)),
        (_D("AZ", _AZ_CITIES, 9), _D("RU", ("RUMCX", "RUMOW", "RUASF"), 1, ("AZ",))),
        (
            *_FRUIT,
            ("raisins", 3),
            ("pistachios", 3),
            ("apricots", 2),
            ("saffron", 0.5),
            ("cement", 4),
            ("tiles", 5),
            ("polyethylene", 4),
            ("detergent", 4),
            ("confectionery", 3),
            ("biscuits", 3),
            ("juice", 2),
            ("carpets", 1),
            ("steel_articles", 2),
            ("fridges", 1),
            ("auto_parts", 1),
        ),
        "truck",
        ("ir-road", "az-road"),
        0.0,
        (18, 60),
        (8000, 22000),
    ),
    Corridor(
        "af-ir-astara-road",
        "Afghanistan through Iran to Azerbaijan by road via Astara",
        0.03,
        TransportMode.ROAD,
        DocumentType.CMR,
        "AZ-ASTARA-BP",
        "AZAST",
        (_O("AF", ("AFHEA",), 4), _O("AF", ("AFKBL",), 3), _O("AF", ("AFMZR",), 2), _O("AF", ("AFKDH",), 1)),
        ("IR",),
        (("IRMHD", "IRASR"), ("IRASR",)),
        (_D("AZ", _AZ_CITIES, 8), _D("RU", ("RUMCX", "RUASF"), 1, ("AZ",)), _D("GE", ("GETBS",), 1, ("AZ",))),
        (
            ("raisins", 6),
            ("apricots", 4),
            ("pomegranates", 5),
            ("melons", 4),
            ("almonds", 3),
            ("onions", 2),
            ("grapes", 2),
            ("cotton", 2),
            ("carpets_hand", 1),
            ("saffron", 0.5),
        ),
        "truck",
        ("af-road", "ir-road"),
        0.0,
        (72, 160),
        (8000, 20000),
    ),
    Corridor(
        "kz-aktau-alat-ferry",
        "Kazakhstan (Aktau, Kuryk) to Alat by ferry and ro-ro",
        0.14,
        TransportMode.SEA,
        DocumentType.BILL_OF_LADING,
        "AZ-ALAT-PCU",
        "AZALA",
        (
            _O("KZ", ("KZAAU",), 7),
            _O("KZ", ("KZKUR",), 2),
            _O("UZ", ("KZAAU",), 1),
            _O("KG", ("KZAAU",), 0.5),
        ),
        (),
        ((),),
        (
            _D("AZ", _AZ_CITIES, 6),
            _D("GE", ("GEPTI", "GETBS", "GEBUS"), 2, ("AZ",)),
            _D("TR", ("TRMER", "TRIST"), 1.5, ("AZ", "GE")),
        ),
        (
            ("wheat", 8),
            ("barley", 3),
            ("flour", 6),
            ("sunoil_crude", 3),
            ("steel_plate", 4),
            ("rebar", 3),
            ("ferrochrome", 3),
            ("copper", 2),
            ("zinc", 2),
            ("urea", 2),
            ("npk", 1),
            ("polypropylene", 2),
            ("cotton", 1),
            ("fuel_oil", 1),
            ("pipes", 1),
            ("sulphuric_acid", 1),
        ),
        "vessel",
        ("sea-caspian",),
        0.35,
        (18, 40),
        (18000, 60000),
    ),
    Corridor(
        "tm-turkmenbashi-alat-ferry",
        "Turkmenistan (Turkmenbashi) to Alat by ferry and ro-ro",
        0.07,
        TransportMode.SEA,
        DocumentType.BILL_OF_LADING,
        "AZ-ALAT-PCU",
        "AZALA",
        (
            _O("TM", ("TMKRW",), 6),
            _O("UZ", ("TMKRW",), 3),
            _O("TJ", ("TMKRW",), 1),
            _O("AF", ("TMKRW",), 0.5),
        ),
        (),
        ((),),
        (
            _D("AZ", _AZ_CITIES, 5),
            _D("GE", ("GEPTI", "GETBS"), 2, ("AZ",)),
            _D("TR", ("TRIST", "TRMER"), 2, ("AZ", "GE")),
        ),
        (
            ("cotton_yarn", 6),
            ("cotton", 5),
            ("towels", 4),
            ("jerseys", 2),
            ("polypropylene", 4),
            ("urea", 4),
            ("polyethylene", 2),
            ("apricots", 1),
            ("raisins", 1),
            ("onions", 1),
            ("melons", 1),
            ("fuel_oil", 1),
        ),
        "vessel",
        ("sea-caspian",),
        0.25,
        (12, 30),
        (15000, 45000),
    ),
    Corridor(
        "cn-titr-rail",
        "China through Kazakhstan and the Caspian to Baku and Poti (Middle Corridor, rail)",
        0.11,
        TransportMode.RAIL,
        DocumentType.RAIL_WAYBILL,
        "AZ-ALAT-PCU",
        "AZALA",
        (
            _O("CN", ("CNXIA", "CNXAG"), 4),
            _O("CN", ("CNYIU",), 3),
            _O("CN", ("CNURM", "CNULZ"), 2),
            _O("CN", ("CNCQI", "CNCDU"), 2),
            _O("CN", ("CNLYG",), 1),
        ),
        ("KZ",),
        (("CNHRS", "KZHOR", "KZAAU"), ("KZDOS", "KZAAU"), ("CNHRS", "KZHOR", "KZKUR")),
        (
            _D("AZ", ("AZBAK", "AZBAK", "AZSUM", "AZGAN"), 5),
            _D("GE", ("GETBS", "GEPTI"), 3, ("AZ",)),
            _D("TR", ("TRIST", "TRMER", "TRGEB"), 2, ("AZ", "GE")),
        ),
        (
            ("trousers_men", 4),
            ("trousers_women", 4),
            ("jerseys", 4),
            ("footwear", 4),
            ("footwear_leather", 1),
            ("smartphones", 1),
            ("laptops", 1),
            ("computer_parts", 1),
            ("tvs", 3),
            ("solar_panels", 4),
            ("inverters", 2),
            ("led_lamps", 3),
            ("toys", 3),
            ("furniture", 3),
            ("fridges", 2),
            ("washers", 2),
            ("auto_parts", 4),
            ("brakes", 2),
            ("tyres", 3),
            ("cctv", 1),
            ("pipes", 1),
            ("steel_articles", 2),
            ("machines", 2),
            ("control_panels", 1),
        ),
        "train",
        ("rail-cn",),
        1.0,
        (240, 480),
        (10000, 24000),
    ),
    Corridor(
        "cn-titr-sea",
        "China through Kazakhstan and the Caspian to Baku and Poti (Middle Corridor, sea leg)",
        0.07,
        TransportMode.SEA,
        DocumentType.BILL_OF_LADING,
        "AZ-ALAT-PCU",
        "AZALA",
        (_O("CN", ("KZAAU",), 4), _O("CN", ("KZKUR",), 1)),
        ("KZ",),
        (("CNHRS", "KZHOR"), ("KZDOS",)),
        (
            _D("AZ", ("AZBAK", "AZBAK", "AZSUM"), 5),
            _D("GE", ("GEPTI", "GETBS", "GEBUS"), 3, ("AZ",)),
            _D("TR", ("TRIST", "TRMER"), 2, ("AZ", "GE")),
        ),
        (
            ("trousers_men", 3),
            ("jerseys", 3),
            ("footwear", 3),
            ("tvs", 2),
            ("solar_panels", 4),
            ("led_lamps", 2),
            ("toys", 3),
            ("furniture", 2),
            ("fridges", 2),
            ("auto_parts", 3),
            ("tyres", 3),
            ("paper", 1),
            ("polyethylene", 1),
            ("inverters", 1),
            ("machines", 1),
        ),
        "vessel",
        ("sea-caspian", "sea-container"),
        1.0,
        (16, 36),
        (10000, 24000),
    ),
    Corridor(
        "tr-eu-georgia-road",
        "Turkey and the EU through Georgia to Azerbaijan and Central Asia by road",
        0.13,
        TransportMode.ROAD,
        DocumentType.CMR,
        "AZ-REDBRIDGE-BP",
        "AZKAZ",
        (
            _O("TR", ("TRIST",), 5),
            _O("TR", ("TRBTZ",), 2),
            _O("TR", ("TRGEB", "TRIZT"), 2),
            _O("TR", ("TRMER",), 1),
            _O("TR", ("TRANK",), 1),
            _O("DE", ("DEDUI", "DEMUC", "DEHAM"), 1.5),
            _O("IT", ("ITMIL", "ITGOA"), 1),
            _O("PL", ("PLWAW",), 0.7),
            _O("NL", ("NLRTM",), 0.3),
            _O("CZ", ("CZPRG",), 0.3),
        ),
        ("GE",),
        (("TRHOP", "GETBS"), ("GEBUS", "GETBS"), ("GETBS",)),
        (
            _D("AZ", _AZ_CITIES, 7),
            _D("KZ", ("KZALA", "KZAST", "KZSHY"), 1.5, ("AZ",)),
            _D("TM", ("TMAGT",), 0.7, ("AZ",)),
            _D("UZ", ("UZTAS",), 0.8, ("AZ",)),
        ),
        (
            ("machines", 3),
            ("mixers", 1),
            ("pumps", 2),
            ("valves", 2),
            ("filling_machines", 1),
            ("furniture", 3),
            ("towels", 2),
            ("trousers_women", 2),
            ("jerseys", 2),
            ("pasta", 3),
            ("chocolate", 2),
            ("biscuits", 3),
            ("confectionery", 2),
            ("medicaments", 2),
            ("cosmetics", 2),
            ("detergent", 3),
            ("tyres", 2),
            ("auto_parts", 3),
            ("paints", 2),
            ("glass", 1),
            ("tiles", 1),
            ("cigarettes", 0.4),
            ("wine", 0.5),
            ("control_panels", 1),
            ("steel_articles", 2),
        ),
        "truck",
        ("tr-road", "eu-road", "az-road", "ge-road"),
        0.0,
        (48, 120),
        (6000, 21000),
    ),
    Corridor(
        "eu-poti-rail",
        "EU and Turkey by sea to Poti and Batumi, then rail to Baku",
        0.05,
        TransportMode.RAIL,
        DocumentType.RAIL_WAYBILL,
        "AZ-BOYUKKESIK-RW",
        "AZAGS",
        (
            _O("GE", ("GEPTI",), 5),
            _O("GE", ("GEBUS",), 2),
            _O("DE", ("GEPTI",), 1.5),
            _O("IT", ("GEPTI",), 1),
            _O("TR", ("GEBUS",), 1),
            _O("BE", ("GEPTI",), 0.5),
        ),
        ("GE",),
        (("GETBS",), ("GERTV",)),
        (
            _D("AZ", ("AZBAK", "AZBAK", "AZSUM", "AZGAN"), 6),
            _D("KZ", ("KZAAU", "KZALA"), 1.5, ("AZ",)),
            _D("TM", ("TMKRW",), 0.5, ("AZ",)),
        ),
        (
            ("machines", 3),
            ("pumps", 2),
            ("valves", 2),
            ("paints", 2),
            ("polyethylene", 2),
            ("medicaments", 1),
            ("chocolate", 1),
            ("wine", 1),
            ("auto_parts", 2),
            ("tyres", 2),
            ("pipes", 2),
            ("glass", 1),
            ("control_panels", 1),
            ("solvents", 1),
            ("filling_machines", 1),
        ),
        "train",
        ("rail-ge",),
        0.8,
        (24, 72),
        (15000, 60000),
    ),
    Corridor(
        "ru-yalama-road",
        "Russia and Belarus to Azerbaijan via Yalama by road",
        0.10,
        TransportMode.ROAD,
        DocumentType.CMR,
        "AZ-YALAMA-BP",
        "AZYAL",
        (
            _O("RU", ("RUMOW",), 3),
            _O("RU", ("RUKZN",), 1),
            _O("RU", ("RUKUF",), 1),
            _O("RU", ("RUVOG",), 1.5),
            _O("RU", ("RUASF",), 1),
            _O("RU", ("RUMCX",), 2),
            _O("BY", ("BYMSQ",), 0.7),
        ),
        (),
        ((), ("RUMCX",)),
        (
            _D("AZ", _AZ_CITIES, 9),
            _D("IR", ("IRTHR", "IRTBZ"), 1, ("AZ",)),
            _D("GE", ("GETBS",), 0.5, ("AZ",)),
        ),
        (
            ("wheat", 2),
            ("flour", 4),
            ("sunoil", 4),
            ("sugar", 3),
            ("confectionery", 3),
            ("pine", 4),
            ("spruce", 3),
            ("rebar", 3),
            ("steel_plate", 2),
            ("paper", 2),
            ("urea", 1),
            ("npk", 1),
            ("glass", 1),
            ("chocolate", 2),
            ("biscuits", 2),
            ("detergent", 1),
            ("cigarettes", 0.4),
            ("fish", 1),
            ("tyres", 1),
            ("auto_parts", 1),
        ),
        "truck",
        ("ru-road", "az-road"),
        0.0,
        (24, 96),
        (10000, 22000),
    ),
    Corridor(
        "ru-yalama-rail",
        "Russia to Azerbaijan via Yalama (Samur) by rail",
        0.04,
        TransportMode.RAIL,
        DocumentType.RAIL_WAYBILL,
        "AZ-YALAMA-BP",
        "AZYAL",
        (
            _O("RU", ("RUMOW",), 2),
            _O("RU", ("RUKUF",), 1),
            _O("RU", ("RUVOG",), 1),
            _O("RU", ("RUNVS",), 1),
            _O("KZ", ("KZAKX",), 0.5),
        ),
        (),
        (("RUASF", "RUMCX"), ("RUMCX",)),
        (
            _D("AZ", ("AZBAK", "AZSUM", "AZGAN", "AZSAN"), 8),
            _D("IR", ("IRTHR",), 1, ("AZ",)),
            _D("GE", ("GETBS", "GEPTI"), 1, ("AZ",)),
        ),
        (
            ("wheat", 5),
            ("barley", 2),
            ("sunoil_crude", 3),
            ("pine", 4),
            ("spruce", 3),
            ("rebar", 3),
            ("steel_plate", 3),
            ("urea", 2),
            ("ammonium_nitrate", 1),
            ("sugar", 2),
            ("paper", 2),
            ("fuel_oil", 2),
        ),
        "train",
        ("rail-ru",),
        0.15,
        (48, 144),
        (40000, 68000),
    ),
    Corridor(
        "air-gyd",
        "Air cargo into Baku (Heydar Aliyev International Airport)",
        0.06,
        TransportMode.AIR,
        DocumentType.AIR_WAYBILL,
        "AZ-BAKU-AIR",
        "AZGYD",
        (
            _O("CN", ("CNPVG", "CNCAN", "CNURC"), 3),
            _O("TR", ("TRIST", "TRSAW"), 3),
            _O("AE", ("AEDXB",), 2),
            _O("DE", ("DEFRA",), 1.5),
            _O("KZ", ("KZALA",), 0.7),
            _O("RU", ("RUSVO", "RUVKO"), 1),
            _O("HK", ("HKHKG",), 1),
            _O("IN", ("INDEL",), 0.5),
            _O("IT", ("ITMIL",), 0.3),
        ),
        (),
        ((),),
        (_D("AZ", ("AZBAK",), 10), _D("GE", ("GETBS",), 0.5, ("AZ",)), _D("KZ", ("KZALA",), 0.3, ("AZ",))),
        (
            ("smartphones", 4),
            ("laptops", 2),
            ("computer_parts", 3),
            ("medicaments", 4),
            ("medical_devices", 2),
            ("aircraft_parts", 2),
            ("watches", 1),
            ("jewellery", 0.3),
            ("roses", 2),
            ("cosmetics", 2),
            ("processors", 0.5),
            ("cctv", 1),
            ("jerseys", 1),
            ("footwear_leather", 1),
            ("auto_parts", 1),
        ),
        "aircraft",
        ("air",),
        0.0,
        (3, 14),
        (20, 2500),
    ),
)


@dataclass(frozen=True, slots=True)
class Carrier:
    name: str
    code: str
    country: str


CARRIERS: dict[str, tuple[Carrier, ...]] = {
    "sea-caspian": (
        Carrier("Azerbaijan Caspian Shipping CJSC", "ASCO", "AZ"),
        Carrier("Kazmortransflot NMSC JSC", "KMTF", "KZ"),
        Carrier("Turkmen Maritime Merchant Fleet", "TMMF", "TM"),
        Carrier("Volga-Caspian Shipping Co.", "VCSC", "RU"),
        Carrier("Caspian Khazar Lines Co.", "CKLI", "IR"),
    ),
    "sea-container": (
        Carrier("ADY Container LLC", "ADYC", "AZ"),
        Carrier("KTZ Express JSC", "KTZE", "KZ"),
        Carrier("Middle Corridor Multimodal Ltd.", "MCML", "KZ"),
    ),
    "rail-cn": (
        Carrier("KTZ Express JSC", "KTZE", "KZ"),
        Carrier("ADY Container LLC", "ADYC", "AZ"),
        Carrier("Xi'an Free Trade Port Construction Co., Ltd.", "XFTP", "CN"),
    ),
    "rail-ge": (
        Carrier("Georgian Railway JSC", "GR", "GE"),
        Carrier("Azerbaijan Railways CJSC", "ADY", "AZ"),
    ),
    "rail-ru": (
        Carrier("Russian Railways JSC", "RZD", "RU"),
        Carrier("Azerbaijan Railways CJSC", "ADY", "AZ"),
    ),
    "air": (
        Carrier("Silk Way West Airlines", "7L", "AZ"),
        Carrier("Azerbaijan Airlines (AZAL Cargo)", "J2", "AZ"),
        Carrier("Turkish Cargo", "TK", "TR"),
        Carrier("Qatar Airways Cargo", "QR", "QA"),
        Carrier("Emirates SkyCargo", "EK", "AE"),
        Carrier("Lufthansa Cargo", "LH", "DE"),
        Carrier("China Southern Airlines Cargo", "CZ", "CN"),
    ),
    "ir-road": (
        Carrier("Tabriz Tarabar Co.", "TTB", "IR"),
        Carrier("Pars Road Transport Co.", "PRT", "IR"),
        Carrier("Gilan Haml-o-Naql Co.", "GHN", "IR"),
    ),
    "af-road": (
        Carrier("Herat Silk Road Transport Co.", "HSRT", "AF"),
        Carrier("Balkh Transit Logistics Ltd.", "BTL", "AF"),
    ),
    "az-road": (
        Carrier("Azertrans Logistics MMC", "AZTL", "AZ"),
        Carrier("Xəzər Nəqliyyat MMC", "XNQ", "AZ"),
        Carrier("Absheron Cargo Lines MMC", "ACL", "AZ"),
    ),
    "tr-road": (
        Carrier("Anadolu Uluslararası Nakliyat Ltd. Şti.", "ANK", "TR"),
        Carrier("Karadeniz Lojistik A.Ş.", "KRDL", "TR"),
        Carrier("Marmara Transport ve Ticaret A.Ş.", "MRTT", "TR"),
    ),
    "eu-road": (
        Carrier("Vistula Trans Sp. z o.o.", "VTSP", "PL"),
        Carrier("Rheinland Spedition GmbH", "RLSP", "DE"),
    ),
    "ge-road": (Carrier("Kartli Trans LLC", "KRTT", "GE"),),
    "ru-road": (
        Carrier("ООО «Каспий Транс Авто»", "KTA", "RU"),
        Carrier("ООО «Волга Логистик»", "VLG", "RU"),
        Carrier("ООО «Дагестан Карго»", "DGC", "RU"),
    ),
}


def imo_with_check_digit(first_six: str) -> str:
    """IMO ship numbers: the 7th digit is the weighted sum (7..2) of the first six, modulo 10."""
    total = sum(int(d) * w for d, w in zip(first_six, range(7, 1, -1), strict=True))
    return first_six + str(total % 10)


# Maritime identification digits of the Caspian flags, which begin each ship's MMSI.
MID: dict[str, str] = {"AZ": "423", "KZ": "436", "TM": "434", "RU": "273", "IR": "422"}


@dataclass(frozen=True, slots=True)
class Vessel:
    name: str
    flag: str
    imo: str
    mmsi: str
    carrier: str


def _vessel(name: str, flag: str, imo6: str, mmsi6: str, carrier: str) -> Vessel:
    return Vessel(name, flag, imo_with_check_digit(imo6), MID[flag] + mmsi6, carrier)


VESSELS: tuple[Vessel, ...] = (
    _vessel("ABSHERON STAR", "AZ", "940215", "100231", "ASCO"),
    _vessel("SHIRVAN BRIDGE", "AZ", "951178", "100452", "ASCO"),
    _vessel("GOYGOL", "AZ", "961203", "100617", "ASCO"),
    _vessel("QABALA", "AZ", "933417", "100839", "ASCO"),
    _vessel("KHUDAT", "AZ", "972281", "101022", "ASCO"),
    _vessel("LANKARAN EXPRESS", "AZ", "985364", "101245", "ASCO"),
    _vessel("BALAKAN", "AZ", "921846", "101468", "ADYC"),
    _vessel("MANGYSTAU-7", "KZ", "956632", "200174", "KMTF"),
    _vessel("BEINEU", "KZ", "974420", "200395", "KMTF"),
    _vessel("KURYK EXPRESS", "KZ", "982217", "200518", "KTZE"),
    _vessel("TOBOL", "KZ", "963375", "200741", "MCML"),
    _vessel("BERKARAR", "TM", "947729", "990123", "TMMF"),
    _vessel("GARABOGAZ", "TM", "958814", "990346", "TMMF"),
    _vessel("HAZAR YOLY", "TM", "969971", "990569", "TMMF"),
    _vessel("VOLGO-DON 5091", "RU", "871356", "123456", "VCSC"),
    _vessel("KAPITAN RUDNEV", "RU", "915532", "456781", "VCSC"),
    _vessel("OMSKIY-131", "RU", "884417", "234902", "VCSC"),
    _vessel("SAHAND CASPIAN", "IR", "920473", "129001", "CKLI"),
    _vessel("GILAN STAR", "IR", "931196", "129224", "CKLI"),
)

AIRCRAFT: dict[str, tuple[tuple[str, int], ...]] = {
    # registration prefix patterns and the airline's air waybill prefix
    "7L": (("4K-SW8", 501),),
    "J2": (("4K-AZ8", 771),),
    "TK": (("TC-LJ", 235),),
    "QR": (("A7-BF", 157),),
    "EK": (("A6-EF", 176),),
    "LH": (("D-ALF", 20),),
    "CZ": (("B-20E", 784),),
}

CONTAINER_OWNERS: tuple[str, ...] = (
    "TGHU",
    "TCNU",
    "CAIU",
    "SEGU",
    "FCIU",
    "BMOU",
    "GESU",
    "TEMU",
    "TRHU",
    "CSNU",
    "OOLU",
    "MSCU",
    "CMAU",
    "MAEU",
    "KTZU",
    "ADYU",
    "CXDU",
    "TLLU",
)
CONTAINER_TYPES: tuple[tuple[str, float, float], ...] = (
    # size/type, share, payload kg
    ("45G1", 0.55, 26000),
    ("42G1", 0.15, 26500),
    ("22G1", 0.25, 24000),
    ("45R1", 0.03, 25000),
    ("22T6", 0.02, 21000),
)


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    address: str
    country: str
    tin: str


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _tin(country: str, rng: random.Random) -> str:
    if country in _EU:
        return f"EORI:{country}{_digits(rng, 11)}"
    if country == "CN":
        return (
            "TIN:91"
            + _digits(rng, 4)
            + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(12))
        )
    length = {
        "AZ": 10,
        "RU": 10,
        "KZ": 12,
        "TR": 10,
        "IR": 11,
        "GE": 9,
        "UZ": 9,
        "TM": 12,
        "AF": 10,
        "AE": 15,
        "HK": 8,
        "IN": 10,
        "BY": 9,
        "KG": 14,
        "TJ": 9,
    }.get(country, 10)
    return f"TIN:{_digits(rng, length)}"


_EU = {"DE", "IT", "PL", "NL", "CZ", "BE", "FR", "AT"}

# Per country: naming templates ({s} = stem), stems, streets and cities, in the script and legal-form
# conventions the country's traders actually use in cargo documents.
_NAMING: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "AZ": (
        ("{s} MMC", "{s} LLC", "{s} QSC", "{s} Trading MMC", "{s} Group MMC"),
        (
            "Caspian Trade",
            "Absheron Logistics",
            "Xəzər Ərzaq",
            "Qafqaz Agro",
            "Gəncə Tekstil",
            "Şirvan İnşaat",
            "Azər Metal",
            "Baku Steel Trading",
            "Region Food Distribution",
            "Nur Market",
            "Ağ Şəhər Tikinti",
            "Caspian Fresh",
            "Bakı Elektronika",
            "Qarabağ Meyvə",
            "Neftçilər Servis",
            "Sumqayıt Kimya",
            "Lənkəran Çay",
            "Euro Build Azerbaijan",
            "Silk Way Retail",
            "Mega Store Baku",
            "Azpetrol Supply",
            "Qızıl Dən",
            "Xırdalan Mebel",
            "Ulduz İmport",
            "Dostluq Ticarət",
            "Alpha Distribution",
            "Bakı Avto Hissələri",
            "Green Valley Agro",
            "Atlas Pharm",
            "Zəfər Logistika",
        ),
        (
            "Neftçilər pr.",
            "Heydər Əliyev pr.",
            "Nizami küç.",
            "Babək pr.",
            "Zərifə Əliyeva küç.",
            "Füzuli küç.",
            "Səməd Vurğun küç.",
            "Tbilisi pr.",
            "Ziya Bünyadov pr.",
            "Qara Qarayev pr.",
        ),
        (
            "Bakı AZ1010",
            "Bakı AZ1065",
            "Bakı AZ1122",
            "Sumqayıt AZ5000",
            "Gəncə AZ2000",
            "Xırdalan AZ0100",
            "Lənkəran AZ4200",
        ),
        "{n} {street}, {city}",
    ),
    "RU": (
        ("ООО «{s}»", "ООО {s}", "АО «{s}»", "ООО ТД «{s}»"),
        (
            "Каспий Логистик",
            "Волга Агро",
            "Южный Терминал",
            "Дагестан Трейд",
            "Астраханская Торговая Компания",
            "Сибирский Лес",
            "Металл Инвест Юг",
            "Кубань Зерно",
            "Поволжье Продукт",
            "Северный Картон",
            "Татнефтехим Снаб",
            "Самара Кондитер",
            "Русский Сахар Трейд",
            "Дербент Фрукт",
            "Ока Стекло",
        ),
        ("ул. Ленина", "ул. Советская", "ул. Промышленная", "Набережная ул.", "ул. Кирова", "пр-т Мира"),
        (
            "г. Москва, 101000",
            "г. Астрахань, 414000",
            "г. Махачкала, 367000",
            "г. Казань, 420000",
            "г. Волгоград, 400005",
            "г. Самара, 443010",
        ),
        "{street}, д. {n}, {city}",
    ),
    "KZ": (
        ("ТОО «{s}»", "{s} LLP", "АО «{s}»", "{s} JSC"),
        (
            "Aktau Port Services",
            "KazAgro Export",
            "Mangistau Trade",
            "Caspian Grain",
            "Steppe Metals",
            "Altyn Dala",
            "Atyrau Logistic",
            "Каспий Астык",
            "Жетісу Трейд",
            "Сарыарка Металл",
            "Кокше Мука",
            "Tengri Logistics",
            "Alatau Polymer",
            "Ертіс Ферро",
            "Shymkent Cotton",
        ),
        ("пр. Абая", "ул. Кунаева", "Abay Ave", "Dostyk Ave", "мкр. 14", "ул. Сейфуллина"),
        (
            "Алматы 050000",
            "Astana 010000",
            "Актау 130000",
            "Aktau 130000",
            "Павлодар 140000",
            "Шымкент 160000",
        ),
        "{street}, {n}, {city}",
    ),
    "TM": (
        ("{s} HJ", "{s} hususy kärhanasy", "{s} Trading HJ"),
        (
            "Türkmen Pagta",
            "Berkarar Söwda",
            "Altyn Asyr Tekstil",
            "Balkan Önüm",
            "Hazar Dokma",
            "Ak Bugdaý",
            "Garagum Polimer",
            "Ýüpek Ýoly Söwda",
        ),
        ("Magtymguly şaýoly", "Oguzhan köçesi", "Bitarap Türkmenistan şaýoly", "Atatürk köçesi"),
        ("Aşgabat 744000", "Türkmenbaşy 745000", "Mary 745400"),
        "{street}, {n}, {city}",
    ),
    "IR": (
        ("{s} Co.", "{s} Trading Co.", "{s} Industrial Co.", "{s} Export Co."),
        (
            "Tabriz Sanat",
            "Pars Kala",
            "Gilan Agro Industry",
            "Shahab Khodro Parts",
            "Azar Polymer",
            "Mashhad Saffron",
            "Sepahan Cement",
            "Kaveh Tile",
            "Golestan Fruit",
            "Arian Detergent",
            "Shirin Asal Confectionery",
            "Rasht Citrus",
            "Bahar Narenj",
            "Kavir Steel",
            "Tehran Pistachio",
        ),
        ("Valiasr St.", "Enghelab St.", "Azadi St.", "Imam Khomeini St.", "Shariati St.", "Motahari St."),
        ("Tehran", "Tabriz", "Rasht", "Mashhad", "Isfahan", "Sari"),
        "No. {n}, {street}, {city}, Iran",
    ),
    "AF": (
        ("{s} Co.", "{s} Trading Co.", "{s} Ltd."),
        (
            "Herat Fresh Fruit",
            "Kabul Silk Road Trading",
            "Balkh Agro Export",
            "Kandahar Pomegranate",
            "Ariana Dried Fruit",
            "Hindukush Carpet",
            "Mazar Cotton",
            "Shamali Raisin",
        ),
        ("Jada-e Maiwand", "Darulaman Road", "Bagh-e Azadi Road", "Airport Road"),
        ("District 4, Kabul", "Herat", "Mazar-i-Sharif", "Kandahar"),
        "{street} {n}, {city}, Afghanistan",
    ),
    "CN": (
        (
            "Xinjiang {s} Trading Co., Ltd.",
            "Yiwu {s} Import & Export Co., Ltd.",
            "Zhejiang {s} Industrial Co., Ltd.",
            "Shenzhen {s} Electronics Co., Ltd.",
            "Xi'an {s} International Logistics Co., Ltd.",
            "Chongqing {s} Machinery Co., Ltd.",
        ),
        (
            "Tianshan",
            "Huaxin",
            "Hongda",
            "Jinhai",
            "Silk Road",
            "Zhongya",
            "Kaiyuan",
            "Ruifeng",
            "Xinlong",
            "Baoli",
            "Changcheng",
            "Hengtai",
            "Jiahe",
            "Sanyuan",
            "Yongsheng",
            "Minfeng",
        ),
        ("Renmin Road", "Jiefang Road", "Zhongshan Road", "Chaoyang Road", "Keji Road", "Binhe Road"),
        (
            "Urumqi, Xinjiang 830000",
            "Yiwu, Zhejiang 322000",
            "Xi'an, Shaanxi 710000",
            "Shenzhen, Guangdong 518000",
            "Chongqing 400000",
            "Lianyungang, Jiangsu 222000",
        ),
        "No. {n} {street}, {city}, China",
    ),
    "HK": (
        ("{s} (HK) Limited", "{s} Trading Limited", "{s} International Co., Limited"),
        ("Golden Harbour", "Pacific Crest", "Everbright Tech", "Victoria Components", "Kowloon Bay"),
        ("Nathan Road", "Des Voeux Road Central", "Hennessy Road", "Canton Road"),
        ("Kowloon, Hong Kong", "Central, Hong Kong", "Wan Chai, Hong Kong"),
        "Room {n}, {street}, {city}",
    ),
    "TR": (
        (
            "{s} Tekstil San. ve Tic. Ltd. Şti.",
            "{s} Makina A.Ş.",
            "{s} Gıda San. Tic. Ltd. Şti.",
            "{s} Dış Ticaret Ltd. Şti.",
            "{s} Kimya San. A.Ş.",
        ),
        (
            "Anadolu",
            "Marmara",
            "Ege",
            "Yıldız",
            "Karadeniz",
            "Öztürk",
            "Demir",
            "Kaya",
            "Bosphorus",
            "Akdeniz",
            "Uludağ",
            "Çelik",
            "Erciyes",
            "Gökyüzü",
            "Toros",
        ),
        ("Atatürk Cad.", "Cumhuriyet Mah. 1203 Sok.", "Organize Sanayi Bölgesi 4. Cad.", "İnönü Cad."),
        ("İkitelli/İstanbul", "Nilüfer/Bursa", "Gebze/Kocaeli", "Akdeniz/Mersin", "Ostim/Ankara"),
        "{street} No:{n}, {city}",
    ),
    "GE": (
        ("{s} LLC", "LLC {s}", "JSC {s}"),
        (
            "Poti Transit",
            "Kartli Logistics",
            "Colchis Trade",
            "Iberia Distribution",
            "Rustavi Metal",
            "Georgian Wine & Spirits",
            "Kolkheti Agro",
            "Black Sea Terminal Services",
        ),
        ("Rustaveli Ave.", "Aghmashenebeli Ave.", "Chavchavadze Ave.", "Gegidze St."),
        ("Tbilisi 0108", "Poti 4400", "Batumi 6000", "Rustavi 3700"),
        "{n} {street}, {city}, Georgia",
    ),
    "DE": (
        ("{s} GmbH", "{s} Maschinenbau GmbH", "{s} AG", "{s} Handels GmbH"),
        (
            "Rheinmetall Pumpen",
            "Weser Anlagenbau",
            "Schwarzwald Technik",
            "Nordsee Chemie",
            "Bayern Armaturen",
            "Hansa Export",
            "Elbe Pharma",
        ),
        ("Industriestraße", "Hafenstraße", "Bahnhofstraße", "Gewerbering"),
        ("47119 Duisburg", "80331 München", "20457 Hamburg", "60311 Frankfurt am Main"),
        "{street} {n}, {city}",
    ),
    "IT": (
        ("{s} S.p.A.", "{s} S.r.l."),
        ("Lombarda Macchine", "Tirreno Alimentari", "Emilia Valvole", "Veneto Mobili", "Ligure Vernici"),
        ("Via Roma", "Via Garibaldi", "Via dell'Industria"),
        ("20121 Milano", "16121 Genova", "40121 Bologna"),
        "{street} {n}, {city}",
    ),
    "PL": (
        ("{s} Sp. z o.o.",),
        ("Mazowsze Meble", "Wisła Chemia", "Bałtyk Food", "Śląsk Maszyny"),
        ("ul. Przemysłowa", "ul. Marszałkowska", "ul. Portowa"),
        ("00-001 Warszawa", "40-001 Katowice", "80-001 Gdańsk"),
        "{street} {n}, {city}",
    ),
    "NL": (
        ("{s} B.V.",),
        ("Maasvlakte Trading", "Delta Chemicals", "Holland Flowers Export"),
        ("Europaweg", "Waalhaven"),
        ("3198 Rotterdam", "1043 Amsterdam"),
        "{street} {n}, {city}",
    ),
    "BE": (
        ("{s} NV", "{s} BV"),
        ("Schelde Coatings", "Antwerp Diamond Logistics", "Flanders Machinery"),
        ("Noorderlaan", "Haven"),
        ("2030 Antwerpen", "9000 Gent"),
        "{street} {n}, {city}",
    ),
    "CZ": (
        ("{s} s.r.o.", "{s} a.s."),
        ("Bohemia Sklo", "Moravia Strojírny", "Praha Pivo Export"),
        ("Průmyslová", "Na Poříčí"),
        ("110 00 Praha", "602 00 Brno"),
        "{street} {n}, {city}",
    ),
    "UZ": (
        ("{s} MChJ", "OOO «{s}»", "{s} JV LLC"),
        (
            "Samarkand Textile",
            "Fergana Cotton",
            "Bukhara Silk",
            "Tashkent Agro Export",
            "Navoi Polymer",
            "Andijan Fruit",
        ),
        ("Amir Temur ko'chasi", "Mustaqillik shoh ko'chasi", "Navoi ko'chasi"),
        ("Toshkent 100000", "Samarqand 140100", "Farg'ona 150100"),
        "{street}, {n}, {city}",
    ),
    "KG": (
        ("ОсОО «{s}»", "{s} LLC"),
        ("Ala-Too Trade", "Issyk-Kul Agro", "Dordoi Distribution"),
        ("пр. Чуй", "ул. Токтогула"),
        ("Бишкек 720000", "Ош 723500"),
        "{street}, {n}, {city}",
    ),
    "TJ": (
        ("ООО «{s}»", "{s} LLC"),
        ("Pamir Cotton", "Sughd Agro", "Dushanbe Trade House"),
        ("пр. Рудаки", "ул. Айни"),
        ("Душанбе 734000", "Худжанд 735700"),
        "{street}, {n}, {city}",
    ),
    "BY": (
        ("ОАО «{s}»", "ООО «{s}»"),
        ("Минский Тракторный Снаб", "Белшина Трейд", "Гомель Стекло"),
        ("ул. Долгобродская", "пр-т Независимости"),
        ("г. Минск, 220004", "г. Гомель, 246000"),
        "{street}, {n}, {city}",
    ),
    "AE": (
        ("{s} General Trading LLC", "{s} FZE", "{s} FZCO"),
        (
            "Al Noor",
            "Gulf Bridge",
            "Desert Falcon",
            "Emirates Link",
            "Jebel Star",
            "Oasis Horizon",
            "Al Safa",
            "Blue Creek",
        ),
        ("Jebel Ali Free Zone, LOB", "Al Maktoum Road, Office", "Dubai Airport Free Zone, Building"),
        ("Dubai, UAE", "Sharjah, UAE"),
        "{street} {n}, {city}",
    ),
    "IN": (
        ("{s} Pvt. Ltd.", "{s} Exports Pvt. Ltd."),
        ("Ganga Pharma", "Deccan Chemicals", "Sahyadri Agro"),
        ("MIDC Industrial Area, Plot", "Nehru Place, Office"),
        ("Mumbai 400093", "New Delhi 110019"),
        "{street} {n}, {city}, India",
    ),
}

COMPANY_COUNTRIES: tuple[str, ...] = tuple(_NAMING)


def build_companies(country: str, count: int, rng: random.Random) -> list[Company]:
    """A pool of distinct fictitious companies for one country, names in local conventions."""
    templates, stems, streets, cities, address = _NAMING[country]
    seen: set[str] = set()
    out: list[Company] = []
    qualifiers = ("", "", "", "Yeni ", "Grand ", "Nova ", "Prime ", "Star ", "Delta ", "Vector ", "Orient ")
    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        stem = rng.choice(stems)
        if attempts > len(stems) * 2:
            stem = rng.choice(qualifiers) + stem
        name = rng.choice(templates).format(s=stem)
        if name in seen:
            continue
        seen.add(name)
        addr = address.format(n=rng.randint(1, 240), street=rng.choice(streets), city=rng.choice(cities))
        out.append(Company(name, addr, country, _tin(country, rng)))
    return out


# Fictitious "new" trader names: a consignee never seen before is itself an indicator.
NEW_COMPANY_WORDS: tuple[tuple[str, ...], tuple[str, ...]] = (
    (
        "Global",
        "Smart",
        "Eurasia",
        "Trans",
        "Unity",
        "Horizon",
        "Vertex",
        "Bright",
        "Apex",
        "Royal",
        "Mega",
        "First",
        "Prime",
        "Silk",
        "East West",
    ),
    (
        "Solutions",
        "Import Export",
        "Trading",
        "Group",
        "Resources",
        "Supply",
        "Partners",
        "Commerce",
        "Invest",
        "Holding",
    ),
)

DECLARANTS: tuple[tuple[str, str], ...] = (
    ("Caspian Customs Broker MMC", "TIN:1400123451"),
    ("Bakı Gömrük Xidmətləri MMC", "TIN:1500987652"),
    ("Azerbaijan Freight Forwarders MMC", "TIN:1700456783"),
    ("Alat Port Agency MMC", "TIN:1801234564"),
    ("Astara Sərhəd Broker MMC", "TIN:1300345675"),
    ("Silk Road Customs Solutions LLC", "TIN:1900765436"),
    ("Qafqaz Logistika və Broker MMC", "TIN:1601928377"),
    ("Yalama Terminal Services MMC", "TIN:1201837468"),
    ("Red Bridge Customs Agent MMC", "TIN:1102736559"),
    ("Baku Air Cargo Handling MMC", "TIN:1005647380"),
    ("Euroasia Broker Group MMC", "TIN:2000194821"),
    ("Transcaspian Declarations LLC", "TIN:2100283912"),
)

CURRENCIES: dict[str, tuple[tuple[str, float], ...]] = {
    "DE": (("EUR", 0.9), ("USD", 0.1)),
    "IT": (("EUR", 0.9), ("USD", 0.1)),
    "PL": (("EUR", 0.8), ("USD", 0.2)),
    "NL": (("EUR", 0.9), ("USD", 0.1)),
    "BE": (("EUR", 0.9), ("USD", 0.1)),
    "CZ": (("EUR", 0.9), ("USD", 0.1)),
    "TR": (("USD", 0.6), ("EUR", 0.35), ("TRY", 0.05)),
    "RU": (("USD", 0.45), ("RUB", 0.45), ("EUR", 0.1)),
    "BY": (("USD", 0.5), ("RUB", 0.4), ("EUR", 0.1)),
    "CN": (("USD", 0.8), ("CNY", 0.2)),
}

# Script conventions: these consignors often write goods descriptions in Russian.
RUSSIAN_WRITING: dict[str, float] = {
    "RU": 0.8,
    "BY": 0.8,
    "KZ": 0.5,
    "KG": 0.5,
    "TJ": 0.4,
    "UZ": 0.3,
    "TM": 0.3,
    "AZ": 0.2,
}
