"""Phonetic keys for name parts that are already plain ASCII Latin (see translit.py).

Generic phonetic algorithms (Soundex, Metaphone) are built for English surnames. The spellings
that differ on our corridors differ in known ways, so the folding below encodes exactly those:

* Russian writes Azerbaijani/Arabic "h" as Г (Гусейнов = Huseynov = Guseinov), Azerbaijani q is
  Russian Г and English G or Q (Quliyev, Гулиев, Guliyev), kh/gh/x are one sound family:
  q, gh -> g, kh -> h, and then g -> h.
* o/u are one vowel in Persian and Arabic transliteration (Mohammad/Muhammad, Yusuf/Yosef),
  ou/oo -> u.
* y/j/i as a glide are spelling noise (Aliyev/Aliev/Alijev, Huseynov/Huseinov): ey, ei, iy, yi, y -> i.
* dzh/dj/zh -> j (Джафаров = Dzhafarov = Jafarov = Cəfərov), sh -> x, ch -> c after c -> k/s,
  ph -> f, th -> t, w -> v, final vowel + h dropped (Abdullah = Abdulla).
* doubled letters collapse (Mammadov = Mamadov, Hussein = Husein).

`fold` keeps vowels, so Hasanov and Huseynov stay apart (hasanov / husinov). `skeleton` drops
vowels and glides as well; it is the only way to compare with Persian/Arabic script, which does
not write short vowels, and it is the blocking key of the candidate index.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"x", "ks"),
        (r"dzh|dj|zh", "j"),
        (r"sch|sh", "\x01"),
        (r"tch|ch", "\x02"),
        (r"c(?=[eiy])", "s"),
        (r"ck|c", "k"),
        (r"\x01", "x"),
        (r"\x02", "c"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"kh", "h"),
        (r"gh|q", "g"),
        (r"g", "h"),
        (r"w", "v"),
        (r"tz|ts", "s"),
        (r"ou|oo|o", "u"),
        (r"ee", "i"),
        (r"ey|ei|ej|iy|yi|ij|y", "i"),
        (r"(.)\1+", r"\1"),
        (r"(?<=[aeiou])h$", ""),
    )
)
_VOWELS = re.compile(r"[aeiouyvw]")
_FINAL_F = re.compile(r"f$")
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=131072)
def fold(part: str) -> str:
    """Phonetic spelling of one ASCII name part; equal folds mean "sounds the same"."""
    out = part
    for pattern, repl in _STEPS:
        out = pattern.sub(repl, out)
    return out or part


@lru_cache(maxsize=131072)
def skeleton(folded: str) -> str:
    """Consonants of a folded part, vowels and v/w glides removed, a final f as v (اف = -ov)."""
    core = _VOWELS.sub("", _FINAL_F.sub("v", folded))
    return _DOUBLES.sub(r"\1", core)


def deletion_keys(skel: str) -> set[str]:
    """The skeleton and, for skeletons of 4+ consonants, every skeleton one consonant shorter.

    Two spellings that differ by one consonant (a typo, an inserted or dropped letter) share at
    least one of these keys, which is what lets the index find them without a full scan.
    """
    keys = {skel}
    if len(skel) >= 4:
        keys.update(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
    return keys
