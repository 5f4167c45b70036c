"""Build the labelled screening evaluation set: benchmarks/data/screening_eval.jsonl.

    .venv/bin/python scripts/build_screening_eval.py [--shared ../shared/data] [--seed 7]

Each line is one (query, target entry) pair with a label, a kind and a split:

    {"id", "split": "dev"|"test", "kind", "label": 1|0,
     "query": {"name", "schema"}, "target": {"ref", "schema", "names": [...]}}

The target carries every name of the entry (minus the query itself), so every matcher sees the
same record. Sources are the public OFAC SDN and UN consolidated lists, and synthetic
Azerbaijani/Russian/Persian names written out by hand below in their conventional spellings
(the OpenSanctions fixtures are CC BY-NC and are not used here).

Positives
  alias          an OFAC a.k.a./f.k.a. or UN "good" alias that is a spelling variant of another name
                 of the entry (as many parts ±1, two thirds of its parts start with the same three
                 letters as a part of that name; acronyms excluded)
  original       the UN NAME_ORIGINAL_SCRIPT (Arabic/Persian/Cyrillic) against the Latin names
  typo           one letter changed, dropped, doubled or swapped in one part of 5+ letters
  reorder        name parts rotated ("KUZMENKO Vitaly")
  drop_middle    a middle part of a 3+ part person name left out
  cyrillic       a Latin person name written in Russian Cyrillic (GOST-like table below)
  legal_form     a company's legal form replaced (LLC / ООО / MMC / Limited Liability Company)
  caspian        synthetic Azerbaijani names vs their Russian, English and plain-keyboard spellings
Negatives
  list_near      another entry of the same kind sharing a rare word (not a sub-name, no shared
                 name or identifier): different listed parties with similar names
  swap_word      a company name with one word replaced by a different word (Oil -> Gas)
  swap_part      a person with the surname or the first name replaced by another of the same
                 initial (Hasanov for Huseynov)
  caspian_neg    synthetic Azerbaijani persons/companies differing in one part
The split is by target entry (hash), so tuning on "dev" never sees a "test" entry.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from corridor.screening.entries import ListEntry  # noqa: E402
from corridor.screening.sources import read_list  # noqa: E402

OUT = ROOT / "benchmarks" / "data" / "screening_eval.jsonl"

LAT2CYR = [
    ("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"), ("yu", "ю"),
    ("ya", "я"), ("yo", "ё"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("c", "к"), ("h", "х"),
    ("j", "дж"), ("w", "в"), ("x", "кс"), ("q", "к"),
]  # fmt: skip
LEGAL = ["LLC", "ООО", "MMC", "Limited Liability Company", "Ltd", "JSC", "QSC"]
WORD_SWAPS = [
    ("OIL", "GAS"), ("NORTH", "SOUTH"), ("EAST", "WEST"), ("IMPORT", "EXPORT"), ("TRADING", "SHIPPING"),
    ("BANK", "INSURANCE"), ("INTERNATIONAL", "NATIONAL"), ("GENERAL", "GLOBAL"), ("STEEL", "COPPER"),
    ("MARINE", "AVIATION"), ("INDUSTRIES", "SERVICES"), ("TECHNOLOGY", "TEXTILES"), ("GROUP", "HOLDING"),
    ("PETROLEUM", "CHEMICALS"), ("SHIPPING", "TRAVEL"), ("ENERGY", "FOODS"), ("ELECTRONICS", "ELEVATORS"),
]  # fmt: skip

# Synthetic Azerbaijani names: (Azerbaijani Latin, Russian Cyrillic, English), as they are
# conventionally written; written out by hand, not produced by Corridor's transliterator.
AZ_FIRST = [
    ("Rza", "Рза", "Reza"), ("Elçin", "Эльчин", "Elchin"), ("Vüqar", "Вугар", "Vugar"),
    ("Fərid", "Фарид", "Farid"), ("Rəşad", "Рашад", "Rashad"), ("Orxan", "Орхан", "Orkhan"),
    ("Cavid", "Джавид", "Javid"), ("Xəyal", "Хаял", "Khayal"), ("Şahin", "Шахин", "Shahin"),
    ("Qasım", "Гасым", "Gasim"), ("Cəmil", "Джамиль", "Jamil"), ("Hüseyn", "Гусейн", "Huseyn"),
    ("Məhəmməd", "Магомед", "Mahammad"), ("Əli", "Али", "Ali"), ("Həsən", "Гасан", "Hasan"),
    ("Tural", "Турал", "Tural"), ("Ülvi", "Ульви", "Ulvi"), ("Nicat", "Ниджат", "Nijat"),
    ("Ceyhun", "Джейхун", "Jeyhun"), ("Elnur", "Эльнур", "Elnur"), ("Mübariz", "Мубариз", "Mubariz"),
    ("Zaur", "Заур", "Zaur"), ("İlqar", "Ильгар", "Ilgar"), ("Səbuhi", "Сабухи", "Sabuhi"),
]  # fmt: skip
AZ_LAST = [
    ("Hüseynov", "Гусейнов", "Guseinov"), ("Məmmədov", "Мамедов", "Mammadov"),
    ("Əliyev", "Алиев", "Aliyev"), ("Həsənov", "Гасанов", "Hasanov"), ("Quliyev", "Гулиев", "Guliyev"),
    ("Cəfərov", "Джафаров", "Jafarov"), ("Xəlilov", "Халилов", "Khalilov"),
    ("İsmayılov", "Исмаилов", "Ismayilov"), ("Abbasov", "Аббасов", "Abbasov"),
    ("Qasımov", "Гасымов", "Gasimov"), ("Rəhimov", "Рагимов", "Rahimov"),
    ("Şirinov", "Ширинов", "Shirinov"), ("Nəsirov", "Насиров", "Nasirov"),
    ("Süleymanov", "Сулейманов", "Suleymanov"), ("Kərimov", "Керимов", "Karimov"),
    ("Vəliyev", "Велиев", "Valiyev"), ("Bağırov", "Багиров", "Bagirov"),
    ("Əhmədov", "Ахмедов", "Akhmedov"), ("Rüstəmov", "Рустамов", "Rustamov"),
    ("Nağıyev", "Нагиев", "Nagiyev"), ("Zeynalov", "Зейналов", "Zeynalov"),
    ("Məlikov", "Меликов", "Melikov"), ("Şükürov", "Шукюров", "Shukurov"), ("Sadıqov", "Садыгов", "Sadigov"),
]  # fmt: skip
AZ_WORDS = [
    ("Xəzər", "Хазар", "Khazar"), ("Logistika", "Логистика", "Logistika"), ("Neft", "Нефть", "Neft"),
    ("Qaz", "Газ", "Gaz"), ("Ticarət", "Тиджарет", "Tijarat"), ("Tikinti", "Тикинти", "Tikinti"),
    ("Dəniz", "Дениз", "Daniz"), ("Abşeron", "Абшерон", "Absheron"), ("Şirvan", "Ширван", "Shirvan"),
    ("Gəncə", "Гянджа", "Ganja"), ("Qafqaz", "Гафгаз", "Gafgaz"), ("Kür", "Кюр", "Kur"),
    ("Sənaye", "Сенайе", "Sanaye"), ("Nəqliyyat", "Нагльят", "Nagliyyat"), ("Aqro", "Агро", "Agro"),
    ("Ulduz", "Улдуз", "Ulduz"), ("Günəş", "Гюнеш", "Gunash"), ("Araz", "Араз", "Araz"),
]  # fmt: skip


def ascii_typing(text: str) -> str:
    """How a name is typed without Azerbaijani letters (ə -> e, ş -> s ...)."""
    text = text.replace("ə", "e").replace("Ə", "E").replace("ı", "i").replace("İ", "I")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def to_cyrillic(name: str) -> str:
    out = []
    for word in name.split():
        low, res, i = word.lower(), "", 0
        while i < len(low):
            for lat, cyr in LAT2CYR:
                if low.startswith(lat, i):
                    res += cyr
                    i += len(lat)
                    break
            else:
                res += low[i] if not low[i].isalpha() else ""
                i += 1
        out.append(res.capitalize())
    return " ".join(out)


def tokens(name: str) -> list[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))
    return [t for t in re.split(r"[^a-z0-9]+", plain) if t]


def typo(name: str, rng: random.Random) -> str | None:
    parts = name.split()
    long = [i for i, p in enumerate(parts) if len(p) >= 5 and p.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    word, pos = parts[i], rng.randrange(1, len(parts[i]) - 1)
    op = rng.choice(["sub", "del", "dup", "swap"])
    if op == "sub":
        letter = rng.choice("aeioulnrst")
        word = word[:pos] + (letter.upper() if word.isupper() else letter) + word[pos + 1 :]
    elif op == "del":
        word = word[:pos] + word[pos + 1 :]
    elif op == "dup":
        word = word[:pos] + word[pos] + word[pos:]
    else:
        word = word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]
    if word == parts[i]:
        return None
    parts[i] = word
    return " ".join(parts)


def split_of(ref: str) -> str:
    return "dev" if int(hashlib.sha256(ref.encode()).hexdigest(), 16) % 2 == 0 else "test"


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict[str, object]] = []

    def add(
        self, kind: str, label: int, query: str, schema: str, ref: str, target_schema: str, names: list[str]
    ) -> None:
        names = [n for n in names if n != query]
        if not names or not query.strip():
            return
        self.rows.append(
            {
                "id": len(self.rows) + 1,
                "split": split_of(ref),
                "kind": kind,
                "label": label,
                "query": {"name": query, "schema": schema},
                "target": {"ref": ref, "schema": target_schema, "names": names},
            }
        )


def spelling_variant(alias: str, name: str) -> bool:
    """Same number of parts (±1) and two thirds of the alias's parts start like a part of the name."""
    ta, tn = tokens(alias), tokens(name)
    if not ta or abs(len(ta) - len(tn)) > 1:
        return False
    prefixes = {t[:3] for t in tn}
    return sum(t[:3] in prefixes for t in ta) * 3 >= len(ta) * 2


def is_acronym(name: str) -> bool:
    return len(name.split()) == 1 and len(name) <= 6


def list_pairs(b: Builder, entries: list[tuple[str, ListEntry]], per_kind: int) -> None:
    rng = b.rng
    alias_pool, original_pool = [], []
    for ref, e in entries:
        for alias in e.names[1:]:
            others = [n for n in e.names if n != alias]
            if any("\u0600" <= ch <= "\u06ff" or "\u0400" <= ch <= "\u04ff" for ch in alias):
                original_pool.append((ref, e, alias))
                continue
            if not is_acronym(alias) and any(spelling_variant(alias, n) for n in others):
                alias_pool.append((ref, e, alias))
    for ref, e, alias in rng.sample(alias_pool, min(per_kind * 2, len(alias_pool))):
        b.add("alias", 1, alias, e.schema, ref, e.schema, e.names)
    for ref, e, alias in rng.sample(original_pool, min(per_kind, len(original_pool))):
        b.add("original", 1, alias, e.schema, ref, e.schema, e.names)

    persons = [(r, e) for r, e in entries if e.schema == "person"]
    orgs = [(r, e) for r, e in entries if e.schema == "organization"]
    for ref, e in rng.sample(entries, per_kind):
        variant = typo(e.names[0], rng)
        if variant:
            b.add("typo", 1, variant, e.schema, ref, e.schema, e.names)
    for ref, e in rng.sample(persons + orgs, per_kind):
        parts = e.names[0].split()
        if len(parts) >= 2:
            b.add("reorder", 1, " ".join(parts[1:] + parts[:1]), e.schema, ref, e.schema, e.names)
    three = [(r, e) for r, e in persons if len(e.names[0].split()) >= 3]
    for ref, e in rng.sample(three, min(per_kind, len(three))):
        parts = e.names[0].split()
        drop = rng.randrange(1, len(parts) - 1)
        b.add("drop_middle", 1, " ".join(parts[:drop] + parts[drop + 1 :]), e.schema, ref, e.schema, e.names)
    slavic = [(r, e) for r, e in persons if set(e.countries) & {"RU", "BY", "UA", "KZ"}]
    for ref, e in rng.sample(slavic, min(per_kind, len(slavic))):
        b.add("cyrillic", 1, to_cyrillic(e.names[0]), e.schema, ref, e.schema, e.names)
    legal = [
        (r, e) for r, e in orgs if re.search(r"\b(LLC|LTD|LIMITED|CO|COMPANY|JSC)\.?$", e.names[0], re.I)
    ]
    for ref, e in rng.sample(legal, min(per_kind, len(legal))):
        base = re.sub(r",?\s*\b(LLC|LTD|LIMITED|CO|COMPANY|JSC)\.?$", "", e.names[0], flags=re.I).strip(" ,")
        form = rng.choice(LEGAL)
        query = f"{form} {base}" if form in ("ООО", "JSC") else f"{base} {form}"
        b.add("legal_form", 1, query, "organization", ref, e.schema, e.names)

    # Hard negatives from the lists: different entries sharing a rare word.
    by_token: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (_, e) in enumerate(entries):
        for t in set(tokens(e.names[0])):
            if len(t) >= 4:
                by_token[(e.schema, t)].append(i)
    near: list[tuple[int, int]] = []
    for ids in by_token.values():
        if 2 <= len(ids) <= 30:
            a, c = rng.sample(ids, 2)
            near.append((a, c))
    rng.shuffle(near)
    taken = 0
    for a, c in near:
        (_, ea), (ref_c, ec) = entries[a], entries[c]
        ta, tc = set(tokens(ea.names[0])), set(tokens(ec.names[0]))
        if ta <= tc or tc <= ta or set(ea.names) & set(ec.names) or set(ea.identifiers) & set(ec.identifiers):
            continue
        if {frozenset(tokens(n)) for n in ea.names} & {frozenset(tokens(n)) for n in ec.names}:
            continue
        b.add("list_near", 0, ea.names[0], ea.schema, ref_c, ec.schema, ec.names)
        taken += 1
        if taken >= per_kind * 3:
            break

    swaps = {**dict(WORD_SWAPS), **{v: k for k, v in WORD_SWAPS}}
    candidates = [(r, e) for r, e in orgs if any(w in swaps for w in e.names[0].upper().split())]
    for ref, e in rng.sample(candidates, min(per_kind, len(candidates))):
        words = e.names[0].split()
        i = next(i for i, w in enumerate(words) if w.upper() in swaps)
        words[i] = swaps[words[i].upper()]
        b.add("swap_word", 0, " ".join(words), e.schema, ref, e.schema, e.names)
    surnames: dict[str, list[str]] = defaultdict(list)
    for _, e in persons:
        parts = e.names[0].split()
        if len(parts) >= 2 and parts[-1].isupper() and len(parts[-1]) >= 4:
            surnames[parts[-1][0]].append(parts[-1])
    for ref, e in rng.sample(persons, per_kind):
        parts = e.names[0].split()
        if len(parts) < 2 or not parts[-1].isupper():
            continue
        pool = [s for s in surnames[parts[-1][0]] if s != parts[-1] and s[:2] == parts[-1][:2]]
        if not pool:
            continue
        other = rng.choice(pool)
        if any(other in n.upper() for n in e.names):
            continue
        b.add("swap_part", 0, " ".join(parts[:-1] + [other]), "person", ref, e.schema, e.names)


def caspian_pairs(b: Builder, count: int) -> None:
    rng = b.rng
    for i in range(count):
        first, last = rng.choice(AZ_FIRST), rng.choice(AZ_LAST)
        entry = f"{first[0]} {last[0]}"
        ref = f"caspian-person-{i}"
        for query in (
            f"{last[1]} {first[1]}",
            f"{first[2]} {last[2]}",
            ascii_typing(entry),
            f"{last[2].upper()}, {first[2]}",
        ):
            b.add("caspian", 1, query, "person", ref, "person", [entry])
        other_last = rng.choice([x for x in AZ_LAST if x != last])
        other_first = rng.choice([x for x in AZ_FIRST if x != first])
        b.add("caspian_neg", 0, f"{first[2]} {other_last[2]}", "person", ref, "person", [entry])
        b.add("caspian_neg", 0, f"{other_first[1]} {last[1]}", "person", ref, "person", [entry])
    for i in range(count // 2):
        w1, w2 = rng.sample(AZ_WORDS, 2)
        entry = f"{w1[0]} {w2[0]} MMC"
        ref = f"caspian-company-{i}"
        for query in (f"ООО «{w1[1]} {w2[1]}»", f"{w1[2]} {w2[2]} LLC", ascii_typing(entry)):
            b.add("caspian", 1, query, "organization", ref, "organization", [entry])
        w3 = rng.choice([w for w in AZ_WORDS if w not in (w1, w2)])
        b.add("caspian_neg", 0, f"{w1[2]} {w3[2]} LLC", "organization", ref, "organization", [entry])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-kind", type=int, default=300)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sanctions = args.shared / "sanctions"
    entries: list[tuple[str, ListEntry]] = []
    for code, file in (
        ("ofac-sdn", "ofac_sdn_2024-05-03.csv"),
        ("un-sc", "un_sc_consolidated_list_2024-09-26.xml"),
    ):
        parsed = read_list(sanctions / file)
        entries += [(f"{code}:{e.key}", e) for e in parsed.entries if e.schema in ("person", "organization")]
    builder = Builder(random.Random(args.seed))
    list_pairs(builder, entries, args.per_kind)
    caspian_pairs(builder, args.per_kind // 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in builder.rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = defaultdict(int)
    for row in builder.rows:
        kinds[f"{row['kind']}:{row['label']}"] += 1
    print(f"wrote {len(builder.rows)} pairs to {args.out}")
    for k in sorted(kinds):
        print(f"  {k:18} {kinds[k]}")


if __name__ == "__main__":
    main()
