"""Transliteration of names into one lower-case ASCII Latin form, whatever script they came in.

Names on the Caspian corridors arrive in Azerbaijani Latin, Russian (and other) Cyrillic,
Persian/Arabic script, Greek (EU list translations) and English transliterations of all of those.
The matcher compares names in one space, so every name is first turned into plain Latin here:

* Cyrillic follows the usual English (BGN/PCGN-like) conventions: Гусейнов -> guseynov.
* Azerbaijani Latin letters become their English spelling: ş -> sh, ç -> ch, ğ -> gh, ə -> a, ı -> i.
  When a word shows Azerbaijani or Turkish letters, c (= "j" sound) becomes j, and with ə also
  x -> kh and q -> g, because that is how those names are written in English and Russian
  (Cəfərov -> jafarov, Xəlilov -> khalilov).
* Persian and Arabic script carries no short vowels, so the result is a consonant-heavy spelling
  (محمد -> mhmd). Words from that script are flagged ("abjad") so that the matcher compares them
  by consonant skeleton rather than letter by letter.

This module is pure and fast: one translate table per script plus a few word-level rules.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian and Belarusian
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
    # Azerbaijani, Kazakh, Uzbek and Tajik Cyrillic
    "ә": "a", "ғ": "gh", "ҹ": "j", "һ": "h", "ј": "y", "ү": "u", "ө": "o", "қ": "q", "ң": "ng",
    "ұ": "u", "ӯ": "u", "ҳ": "h", "ҷ": "j", "ӣ": "i",
}  # fmt: skip

_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip

# Persian and Arabic letters. Long vowels are kept as vowels (و -> u, ی -> i) except at the start
# of a word, where they are consonants (v, y); short vowels are not written and so do not appear.
_ABJAD = {
    "ا": "a", "آ": "a", "أ": "a", "إ": "i", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b",
    "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh", "د": "d", "ذ": "z",
    "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "ص": "s", "ض": "z", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ک": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m",
    "ن": "n", "و": "u", "ه": "h", "ة": "h", "ی": "i", "ي": "i", "ى": "a", "ۀ": "h", "ھ": "h",
    "\u0640": "",  # tatweel (letter stretching)
}  # fmt: skip
_ABJAD_INITIAL = {"و": "v", "ی": "y", "ي": "y"}

# Latin letters with a conventional English spelling (beyond plain accent stripping).
_LATIN = {
    "ə": "a", "ş": "sh", "ç": "ch", "ğ": "gh", "ı": "i", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe",
    "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ħ": "h",
}  # fmt: skip

_AZ_MARKERS = frozenset("əƏ")
_TURKIC_MARKERS = frozenset("şŞğĞıİçÇəƏ")
_CYR_TABLE = str.maketrans(_CYRILLIC)
_GREEK_TABLE = str.maketrans(_GREEK)
_LATIN_TABLE = str.maketrans(_LATIN)
_ABJAD_RANGE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_ABJAD_MARKS = re.compile(r"[\u064b-\u065f\u0670\u06d6-\u06ed]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def is_abjad(text: str) -> bool:
    """True when the text contains Persian/Arabic letters."""
    return _ABJAD_RANGE.search(text) is not None


def _abjad_word(word: str) -> str:
    word = _ABJAD_MARKS.sub("", word)
    if not word:
        return ""
    head = _ABJAD_INITIAL.get(word[0], _ABJAD.get(word[0], word[0]))
    return head + "".join(_ABJAD.get(ch, ch) for ch in word[1:])


def _latin_word(word: str) -> str:
    """One lower-case word in any Latin, Cyrillic or Greek spelling -> ASCII."""
    turkic = any(ch in _TURKIC_MARKERS for ch in word)
    azeri = any(ch in _AZ_MARKERS for ch in word)
    # Cyrillic first (й must not lose its breve to the accent stripping), then the Latin letters
    # with an English spelling (ş is s + cedilla after decomposition), then accents, then Greek
    # (whose accented vowels only match the table once the accents are gone).
    word = word.translate(_CYR_TABLE)
    if turkic:
        word = word.replace("c", "j")
    if azeri:
        word = word.replace("x", "kh").replace("q", "g")
    word = word.translate(_LATIN_TABLE)
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_GREEK_TABLE)


@lru_cache(maxsize=65536)
def transliterate_word(word: str) -> str:
    """A lower-case word -> ASCII letters and digits only (may be empty)."""
    if is_abjad(word):
        return _NON_ALNUM.sub("", _abjad_word(word))
    return _NON_ALNUM.sub("", _latin_word(word))


def transliterate(text: str) -> str:
    """Any name -> lower-case ASCII words separated by single spaces.

    Zero-width non-joiners (Persian compound names, حسین‌اف) join their parts; every other
    non-letter separates words.
    """
    # Turkish dotted capital I lower-cases to i + combining dot, which would split the word.
    text = unicodedata.normalize("NFKC", text).replace("\u200c", "").replace("\u200d", "")
    text = text.replace("İ", "i").lower()
    words = (transliterate_word(w) for w in re.split(r"[^\w]+|_", text) if w)
    return " ".join(w for w in words if w)


_ASCII_TYPING = str.maketrans({"ə": "e", "Ə": "E", "ı": "i", "İ": "I"})


def ascii_variant(text: str) -> str | None:
    """How a name with Azerbaijani/Turkish letters is typed on a plain keyboard, or None.

    ş -> s, ç -> c, ğ -> g, ə -> e, ı -> i, ö -> o, ü -> u, and x, q, c kept: "Xəzər Qaz Ticarət"
    -> "Xezer Qaz Ticaret". transliterate() gives the English spelling (Khazar Gaz Tijarat); lists
    and manifests use both, so importers file both.
    """
    if not any(ch in _TURKIC_MARKERS for ch in text):
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_TYPING))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
