"""Names -> comparable forms: case, accents, punctuation, scripts, legal forms, name parts.

`prepare_name` is the one entry point. It is run once per list name at import (the results are
stored with the entry and loaded into the in-memory index) and once per screened name.

Legal forms (LLC, ООО, MMC, Şirkəti, شرکت سهامی خاص, GmbH ...) say nothing about *which* company it
is, so they are removed from the start and the end of a name before comparison. The list is
written in each language's own script and transliterated with the same code as the names, so a
form is recognised however it was written. Person names are left alone: "Ao" or "Sa" can be a
name part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from corridor.screening.phonetic import fold, skeleton
from corridor.screening.translit import ascii_variant, is_abjad, transliterate

LEGAL_FORM_SOURCES: tuple[str, ...] = (
    # English and international abbreviations
    "LLC", "L.L.C.", "LTD", "Limited", "Inc", "Incorporated", "Corp", "Corporation", "Co",
    "Company", "Co Ltd", "Company Limited", "PLC", "LLP", "LP", "Limited Liability Company",
    "Limited Liability Partnership", "Joint Stock Company", "Closed Joint Stock Company",
    "Open Joint Stock Company", "Public Joint Stock Company", "Private Joint Stock Company",
    "JSC", "OJSC", "CJSC", "PJSC", "Private Limited", "Pvt Ltd", "Pte Ltd", "Pte", "Pvt",
    "FZE", "FZCO", "FZC", "FZ LLC", "FZ-LLC", "DMCC", "Sdn Bhd", "Bhd", "Holding Ltd",
    # Russian, Ukrainian, Belarusian, Bulgarian, Kazakh (Cyrillic and romanised)
    "ООО", "ОАО", "ЗАО", "ПАО", "АО", "НАО", "ТОВ", "ТОО", "ПрАТ", "ПАТ", "ОOO",
    "OOO", "OAO", "ZAO", "PAO", "AO", "TOV", "TOO",
    "Общество с ограниченной ответственностью", "Акционерное общество",
    "Открытое акционерное общество", "Закрытое акционерное общество",
    "Публичное акционерное общество", "Непубличное акционерное общество",
    "Товариство з обмеженою відповідальністю", "Таварыства з абмежаванай адказнасцю",
    "Дружество с ограничена отговорност", "Товарищество с ограниченной ответственностью",
    # Azerbaijani and Turkish
    "MMC", "QSC", "ASC", "SC", "Məhdud Məsuliyyətli Cəmiyyət", "Məhdud Məsuliyyətli Cəmiyyəti",
    "Açıq Səhmdar Cəmiyyəti", "Qapalı Səhmdar Cəmiyyəti", "Səhmdar Cəmiyyəti",
    "Limited Şirketi", "Anonim Şirketi", "Şirketi", "Şirkəti", "Ltd Şti", "Şti", "A.Ş.",
    "Limited Sirketi", "Anonim Sirketi", "Sirketi", "Ltd Sti", "Sti",
    # Persian and Arabic
    "شرکت", "شرکت سهامی خاص", "شرکت سهامی عام", "سهامی خاص", "سهامی عام",
    "شرکت با مسئولیت محدود", "با مسئولیت محدود", "شركة", "ذ.م.م",
    # European languages found in the EU and UN lists
    "GmbH", "AG", "KG", "SA", "S.A.", "SARL", "SRL", "SpA", "SAS", "BV", "NV", "Oy", "AB", "AS",
    "ASA", "ApS", "Kft", "d.o.o.", "DOO", "AD", "EOOD", "OOD", "Ltda", "Cia", "s.r.o.", "sp. z o.o.",
    "Sociedad de responsabilidad limitada", "Sociedad Anonima", "Societe Anonyme",
    "Société à responsabilité limitée", "Societatea cu răspundere limitată",
    "Společnost s ručením omezeným", "Družba z omejeno odgovornostjo",
    "An chuideachta theoranta", "Εταιρία περιορισμένης ευθύνης", "Ανώνυμη Εταιρεία",
)  # fmt: skip

# Parts that carry little identity: Arabic/Persian kinship and article particles, European
# nobiliary particles, Azerbaijani patronymic suffixes (Rza Huseyn oglu).
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ud",
        "ad",
        "bin",
        "ibn",
        "bint",
        "abu",
        "abd",
        "de",
        "del",
        "della",
        "di",
        "da",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "du",
        "dos",
        "das",
        "oglu",
        "ogly",
        "ogli",
        "kyzy",
        "kizi",
        "gizi",
        "qizi",
    ]
)

PERSON = "person"


@lru_cache(maxsize=1)
def legal_forms() -> dict[tuple[str, ...], str]:
    """Transliterated token sequence -> the form as written in LEGAL_FORM_SOURCES."""
    forms: dict[tuple[str, ...], str] = {}
    for source in LEGAL_FORM_SOURCES:
        tokens = tuple(transliterate(source).split())
        if tokens:
            forms.setdefault(tokens, source)
    return forms


@lru_cache(maxsize=1)
def _longest_form() -> int:
    return max(len(k) for k in legal_forms())


@dataclass(frozen=True, slots=True)
class Part:
    """One name part in its comparable forms."""

    latin: str  # ASCII transliteration: "guseynov"
    folded: str  # phonetic folding: "husinov"
    skeleton: str  # consonants only: "hsn"
    abjad: bool  # written in Persian/Arabic script (no short vowels)
    weight: float  # share of the name's identity this part carries


@dataclass(frozen=True, slots=True)
class NameForm:
    original: str
    latin: str  # parts joined with spaces, legal forms removed
    parts: tuple[Part, ...]
    legal_forms: tuple[str, ...]  # what was removed, as written in LEGAL_FORM_SOURCES
    joined: str = ""  # all folded parts run together: compares "Abdul Aziz" with "Abdulaziz"

    def __post_init__(self) -> None:
        if not self.joined and self.parts:
            object.__setattr__(self, "joined", "".join(p.folded for p in self.parts))


def _strip_legal_forms(tokens: list[str]) -> tuple[int, int, list[str]]:
    """[start, end) of the tokens left once legal forms are removed from both ends, and the forms."""
    forms = legal_forms()
    removed: list[str] = []
    start, end = 0, len(tokens)
    changed = True
    while changed and end - start > 1:
        changed = False
        for size in range(min(_longest_form(), end - start - 1), 0, -1):
            tail, head = tuple(tokens[end - size : end]), tuple(tokens[start : start + size])
            if tail in forms:
                removed.append(forms[tail])
                end -= size
            elif head in forms:
                removed.append(forms[head])
                start += size
            else:
                continue
            changed = True
            break
    return start, end, removed


@lru_cache(maxsize=1)
def legal_words() -> frozenset[str]:
    """Every word of every legal form (company, limited, joint, stock, ooo ...)."""
    return frozenset(w for form in legal_forms() for w in form if len(w) > 1)


MINOR = 0.5  # weight of parts that carry little identity; below 1 they never make a substitution


def part_weight(latin: str, organisation: bool = False) -> float:
    if latin in PARTICLES:
        return MINOR
    if organisation and latin in legal_words():
        # A legal-form word left inside a name ("Fifth Element Trading Limited Liability") says
        # little about which company it is, wherever it stands.
        return 0.3
    if len(latin) == 1:
        return 0.5
    return float(min(len(latin), 8))


def make_part(latin: str, abjad: bool, organisation: bool = False) -> Part:
    folded = fold(latin)
    return Part(latin, folded, skeleton(folded), abjad, part_weight(latin, organisation))


def stored_form(
    original: str, latin: str, folded: str, abjad: int, legal: str, schema: str | None = None
) -> NameForm:
    """A NameForm rebuilt from its stored columns (see models.ScreeningNameRow), without re-normalising."""
    latins, folds = latin.split(), folded.split()
    parts = tuple(
        Part(lat, fol, skeleton(fol), bool(abjad >> i & 1), part_weight(lat, schema != PERSON))
        for i, (lat, fol) in enumerate(zip(latins, folds, strict=True))
    )
    return NameForm(original, latin, parts, tuple(f for f in legal.split("|") if f))


def abjad_mask(form: NameForm) -> int:
    return sum(1 << i for i, p in enumerate(form.parts) if p.abjad)


def prepare_name(text: str, schema: str | None = None) -> NameForm:
    """Prepare a name for matching. `schema` "person" keeps legal-form-looking parts."""
    words = transliterate_tokens(text)
    tokens = [w for w, _ in words]
    removed: list[str] = []
    start, end = 0, len(tokens)
    if schema != PERSON:
        start, end, removed = _strip_legal_forms(tokens)
    parts = tuple(make_part(w, a, schema != PERSON) for w, a in words[start:end])
    return NameForm(text, " ".join(tokens[start:end]), parts, tuple(removed))


def transliterate_tokens(text: str) -> list[tuple[str, bool]]:
    """(ASCII word, came from Persian/Arabic script) for each word of a name."""
    if not is_abjad(text):
        return [(w, False) for w in transliterate(text).split()]
    # Mixed-script names ("شرکت Caspian"): flag word by word so Latin words keep exact comparison.
    flagged: list[tuple[str, bool]] = []
    for raw in text.replace("\u200c", "").split():
        abjad = is_abjad(raw)
        flagged.extend((w, abjad) for w in transliterate(raw).split())
    return flagged


def entry_name_forms(names: Sequence[str], schema: str | None) -> list[tuple[int, NameForm]]:
    """The prepared forms a list entry is filed under: (position of the name, form).

    Azerbaijani and Turkish names are also typed without their letters (Xəzər -> Xezer, Ticarət ->
    Ticaret) on keyboards and in manifests, so that spelling is filed too.
    """
    spellings = list(enumerate(names))
    spellings += [(i, v) for i, n in enumerate(names) if (v := ascii_variant(n)) and v not in names]
    forms = [(i, prepare_name(n, schema)) for i, n in spellings]
    return [(i, f) for i, f in forms if f.parts]
