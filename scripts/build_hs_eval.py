"""Build benchmarks/data/hs_descriptions.csv: realistic manifest goods descriptions with their HS-6.

How the rows are made: each product below was written by hand as a trader would put it on a
manifest, CMR or declaration (English and Russian, brand names, grades, sizes), with the HS 2022
subheading a classifier would give it. Each product is rendered through two manifest templates per
language, chosen with a fixed seed ("{p} IN CARTONS", "{n} CTNS {p}", "{p} на поддонах" ...).

Guards against a circular evaluation:
- no product is taken from the official HS texts: the build fails if a product phrase equals an HS
  2022 description of three words or more, or shares a run of four words with one (checked on folded,
  stemmed words; one- and two-word HS texts such as "Vodka" are what traders write anyway);
- the suggester's own keyword table (src/corridor/goods/data/hs_keywords.csv) was written from trade
  vocabulary too, and so overlaps with some products; every row records `keyword_hit` (a keyword of
  the table for the row's own heading or subheading lies wholly inside the description, i.e. the
  answer is in the table) so the benchmark reports accuracy separately on rows without such a hit,
  which is the honest held-out figure.

Run: .venv/bin/python scripts/build_hs_eval.py   (writes the CSV; same output every run)
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

from corridor.goods.examples import keywords
from corridor.goods.text import stems
from corridor.reference.hs import hs_table

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "hs_descriptions.csv"

# (HS-6, English products, Russian products)
PRODUCTS: list[tuple[str, list[str], list[str]]] = [
    ("080810", ["FRESH APPLES GOLDEN DELICIOUS", "red apples fresh, class I"], ["яблоки свежие сорт Голден"]),
    ("080830", ["fresh pears Santa Maria"], ["груши свежие"]),
    ("080510", ["FRESH ORANGES VALENCIA", "navel oranges"], ["апельсины свежие Египет"]),
    ("080521", ["mandarins fresh", "tangerines Murcott"], ["мандарины свежие"]),
    ("080550", ["fresh lemons Interdonato"], ["лимоны свежие"]),
    ("080610", ["fresh table grapes Thompson seedless"], ["виноград столовый свежий"]),
    ("080620", ["dried raisins golden"], ["изюм светлый"]),
    ("080390", ["fresh bananas Cavendish"], ["бананы свежие Эквадор"]),
    ("080711", ["fresh watermelons"], ["арбузы свежие"]),
    ("081310", ["dried apricots Turkish"], ["курага сушеная"]),
    ("080222", ["hazelnuts shelled kernels", "shelled hazelnuts 13-15mm"], ["ядра фундука очищенные"]),
    ("080232", ["walnut kernels light halves"], ["ядра грецкого ореха"]),
    ("080251", ["pistachios in shell roasted"], ["фисташки в скорлупе"]),
    ("070200", ["fresh tomatoes cherry", "TOMATOES FRESH ON VINE"], ["томаты свежие черри"]),
    ("070700", ["fresh cucumbers"], ["огурцы свежие тепличные"]),
    ("070190", ["ware potatoes fresh"], ["картофель продовольственный"]),
    ("070310", ["yellow onions fresh"], ["лук репчатый желтый"]),
    ("071340", ["red lentils split"], ["чечевица красная колотая"]),
    ("090240", ["black tea CTC in bulk", "Ceylon black tea leaf"], ["чай черный байховый"]),
    ("090210", ["green tea sencha"], ["чай зеленый листовой"]),
    ("090121", ["roasted coffee beans arabica"], ["кофе жареный в зернах"]),
    ("100199", ["milling wheat class 3"], ["пшеница мягкая 3 класса"]),
    ("100390", ["feed barley"], ["ячмень фуражный"]),
    ("100630", ["basmati rice long grain white", "parboiled rice"], ["рис длиннозерный пропаренный"]),
    ("110100", ["wheat flour premium grade"], ["мука пшеничная высший сорт"]),
    ("151219", ["refined sunflower oil 5L bottles"], ["масло подсолнечное рафинированное"]),
    ("151190", ["RBD palm olein"], ["пальмовое масло рафинированное"]),
    ("170199", ["white crystal sugar ICUMSA 45"], ["сахар белый кристаллический"]),
    ("190230", ["instant noodles"], ["лапша быстрого приготовления"]),
    ("190531", ["sweet biscuits assorted", "butter cookies tins"], ["печенье сахарное"]),
    ("180632", ["milk chocolate bars"], ["шоколад молочный плиточный"]),
    ("170490", ["jelly candies", "caramel sweets"], ["конфеты карамель"]),
    ("200290", ["tomato paste 28-30 brix"], ["томатная паста 28-30%"]),
    ("200971", ["apple juice concentrate"], ["концентрированный яблочный сок"]),
    ("220210", ["carbonated soft drinks cans"], ["газированные напитки в банках"]),
    ("220300", ["beer in cans 0.5L", "lager beer bottles"], ["пиво светлое в бутылках"]),
    ("220421", ["red wine dry 0.75L"], ["вино красное сухое"]),
    ("220860", ["vodka 40% 0.5L"], ["водка 40% 0,5 л"]),
    ("220820", ["brandy XO", "cognac VSOP"], ["коньяк армянский 5 лет"]),
    ("220110", ["natural mineral water still"], ["вода минеральная негазированная"]),
    ("240220", ["cigarettes king size filter", "CIGARETTES MARLBORO"], ["сигареты с фильтром"]),
    ("240311", ["water pipe tobacco double apple"], ["кальянный табак"]),
    ("240120", ["Virginia flue-cured tobacco leaves"], ["табак листовой Вирджиния"]),
    ("020714", ["frozen chicken leg quarters", "frozen chicken wings"], ["окорочка куриные замороженные"]),
    ("020230", ["frozen boneless beef"], ["говядина бескостная замороженная"]),
    ("030354", ["frozen mackerel whole round"], ["скумбрия мороженая"]),
    ("160432", ["salmon caviar substitute"], ["заменитель икры"]),
    ("040221", ["whole milk powder 26% fat"], ["сухое цельное молоко"]),
    ("040510", ["butter unsalted 82%"], ["масло сливочное 82,5%"]),
    ("040690", ["cheese gouda blocks", "mozzarella cheese"], ["сыр твердый гауда"]),
    ("040900", ["natural bee honey"], ["мед пчелиный натуральный"]),
    ("230910", ["dry dog food", "cat food pouches"], ["сухой корм для собак"]),
    ("252329", ["portland cement CEM I 42.5"], ["портландцемент ЦЕМ I 42,5"]),
    ("250100", ["rock salt for de-icing"], ["соль техническая"]),
    ("270112", ["steam coal 6000 kcal"], ["уголь энергетический"]),
    (
        "271019",
        ["diesel fuel EN590", "engine oil 5W-30"],
        ["дизельное топливо Евро-5", "масло моторное 5W-40"],
    ),
    ("271112", ["LPG propane in cylinders"], ["пропан сжиженный"]),
    ("280610", ["hydrochloric acid 33%"], ["кислота соляная 33%"]),
    ("280700", ["sulfuric acid 98% technical"], ["кислота серная техническая"]),
    ("281511", ["caustic soda flakes 99%"], ["сода каустическая чешуированная"]),
    ("283620", ["soda ash dense"], ["сода кальцинированная"]),
    ("284161", ["potassium permanganate crystals"], ["калий марганцовокислый"]),
    ("290230", ["toluene 99.5%"], ["толуол нефтяной"]),
    ("291411", ["acetone technical grade"], ["ацетон технический"]),
    ("291524", ["ACETIC ANHYDRIDE 99%", "acetic anhydride in drums"], ["уксусный ангидрид 99%"]),
    ("290511", ["methanol 99.85%"], ["метанол технический"]),
    ("310210", ["urea 46% prilled"], ["карбамид гранулированный"]),
    ("310530", ["diammonium phosphate DAP 18-46-0"], ["диаммонийфосфат"]),
    (
        "300490",
        ["paracetamol tablets 500mg", "pharmaceutical products in dosage form"],
        ["таблетки парацетамол"],
    ),
    ("300241", ["vaccine for human medicine"], ["вакцина для людей"]),
    ("330499", ["face cream moisturizing", "skin care lotion"], ["крем для лица увлажняющий"]),
    ("330510", ["hair shampoo 400ml"], ["шампунь для волос"]),
    ("330610", ["toothpaste Colgate"], ["зубная паста"]),
    ("340250", ["washing powder Ariel 3kg", "laundry detergent"], ["порошок стиральный Tide"]),
    ("340111", ["toilet soap bars"], ["мыло туалетное"]),
    ("330300", ["eau de parfum 100ml"], ["парфюмерная вода"]),
    ("320890", ["alkyd enamel paint"], ["эмаль алкидная ПФ-115"]),
    ("380891", ["insecticide aerosol"], ["инсектицид от тараканов"]),
    ("360410", ["fireworks consumer grade"], ["пиротехнические изделия салюты"]),
    ("390110", ["LDPE granules film grade"], ["полиэтилен низкой плотности гранулы"]),
    ("390210", ["polypropylene homopolymer PP"], ["полипропилен гранулированный"]),
    ("390410", ["PVC resin SG-5"], ["смола ПВХ"]),
    ("392321", ["plastic shopping bags"], ["пакеты-майка"]),
    ("392330", ["PET preforms 28mm"], ["преформа ПЭТ"]),
    ("391723", ["PVC sewer pipes 110mm"], ["трубы канализационные ПВХ"]),
    ("401110", ["passenger car tyres 205/55 R16", "car tires Michelin"], ["шины легковые 205/55 R16"]),
    ("401120", ["truck tyres 315/80R22.5"], ["шины грузовые 315/80 R22,5"]),
    ("401519", ["nitrile examination gloves"], ["перчатки нитриловые смотровые"]),
    ("420292", ["travel backpacks"], ["рюкзаки текстильные"]),
    ("440711", ["pine sawn timber kiln dried"], ["пиломатериалы сосновые"]),
    ("441231", ["birch plywood 18mm"], ["фанера березовая"]),
    ("441114", ["MDF boards laminated"], ["плиты МДФ ламинированные"]),
    ("481810", ["toilet paper rolls 2-ply"], ["туалетная бумага 2-слойная"]),
    ("480256", ["copy paper A4 80gsm"], ["бумага офисная А4"]),
    ("481910", ["corrugated cardboard boxes flat"], ["гофрокороба"]),
    ("490199", ["children's books printed"], ["книги детские"]),
    ("520100", ["raw cotton uncarded"], ["хлопок-волокно"]),
    ("610910", ["cotton t-shirts men's", "ladies cotton tee shirts"], ["футболки хлопковые мужские"]),
    ("611030", ["acrylic sweaters knitted"], ["свитера трикотажные"]),
    ("620342", ["men's denim jeans"], ["джинсы мужские"]),
    ("620443", ["ladies dresses polyester"], ["платья женские"]),
    ("630900", ["used clothing mixed", "second hand clothes in bales"], ["одежда б/у секонд-хенд"]),
    ("630533", ["PP woven sacks 50kg"], ["мешки полипропиленовые"]),
    ("570339", ["machine-made carpets polypropylene"], ["ковры машинные"]),
    ("640299", ["sports shoes men", "rubber slippers"], ["кроссовки мужские"]),
    ("640399", ["leather boots women's"], ["сапоги женские кожаные"]),
    ("690721", ["porcelain floor tiles 60x60", "ceramic wall tiles glazed"], ["керамогранит 60х60"]),
    ("691010", ["toilet bowls ceramic"], ["унитазы керамические"]),
    ("700529", ["clear float glass 4mm"], ["стекло флоат 4 мм"]),
    ("701090", ["glass jars 720ml"], ["банки стеклянные"]),
    ("711319", ["gold jewellery 585"], ["ювелирные украшения из золота"]),
    ("720449", ["HMS 1&2 scrap", "ferrous metal scrap"], ["лом черных металлов 3А"]),
    ("721420", ["steel rebar A500C 12mm", "deformed reinforcing bars"], ["арматура А500С 12 мм"]),
    ("720839", ["hot rolled steel coils"], ["прокат горячекатаный в рулонах"]),
    ("721049", ["galvanized steel coil"], ["рулон оцинкованный"]),
    ("730630", ["welded steel pipes 57x3", "ERW steel tubes"], ["трубы стальные электросварные"]),
    ("730429", ["OCTG casing 9 5/8"], ["обсадные трубы бесшовные"]),
    ("730890", ["steel structures for warehouse"], ["металлоконструкции склада"]),
    ("731815", ["hex bolts M12 zinc plated"], ["болты шестигранные М12"]),
    ("731100", ["empty steel gas cylinders 50L"], ["баллоны газовые стальные"]),
    ("732393", ["stainless steel cookware set"], ["кастрюли из нержавеющей стали"]),
    ("740311", ["copper cathodes grade A"], ["катоды медные"]),
    ("760110", ["primary aluminium ingots A7"], ["алюминий первичный в чушках"]),
    ("760421", ["aluminium window profiles"], ["профиль алюминиевый оконный"]),
    ("760719", ["aluminium foil rolls"], ["фольга алюминиевая"]),
    ("820559", ["hand tools set"], ["набор ручного инструмента"]),
    ("846721", ["cordless drills", "electric drill Bosch"], ["дрель аккумуляторная"]),
    ("840820", ["diesel engines for trucks"], ["двигатели дизельные для грузовиков"]),
    ("841370", ["centrifugal water pumps"], ["насосы центробежные"]),
    ("841430", ["refrigeration compressors"], ["компрессоры холодильные"]),
    ("841510", ["split air conditioners 12000 BTU"], ["кондиционеры сплит-системы"]),
    ("841821", ["household refrigerators Samsung"], ["холодильники бытовые"]),
    ("842123", ["oil filters for cars"], ["фильтры масляные"]),
    ("842951", ["wheel loaders"], ["фронтальные погрузчики"]),
    ("842952", ["crawler excavators Caterpillar"], ["экскаватор гусеничный"]),
    ("842720", ["diesel forklift 3 ton"], ["вилочный погрузчик дизельный"]),
    ("843149", ["excavator bucket teeth"], ["зубья ковша экскаватора"]),
    ("845011", ["washing machines front load"], ["стиральные машины автоматические"]),
    ("847130", ["laptops Lenovo ThinkPad", "notebook computers"], ["ноутбуки"]),
    ("847150", ["server processing units"], ["серверы"]),
    ("848180", ["ball valves brass", "gate valves DN100"], ["краны шаровые латунные"]),
    ("848210", ["ball bearings 6204 2RS", "deep groove ball bearings"], ["подшипники шариковые 6204"]),
    ("850440", ["UPS power supplies", "solar inverters 5kW"], ["инверторы солнечные"]),
    ("850211", ["diesel generator set 20kVA"], ["дизель-генератор 20 кВА"]),
    ("850760", ["lithium-ion battery packs"], ["литий-ионные аккумуляторы"]),
    ("850710", ["lead acid car batteries 60Ah"], ["аккумуляторы автомобильные свинцовые"]),
    (
        "851713",
        ["MOBILE PHONES", "smartphones Apple iPhone 15", "Samsung Galaxy smartphones"],
        ["смартфоны Xiaomi", "мобильные телефоны"],
    ),
    ("851762", ["WiFi routers TP-Link", "network switches Cisco"], ["роутеры беспроводные"]),
    ("851830", ["wireless headphones", "bluetooth earphones"], ["наушники беспроводные"]),
    ("852872", ["LED TV 55 inch", "smart televisions"], ["телевизоры LED 55"]),
    ("852589", ["CCTV cameras IP", "thermal imaging cameras"], ["камеры видеонаблюдения"]),
    ("852351", ["USB flash drives 64GB", "micro SD memory cards"], ["флеш-накопители USB"]),
    ("853400", ["printed circuit boards", "PCB assemblies bare boards"], ["печатные платы"]),
    ("854231", ["microcontrollers STM32", "integrated circuits processors"], ["микроконтроллеры"]),
    ("854143", ["solar panels 450W monocrystalline", "photovoltaic modules"], ["солнечные панели 450 Вт"]),
    ("853650", ["wall switches electrical"], ["выключатели настенные"]),
    ("854449", ["electric cable copper PVC insulated", "power cables 3x2.5"], ["кабель силовой медный ВВГ"]),
    ("853952", ["LED bulbs E27 10W"], ["лампы светодиодные Е27"]),
    ("860692", ["open top railway wagons"], ["полувагоны"]),
    ("870421", ["light trucks diesel", "pickup trucks Toyota Hilux"], ["грузовой автомобиль ГАЗель"]),
    (
        "870323",
        ["passenger cars Toyota Camry 2.5", "used cars Mercedes E200"],
        ["легковой автомобиль Hyundai"],
    ),
    ("870210", ["city buses diesel"], ["автобусы городские"]),
    ("870121", ["truck tractors for semi-trailers", "tractor units Volvo FH"], ["седельные тягачи"]),
    ("870830", ["brake pads for trucks", "brake discs"], ["тормозные колодки"]),
    (
        "870899",
        ["Spare parts for trucks", "auto parts for Kamaz"],
        ["Запчасти для грузовых автомобилей", "автозапчасти"],
    ),
    ("871200", ["bicycles 26 inch"], ["велосипеды горные"]),
    ("871160", ["electric scooters"], ["электросамокаты"]),
    ("871639", ["curtain side semi-trailers"], ["полуприцепы шторные"]),
    ("880622", ["DJI drones", "quadcopters with camera"], ["квадрокоптеры"]),
    ("880730", ["drone propellers and motors"], ["запчасти для квадрокоптеров"]),
    ("890332", ["motor boats fiberglass"], ["катера моторные"]),
    ("900410", ["sunglasses polarized"], ["очки солнцезащитные"]),
    ("901310", ["rifle scopes 4x32", "riflescopes"], ["прицелы оптические"]),
    ("901831", ["disposable syringes 5ml"], ["шприцы одноразовые"]),
    ("902820", ["water meters"], ["счетчики воды"]),
    ("903020", ["digital oscilloscopes"], ["осциллографы цифровые"]),
    ("910211", ["wrist watches quartz"], ["часы наручные кварцевые"]),
    ("930320", ["hunting shotguns 12 gauge"], ["охотничьи ружья 12 калибра"]),
    ("930621", ["shotgun cartridges 12 ga"], ["патроны охотничьи"]),
    ("940161", ["upholstered sofas", "office chairs with armrests"], ["диваны мягкие"]),
    ("940360", ["wooden furniture bedroom set", "wooden wardrobes"], ["мебель деревянная"]),
    ("940490", ["pillows and blankets"], ["подушки и одеяла"]),
    ("940511", ["LED ceiling lights", "crystal chandeliers"], ["люстры хрустальные"]),
    ("950300", ["plastic toys", "stuffed toys"], ["игрушки пластмассовые"]),
    ("950691", ["treadmills", "gym equipment"], ["тренажеры"]),
    ("961900", ["baby diapers Pampers"], ["подгузники детские"]),
    ("960810", ["ballpoint pens blue"], ["ручки шариковые"]),
]

EN_TEMPLATES = [
    "{p}",
    "{p} IN CARTONS",
    "{n} CTNS {p}",
    "{p} - {n} PCS",
    "SAID TO CONTAIN {p}",
    "{p}, NEW",
    "{n} PACKAGES OF {p} ON PALLETS",
]
RU_TEMPLATES = [
    "{p}",
    "{p} в коробках",
    "{p}, {n} шт",
    "{p} на поддонах",
    "Товар: {p}",
    "{p} ({n} мест)",
]


def _runs(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = stems(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def build() -> list[dict[str, str]]:
    table = hs_table()
    hs_runs: set[tuple[str, ...]] = set()
    hs_texts: set[str] = set()
    for entry in table.values():
        hs_runs |= _runs(entry.description)
        words = stems(entry.description)
        if len(words) >= 3:  # one- and two-word HS texts ("Vodka", "Ball bearings") are plain trade names
            hs_texts.add(" ".join(words))
    keyword_stems = [(k.code, frozenset(stems(k.term))) for k in keywords()]
    rng = random.Random(2022)
    rows: list[dict[str, str]] = []
    for hs6, english, russian in PRODUCTS:
        if hs6 not in table or table[hs6].level != 6:
            raise SystemExit(f"{hs6} is not an HS 2022 subheading")
        for lang, products, templates in (("en", english, EN_TEMPLATES), ("ru", russian, RU_TEMPLATES)):
            for product in products:
                if " ".join(stems(product)) in hs_texts or _runs(product) & hs_runs:
                    raise SystemExit(f"{product!r} copies the HS 2022 text: rewrite it")
                for template in rng.sample(templates, 2):
                    text = template.format(p=product, n=rng.choice([12, 40, 120, 560, 1200]))
                    words = set(stems(text))
                    # A leak only if a keyword *of the right code* is wholly in the description.
                    hit = any(w and hs6.startswith(code) and w <= words for code, w in keyword_stems)
                    rows.append(
                        {
                            "description": text,
                            "hs6": hs6,
                            "lang": lang,
                            "product": product,
                            "keyword_hit": "1" if hit else "0",
                        }
                    )
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    held_out = sum(r["keyword_hit"] == "0" for r in rows)
    langs = {lang: sum(r["lang"] == lang for r in rows) for lang in ("en", "ru")}
    sys.stdout.write(f"wrote {len(rows)} rows to {OUT} ({langs}; {held_out} not covered by a keyword)\n")


if __name__ == "__main__":
    main()
