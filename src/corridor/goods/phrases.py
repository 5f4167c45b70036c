"""Typo-tolerant phrase matching of list names (substances, goods) inside free-text descriptions.

A phrase matches a window of the same number of words in the description when their edit distance
is within a budget that grows with the phrase length: abbreviations (4 letters or fewer, "P2P",
"MEK", "GBL") must match exactly, since one edit turns them into other words; longer names allow one
edit per six letters, at most three ("acetic anhidride", "pseudoefedrine"). Every phrase is compared
twice, as written and stemmed, so that Russian case endings ("уксусного ангидрида" for "уксусный
ангидрид") cost nothing. Hyphens are removed on both sides ("P-2-P" = "P2P", "4-ANPP" = "4ANPP").

Comparisons run in RapidFuzz's C distance matrix (cdist), one per phrase length, not per pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from corridor.goods.text import fold, stem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PhraseHit(Generic[T]):
    item: T
    phrase: str  # the list's own wording
    found: str  # the words of the description that matched
    distance: int
    abbreviation: bool


def _words(text: str) -> list[str]:
    return [w.replace("-", "").replace("'", "") for w in fold(text).split()]


def budget(phrase: str) -> int:
    letters = len(phrase.replace(" ", ""))
    if letters <= 4:
        return 0
    return min(3, max(1, letters // 6))


@dataclass(frozen=True, slots=True)
class _Phrase(Generic[T]):
    item: T
    original: str
    plain: str
    stemmed: str
    size: int
    allowed: int


class PhraseMatcher(Generic[T]):
    def __init__(self, phrases: Iterable[tuple[str, T]]) -> None:
        self._by_size: dict[int, list[_Phrase[T]]] = {}
        seen: set[tuple[str, int]] = set()
        for original, item in phrases:
            words = _words(original)
            if not words:
                continue
            plain = " ".join(words)
            key = (plain, id(item))
            if key in seen:
                continue
            seen.add(key)
            stemmed = " ".join(stem(w) for w in words)
            entry = _Phrase(item, original, plain, stemmed, len(words), budget(plain))
            self._by_size.setdefault(len(words), []).append(entry)

    def find(self, text: str) -> list[PhraseHit[T]]:
        words = _words(text)
        stems_ = [stem(w) for w in words]
        hits: list[PhraseHit[T]] = []
        for size, phrases in self._by_size.items():
            if size > len(words):
                continue
            plain_windows = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
            stem_windows = [" ".join(stems_[i : i + size]) for i in range(len(words) - size + 1)]
            allowed = np.array([p.allowed for p in phrases])
            by_plain = cdist(plain_windows, [p.plain for p in phrases], scorer=Levenshtein.distance)
            by_stem = cdist(stem_windows, [p.stemmed for p in phrases], scorer=Levenshtein.distance)
            # Stems only count for phrases long enough to have an ending worth dropping.
            stem_ok = np.array([p.allowed > 0 for p in phrases])
            best = np.where(stem_ok[None, :], np.minimum(by_plain, by_stem), by_plain)
            rows, cols = np.nonzero(best <= allowed[None, :])
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                p = phrases[c]
                if not _short_words_exact(p.plain, plain_windows[r]):
                    continue
                hits.append(PhraseHit(p.item, p.original, plain_windows[r], int(best[r, c]), p.allowed == 0))
        hits.sort(key=lambda h: (h.distance, -len(h.phrase)))
        return hits


def _short_words_exact(phrase: str, window: str) -> bool:
    # Inside a longer phrase a short word is still a code: "BMK glycidate" is one edit from
    # "PMK glycidate" but another substance.
    return all(a == b for a, b in zip(phrase.split(), window.split(), strict=True) if len(a) <= 4)


def best_per_item(hits: Sequence[PhraseHit[T]]) -> list[PhraseHit[T]]:
    """The closest hit of each item, closest first."""
    found: dict[int, PhraseHit[T]] = {}
    for hit in hits:
        found.setdefault(id(hit.item), hit)
    return list(found.values())
