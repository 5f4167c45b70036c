"""Build benchmarks/data/goods_controlled_eval.csv: a labelled set for precursor and strategic-goods
(CHPL) detection in goods descriptions, with positives and hard negatives, English and Russian.

Columns: text, declared_hs (empty when none is declared), expected_precursor (canonical names from
src/corridor/goods/data/precursors.csv, ";"-separated, empty for none), expected_strategic ("HS6/tier"
from src/corridor/goods/data/strategic_chpl.csv, ";"-separated, empty for none), kind, lang,
in_matcher_table (1 when a name of the matcher's own tables lies inside the folded text, else 0).

How the rows are made (deterministic: same output every run):
- exact: every listed precursor name and the first English keyword of every CHPL code, put into a
  manifest template (the list is the specification, so these rows test the plumbing, not robustness);
- typo1 / typo2: the same names with one or two generated keyboard typos (neighbour-key substitution,
  deletion, doubled letter or swapped letters, in words of 5+ letters), drawn with a seeded RNG from
  the text itself; typo_ru: the same on the first Russian name of every precursor and CHPL code;
- synonym_en / russian: synonyms, trade names, IUPAC names and Russian forms (oblique cases, reversed
  word order, colloquial names) written by hand for this set, NOT copied from the matcher's synonym
  columns; where a hand-written phrase happens to coincide with a table name the row says so in
  in_matcher_table, and the benchmark reports those rows apart;
- cas: a generic description with the substance's valid CAS number;
- hs_code: a listed HS-6 (with a national extension) declared with a vague description; the expected
  label is every listed item of that HS-6 (2933.39 covers five precursors);
- neg_near: hard negatives one word or a few letters away from a listed name (acetic acid vs acetic
  anhydride, acetone-free nail polish remover, food processors vs processors, LED "diode" lamps ...);
- neg_ordinary: ordinary chemicals and consumer electronics that are on neither list;
- neg_cas_bad: a listed substance's CAS number with a wrong check digit and a generic description;
- neg_hs_innocuous: a listed HS code declared with a plainly different description (T-shirts under
  2915.24). The matcher reports code evidence by design; the benchmark scores these rows both with
  all evidence (code matches count as false positives) and with description evidence only.

Every row is scored for both tasks: a precursor row is a negative for the CHPL and vice versa.

Guards against circularity: typos are generated, not chosen to fit the edit budget; synonyms and
Russian forms are hand-written and flagged when they equal a table name; hard negatives were written
from chemistry and trade vocabulary without running the matcher first.

Run: .venv/bin/python scripts/build_goods_controlled_eval.py   (writes the CSV; same output every run)
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from corridor.goods.precursors import precursor_list
from corridor.goods.strategic import strategic_list
from corridor.goods.text import fold

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "goods_controlled_eval.csv"

EN_TEMPLATES = ("{x}, 200 L drums", "{X} TECHNICAL GRADE 99%", "industrial chemical: {x}", "{x} in IBC tanks")
RU_TEMPLATES = ("{x}, бочки 200 л", "{x} технический", "химическая продукция: {x}", "{x} в канистрах")
EN_GOODS_TEMPLATES = ("{x}, new, in cartons", "{X} 500 PCS", "{x} for industrial use", "spare stock: {x}")
RU_GOODS_TEMPLATES = ("{x} в коробках", "{x}, 500 шт", "{x} для промышленного применения", "партия: {x}")

# Hand-written precursor synonyms (English): canonical name -> phrases.
PRECURSOR_SYNONYMS_EN: dict[str, list[str]] = {
    "Acetic anhydride": ["acetic oxide", "Ac2O reagent", "acetanhydride"],
    "Ephedrine": ["l-ephedrine HCl"],
    "Pseudoephedrine": ["d-pseudoephedrine HCl", "PSE hydrochloride"],
    "Norephedrine": ["phenylpropanolamine HCl"],
    "1-Phenyl-2-propanone": ["methyl benzyl ketone", "1-phenylpropan-2-one"],
    "Phenylacetic acid": ["alpha-toluic acid", "2-phenylacetic acid"],
    "alpha-Phenylacetoacetonitrile": ["alpha-acetylphenylacetonitrile", "2-phenylacetoacetonitrile"],
    "Safrole": ["shikimol", "5-allyl-1,3-benzodioxole"],
    "Piperonal": ["piperonyl aldehyde", "3,4-methylenedioxybenzaldehyde"],
    "3,4-Methylenedioxyphenyl-2-propanone": ["3,4-methylenedioxyphenylacetone", "MDP-2-P"],
    "Potassium permanganate": ["potassium manganate(VII)", "permanganate of potassium"],
    "Acetone": ["2-propanone", "dimethylketone"],
    "Ethyl ether": ["ethoxyethane", "diethyl oxide"],
    "Hydrochloric acid": ["spirits of salt", "chlorhydric acid"],
    "Methyl ethyl ketone": ["butan-2-one", "ethylmethylketone"],
    "Sulphuric acid": ["H2SO4 98%", "battery acid"],
    "Toluene": ["phenylmethane"],
    "Piperidine": ["azacyclohexane", "pentamethyleneimine"],
    "Anthranilic acid": ["o-aminobenzoic acid"],
    "Benzaldehyde": ["benzoic aldehyde"],
    "Methylamine": ["methanamine", "aminomethane"],
    "Red phosphorus": ["amorphous phosphorus"],
    "Hydriodic acid": ["hydroiodic acid", "iodhydric acid"],
    "gamma-Butyrolactone": ["gamma butyrolactone", "4-butanolide"],
    "1,4-Butanediol": ["tetramethylene glycol", "butane-1,4-diol"],
    "Ergometrine": ["ergobasine", "ergonovine maleate"],
    "N-Phenethyl-4-piperidone": ["1-phenethyl-4-piperidone", "1-(2-phenylethyl)-4-piperidone"],
    "4-Piperidone": ["4-piperidinone"],
    "1-boc-4-Piperidone": ["N-Boc-piperidin-4-one", "1-tert-butoxycarbonyl-4-piperidone"],
    "tert-Butyl 4-(phenylamino)piperidine-1-carboxylate": ["tert-butyl 4-anilinopiperidine-1-carboxylate"],
    "Methyl alpha-phenylacetoacetate": ["methyl 2-phenylacetoacetate"],
    "alpha-Phenylacetoacetamide": ["2-phenylacetoacetamide"],
    "N-Acetylanthranilic acid": ["N-acetyl anthranilic acid"],
    "Isosafrole": ["5-(1-propenyl)-1,3-benzodioxole"],
}

# Hand-written Russian forms: oblique cases, reversed word order, colloquial names.
PRECURSOR_RUSSIAN: dict[str, list[str]] = {
    "Acetic anhydride": ["ангидрид уксусный", "уксусного ангидрида"],
    "Ephedrine": ["эфедрин солянокислый"],
    "Pseudoephedrine": ["псевдоэфедрина сульфат"],
    "Norephedrine": ["фенилпропаноламина гидрохлорид"],
    "1-Phenyl-2-propanone": ["фенилацетона", "1-фенил-2-пропанона"],
    "Phenylacetic acid": ["фенилуксусной кислоты"],
    "Safrole": ["сафрола", "масло сассафраса"],
    "Piperonal": ["пипероналя", "гелиотропина"],
    "Potassium permanganate": ["перманганата калия", "марганцовки"],
    "Acetone": ["ацетона"],
    "Ethyl ether": ["эфира диэтилового"],
    "Hydrochloric acid": ["кислоты соляной", "соляной кислоты ингибированной"],
    "Methyl ethyl ketone": ["метилэтилкетона"],
    "Piperidine": ["пиперидина"],
    "Sulphuric acid": ["серной кислоты аккумуляторной", "кислота серная"],
    "Toluene": ["толуола нефтяного"],
    "Benzaldehyde": ["бензальдегида"],
    "Nitroethane": ["нитроэтана"],
    "Methylamine": ["метиламина водный раствор"],
    "Red phosphorus": ["красного фосфора", "фосфор красный"],
    "gamma-Butyrolactone": ["гамма-бутиролактона"],
    "1,4-Butanediol": ["1,4-бутандиола"],
    "Ergometrine": ["эргометрина малеат"],
    "N-Phenethyl-4-piperidone": ["N-фенэтил-4-пиперидона"],
    "Anthranilic acid": ["антраниловой кислоты"],
    "Hydriodic acid": ["йодоводородная кислота"],
}

# Hand-written CHPL synonyms and trade wording: hs6 -> (English, Russian).
STRATEGIC_SYNONYMS: dict[str, tuple[list[str], list[str]]] = {
    "854231": (["microprocessor", "MCU STM32F407", "ARM processor chips"], ["микропроцессор", "микроконтроллеры STM32"]),
    "854232": (["DDR4 DRAM chips", "NAND flash chips"], ["микросхема памяти"]),
    "854233": (["operational amplifiers"], []),
    "854239": (["integrated circuit", "microchip"], ["интегральная микросхема"]),
    "851762": (["wifi router", "LTE modem"], ["маршрутизатор"]),
    "852691": (["GPS receiver", "GNSS module u-blox"], ["приемник ГЛОНАСС", "GPS-модуль"]),
    "853221": (["tantalum capacitor"], ["танталовый конденсатор"]),
    "853224": (["MLCC capacitors", "ceramic chip capacitors"], []),
    "850440": (["DC-DC converter", "power supply unit"], ["блок питания", "инвертор"]),
    "852589": (["thermal imaging camera", "thermal imager"], ["тепловизор", "тепловизионная камера"]),
    "852910": (["GPS antenna"], ["антенна"]),
    "853669": (["coaxial connectors"], ["разъем"]),
    "854110": (["rectifier diodes", "Schottky diode"], ["диод"]),
    "854121": (["transistor"], ["транзистор"]),
    "854129": (["MOSFET transistors", "IGBT modules"], []),
    "854130": (["thyristor"], ["тиристор"]),
    "854160": (["quartz crystal resonators", "crystal oscillator"], ["кварцевый резонатор"]),
    "848210": (["deep groove ball bearing 6205-2RS", "ball bearing"], ["подшипник шариковый", "шарикоподшипники"]),
    "848220": (["taper roller bearing"], ["подшипники роликовые конические"]),
    "848250": (["cylindrical roller bearing"], []),
    "880730": (["UAV spare parts", "quadcopter parts"], ["запчасти для дронов"]),
    "901310": (["riflescope", "rifle scope 4-16x50"], ["оптический прицел"]),
    "901420": (["inertial navigation system"], []),
    "853400": (["PCB", "printed circuit board", "bare PCB boards"], ["печатная плата"]),
    "903020": (["digital oscilloscope"], ["осциллограф"]),
    "854320": (["signal generator", "function generator"], ["генератор сигналов"]),
    "845811": (["CNC lathe machine"], ["токарный станок с ЧПУ"]),
    "845961": (["CNC milling machine"], ["фрезерный станок ЧПУ"]),
    "845710": (["vertical machining center"], ["обрабатывающий центр"]),
}  # fmt: skip

# Hard negatives one word or a few letters from a listed name: (text, lang).
NEAR_NEGATIVES: list[tuple[str, str]] = [
    ("acetic acid glacial 99.8%", "en"), ("acetic acid 9% food vinegar", "en"), ("acetate film rolls", "en"),
    ("acetone-free nail polish remover", "en"), ("ethyl acetate solvent", "en"), ("caffeine anhydrous", "en"),
    ("toluene diisocyanate TDI", "en"), ("methyl ethyl ketone peroxide hardener", "en"),
    ("piperonyl butoxide insecticide synergist", "en"), ("piperine black pepper extract", "en"),
    ("safflower oil refined", "en"), ("sulphur powder", "en"), ("nitrobenzene", "en"),
    ("dimethylamine solution 40%", "en"), ("phenylalanine food supplement", "en"), ("benzyl alcohol", "en"),
    ("ephedra herbal tea", "en"), ("potassium chloride fertiliser", "en"), ("potassium sorbate", "en"),
    ("phosphoric acid food grade", "en"), ("red pepper flakes", "en"), ("butyl acetate", "en"),
    ("sodium acetate trihydrate", "en"), ("hydrochloric acid-resistant gloves", "en"),
    ("food processors 600 W", "en"), ("memory foam pillows", "en"), ("router bits for woodworking", "en"),
    ("inverter air conditioner", "en"), ("LED light-emitting diode lamps", "en"), ("POS terminals", "en"),
    ("garden hose connectors", "en"), ("transistor radio", "en"), ("camera bags", "en"),
    ("telescopic ladders aluminium", "en"), ("crystal glassware", "en"), ("car parts", "en"),
    ("optical fibre cables", "en"), ("roller skates", "en"), ("ball pens", "en"), ("bearing grease", "en"),
    ("power banks 10000 mAh", "en"), ("light switches", "en"),
    ("уксусная кислота ледяная", "ru"), ("жидкость для снятия лака без ацетона", "ru"),
    ("уксус столовый 9%", "ru"), ("этилацетат", "ru"), ("толуидин", "ru"), ("калий хлористый", "ru"),
    ("кофеин безводный", "ru"), ("сумки для камеры", "ru"), ("светодиодные лампы", "ru"),
    ("кухонный комбайн", "ru"), ("подушки с эффектом памяти", "ru"), ("автозапчасти", "ru"),
    ("фреза по дереву", "ru"), ("кондиционер инверторный", "ru"), ("разъемы для садового шланга", "ru"),
]  # fmt: skip

ORDINARY_NEGATIVES: list[tuple[str, str]] = [
    ("sodium hydroxide flakes 99%", "en"), ("citric acid monohydrate", "en"), ("isopropyl alcohol 99.9%", "en"),
    ("methanol", "en"), ("ethyl alcohol denatured", "en"), ("glycerine USP", "en"), ("urea fertiliser 46% N", "en"),
    ("titanium dioxide pigment", "en"), ("calcium carbonate powder", "en"), ("sodium chloride salt", "en"),
    ("paraffin wax", "en"), ("polyethylene granules", "en"), ("hydrogen peroxide 35%", "en"),
    ("ammonium nitrate", "en"), ("ascorbic acid", "en"), ("paracetamol tablets", "en"),
    ("mobile phones smartphones", "en"), ("laptop computers", "en"), ("LED TV sets 55 inch", "en"),
    ("bluetooth headphones", "en"), ("USB cables", "en"), ("lithium-ion batteries", "en"),
    ("electric kettles", "en"), ("ceiling fans", "en"), ("washing machines", "en"), ("vacuum cleaners", "en"),
    ("cotton T-shirts", "en"), ("fresh apples", "en"), ("ceramic floor tiles", "en"), ("car tyres", "en"),
    ("гидроксид натрия", "ru"), ("лимонная кислота", "ru"), ("спирт изопропиловый", "ru"),
    ("мочевина карбамид", "ru"), ("мобильные телефоны", "ru"), ("ноутбуки", "ru"), ("телевизоры", "ru"),
    ("электрочайники", "ru"), ("стиральные машины", "ru"), ("шины для легковых автомобилей", "ru"),
]  # fmt: skip

INNOCUOUS = ["cotton T-shirts", "ceramic floor tiles", "fresh apples", "plastic toys", "wooden furniture",
             "детская обувь", "печенье сахарное", "кухонная посуда"]  # fmt: skip

KEYS_EN = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
KEYS_RU = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]


def neighbours(ch: str) -> str:
    for rows in (KEYS_EN, KEYS_RU):
        for r, row in enumerate(rows):
            i = row.find(ch)
            if i < 0:
                continue
            near = row[max(0, i - 1) : i] + row[i + 1 : i + 2]
            for other in (rows[r - 1] if r else "", rows[r + 1] if r + 1 < len(rows) else ""):
                near += other[i : i + 1]
            return near or ch
    return ch


def typo(text: str, edits: int, seed: str) -> str:
    """`edits` random keyboard typos in different words of 5+ letters (same word if only one)."""
    rng = random.Random(f"typo:{seed}:{text}")
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 5]
    if not candidates:
        return text
    order = rng.sample(candidates, len(candidates))
    for n in range(edits):
        i = order[n % len(order)]
        w = words[i]
        letters = [j for j in range(1, len(w)) if w[j].isalpha()]  # first letter kept
        j = rng.choice(letters)
        op = rng.choice(("sub", "del", "dup", "swap"))
        if op == "sub":
            w = w[:j] + rng.choice(neighbours(w[j].lower())) + w[j + 1 :]
        elif op == "del":
            w = w[:j] + w[j + 1 :]
        elif op == "dup":
            w = w[:j] + w[j] + w[j:]
        elif j + 1 < len(w) and w[j + 1] != w[j]:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        else:
            w = w[:j] + w[j + 1 :]
        words[i] = w
    return " ".join(words)


def cas_with_wrong_digit(cas: str) -> str:
    body, check = cas.rsplit("-", 1)
    return f"{body}-{(int(check) + 3) % 10}"


def main() -> None:
    precursors = precursor_list()
    chpl = strategic_list()
    tier = {s.hs6: s.tier for s in chpl}
    table_names = {" ".join(fold(n).replace("-", "").split()) for p in precursors for n in p.names()}
    table_names |= {" ".join(fold(k).replace("-", "").split()) for s in chpl for k in s.keywords}

    def in_table(text: str) -> str:
        folded = f" {' '.join(fold(text).replace('-', '').split())} "
        return "1" if any(f" {n} " in folded for n in table_names if n) else "0"

    rows: list[dict[str, str]] = []
    counter = 0

    def add(text: str, kind: str, lang: str, *, hs: str = "", pre: str = "", strat: str = "") -> None:
        rows.append(
            {
                "text": text,
                "declared_hs": hs,
                "expected_precursor": pre,
                "expected_strategic": f"{strat}/{tier[strat]}" if strat else "",
                "kind": kind,
                "lang": lang,
                "in_matcher_table": in_table(text),
            }
        )

    def template(x: str, lang: str, goods: bool) -> str:
        nonlocal counter
        counter += 1
        pool = (
            (RU_GOODS_TEMPLATES if goods else RU_TEMPLATES)
            if lang == "ru"
            else (EN_GOODS_TEMPLATES if goods else EN_TEMPLATES)
        )
        t = pool[counter % len(pool)]
        return t.replace("{X}", x.upper()).replace("{x}", x)

    for p in precursors:
        add(template(p.name, "en", False), "exact", "en", pre=p.name)
        if typo(p.name, 1, "1") != p.name:
            add(template(typo(p.name, 1, "1"), "en", False), "typo1", "en", pre=p.name)
        if len(p.name.replace(" ", "")) >= 12:
            add(template(typo(p.name, 2, "2"), "en", False), "typo2", "en", pre=p.name)
        if p.names_ru and typo(p.names_ru[0], 1, "r") != p.names_ru[0]:
            add(template(typo(p.names_ru[0], 1, "r"), "ru", False), "typo_ru", "ru", pre=p.name)
        for s in PRECURSOR_SYNONYMS_EN.get(p.name, []):
            add(template(s, "en", False), "synonym_en", "en", pre=p.name)
        for s in PRECURSOR_RUSSIAN.get(p.name, []):
            add(template(s, "ru", False), "russian", "ru", pre=p.name)
        add(f"chemical reagent, CAS {p.cas[0]}", "cas", "en", pre=p.name)
        add(f"organic/inorganic chemical, CAS No. {cas_with_wrong_digit(p.cas[0])}", "neg_cas_bad", "en")
    for i, hs6 in enumerate(sorted({p.hs6 for p in precursors})):
        names = "; ".join(p.name for p in precursors if p.hs6 == hs6)
        add("chemical products", "hs_code", "en", hs=hs6 + "0000", pre=names)
        add(INNOCUOUS[i % len(INNOCUOUS)], "neg_hs_innocuous", "en", hs=hs6 + "0000")
    for i, s in enumerate(chpl):
        en = [k for k in s.keywords if not any("\u0400" <= c <= "\u04ff" for c in k)]
        ru = [k for k in s.keywords if any("\u0400" <= c <= "\u04ff" for c in k)]
        add(template(en[0], "en", True), "exact", "en", strat=s.hs6)
        if typo(en[0], 1, "1") != en[0]:
            add(template(typo(en[0], 1, "1"), "en", True), "typo1", "en", strat=s.hs6)
        if len(en[0].replace(" ", "")) >= 12:
            add(template(typo(en[0], 2, "2"), "en", True), "typo2", "en", strat=s.hs6)
        if ru and typo(ru[0], 1, "r") != ru[0]:
            add(template(typo(ru[0], 1, "r"), "ru", True), "typo_ru", "ru", strat=s.hs6)
        syn_en, syn_ru = STRATEGIC_SYNONYMS.get(s.hs6, ([], []))
        for x in syn_en:
            add(template(x, "en", True), "synonym_en", "en", strat=s.hs6)
        for x in syn_ru:
            add(template(x, "ru", True), "russian", "ru", strat=s.hs6)
        add("electronic components and parts", "hs_code", "en", hs=s.hs6 + "0000", strat=s.hs6)
        add(INNOCUOUS[i % len(INNOCUOUS)], "neg_hs_innocuous", "en", hs=s.hs6 + "0000")
    for text, lang in NEAR_NEGATIVES:
        add(text, "neg_near", lang)
    for text, lang in ORDINARY_NEGATIVES:
        add(text, "neg_ordinary", lang)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"wrote {len(rows)} rows to {OUT}: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))


if __name__ == "__main__":
    main()
