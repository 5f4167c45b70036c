"""Text normalisation shared by the suggester and the list matchers.

Manifest descriptions are upper-case, abbreviated, mixed English/Russian and full of packaging noise
("IN CARTONS", "НА ПОДДОНАХ", "HS", "PCS"). Normalising once here keeps the matchers comparable:
lower case, ё→е, punctuation to spaces, and Snowball stems so that Russian case endings
("уксусного ангидрида" / "уксусный ангидрид") and English plurals meet.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

_CYRILLIC = re.compile(r"[а-я]")
_TOKEN = re.compile(r"[0-9a-zа-я]+(?:[-'][0-9a-zа-я]+)*")
_EN = snowballstemmer.stemmer("english")
_RU = snowballstemmer.stemmer("russian")
# A snowball stemmer keeps the word being stemmed in the instance: two request threads stemming at
# once corrupt each other (IndexError in find_among_b). Only cache misses take the lock.
_STEM_LOCK = threading.Lock()

# Words that describe packaging, quantities or paperwork, never the goods: they would otherwise pull
# every "... IN CARTONS" description towards chapter 48 (cartons) and every "... PALLETS" to 4415.
_NOISE_WORDS = """
    in on of for and with the a an to from by per as or at x pcs pc pce pkg pkgs pk ctn ctns carton cartons
    box boxes bag bags pallet pallets plt plts drum drums packed packing package packages packs pack
    bulk loose kg kgs kgm ton tons tonnes mt net gross weight qty quantity lot lots set sets unit units
    hs code tariff no nr ref invoice inv po item items container containers shipment stc said contain
    contains contained total approx new used assorted various mixed misc
    в на из для и с со по к от шт упак упаковке упаковка коробках коробки коробка мешках мешки мешок
    поддонах поддоны паллетах паллеты навалом наливом насыпью кг тонн тн вес нетто брутто код тн вэд
    партия количество комплект комплекты новые новый б у бу ассортименте ассортимент прочие разные
    изделия изделий изделие продукция
"""
NOISE: frozenset[str] = frozenset(_NOISE_WORDS.split())


def fold(text: str) -> str:
    """Lower case, ё→е, accents stripped (Latin only), punctuation and symbols to single spaces."""
    text = text.lower().replace("ё", "е")
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop combining marks but keep the Cyrillic short i (й decomposes to и + breve).
    kept = "".join(
        ch for i, ch in enumerate(decomposed) if not unicodedata.combining(ch) or _keeps_mark(decomposed, i)
    )
    text = unicodedata.normalize("NFC", kept)
    return " ".join(_TOKEN.findall(text))


def _keeps_mark(text: str, i: int) -> bool:
    return i > 0 and _CYRILLIC.match(text[i - 1]) is not None


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    if token.isdigit() or len(token) <= 3:
        return token
    stemmer = _RU if _CYRILLIC.search(token) else _EN
    with _STEM_LOCK:
        return str(stemmer.stemWord(token))


def tokens(text: str, *, drop_noise: bool = False) -> list[str]:
    folded = fold(text).split()
    if drop_noise:
        folded = [t for t in folded if t not in NOISE and not _is_quantity(t)]
    return folded


def stems(text: str, *, drop_noise: bool = True) -> list[str]:
    return [stem(t) for t in tokens(text, drop_noise=drop_noise)]


def analyse(text: str) -> str:
    """The text a TF-IDF vectoriser sees: folded, noise dropped, stemmed, space-joined."""
    return " ".join(stems(text))


def is_russian(text: str) -> bool:
    return _CYRILLIC.search(text.lower()) is not None


_QUANTITY = re.compile(r"^\d+(?:[a-zа-я]{0,3})$")


def _is_quantity(token: str) -> bool:
    # "20ft", "99", "1000kg", "40hc" carry no meaning about the goods; CAS numbers keep their hyphens.
    return _QUANTITY.match(token) is not None and "-" not in token
