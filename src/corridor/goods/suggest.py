"""HS suggestion: rank likely HS codes for a free-text goods description.

All suggesters here rank by nearest neighbours over labelled examples (examples.py): the
description is compared with every example, examples are ordered by similarity and the first
example of each code gives that code its score. They differ only in how texts become vectors:

- `TfidfBaseline`: word TF-IDF over the official HS descriptions only. The named baseline of the
  benchmark; it knows no Russian and no trade jargon.
- `GoodsSuggester` (the default, built here at first use, about a second): character n-grams
  (3-5, robust to typos, abbreviations and Russian case endings) plus stemmed word uni- and bigrams,
  over the HS descriptions and the curated keyword table, plus a containment bonus when every word of
  a keyword appears in the description, so "запчасти для грузовых автомобилей" (parts, 8708) beats
  "грузовые автомобили" (trucks, 8704) although both are close in n-grams.
- `EmbeddingSuggester` (goods/embeddings.py, optional extra): a sentence-embedding model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from corridor.domain.errors import InvalidInput
from corridor.goods.examples import Example, examples
from corridor.goods.text import analyse, fold, stems
from corridor.reference.hs import hs_table

MAX_DESCRIPTION = 2000
MAX_TOP = 50


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str
    description: str
    score: float
    evidence: str  # the example that gave the code its score

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "description": self.description,
            "score": round(self.score, 4),
            "evidence": self.evidence,
        }


def check_description(text: str) -> str:
    """A description worth ranking, or InvalidInput saying why not."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the goods description is empty", where="description")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"the goods description is longer than {MAX_DESCRIPTION} characters", where="description"
        )
    if not fold(text):
        raise InvalidInput("the goods description has no letters or digits", where="description")
    return text


class KnnSuggester(ABC):
    """Ranks the codes of labelled examples by the similarity of their nearest example."""

    name = "knn"

    def __init__(self, items: Sequence[Example]) -> None:
        if not items:
            raise ValueError("a suggester needs examples")
        self.examples = tuple(items)
        self._codes = np.array([e.code for e in self.examples])
        table = hs_table()
        self._titles = {e.code: table[e.code].description for e in self.examples if e.code in table}

    @abstractmethod
    def similarities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Similarity of each text (rows) with each example (columns)."""

    def rank(self, texts: Sequence[str], top: int = 5) -> list[list[Suggestion]]:
        if not 1 <= top <= MAX_TOP:
            raise InvalidInput(f"top must be between 1 and {MAX_TOP}", where="top")
        for text in texts:
            check_description(text)
        if not texts:
            return []
        sims = self.similarities(texts)
        return [self._best(row, top) for row in sims]

    def suggest(self, text: str, top: int = 5) -> list[Suggestion]:
        return self.rank([text], top)[0]

    def code_scores(self, sims: NDArray[np.float64], prefix: str) -> NDArray[np.float64]:
        """Best similarity per text among the examples whose code starts with `prefix`."""
        mask = np.char.startswith(self._codes, prefix)
        if not mask.any():
            return np.zeros(sims.shape[0])
        return np.asarray(sims[:, mask].max(axis=1), dtype=np.float64)

    def best_of(self, row: NDArray[np.float64], top: int) -> list[Suggestion]:
        return self._best(row, top)

    def _best(self, row: NDArray[np.float64], top: int) -> list[Suggestion]:
        # Enough candidates that `top` distinct codes survive de-duplication in nearly every case.
        k = min(len(row), max(top * 8, 40))
        candidates = np.argpartition(-row, k - 1)[:k]
        order = candidates[np.argsort(-row[candidates], kind="stable")]
        found: list[Suggestion] = []
        seen: set[str] = set()
        for i in order:
            code = str(self._codes[i])
            if code in seen:
                continue
            seen.add(code)
            example = self.examples[i]
            evidence = (
                f"{example.source}: {example.text}" if example.source == "keyword" else "HS description"
            )
            found.append(Suggestion(code, self._titles.get(code, ""), float(max(row[i], 0.0)), evidence))
            if len(found) == top:
                break
        return found


class TfidfBaseline(KnnSuggester):
    """Word TF-IDF over the official HS descriptions only: the benchmark's named baseline."""

    name = "tfidf-baseline"

    def __init__(self, items: Sequence[Example] | None = None) -> None:
        super().__init__(items if items is not None else examples(with_keywords=False))
        self._vec = TfidfVectorizer(lowercase=True, sublinear_tf=True)
        self._matrix = self._vec.fit_transform([e.text for e in self.examples])

    def similarities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return np.asarray((self._vec.transform(list(texts)) @ self._matrix.T).toarray(), dtype=np.float64)


class GoodsSuggester(KnnSuggester):
    """Character and stemmed-word TF-IDF over HS descriptions and keywords, with a keyword bonus."""

    name = "goods-tfidf-knn"
    # Weights of the two views; characters carry typos and Russian morphology, words carry meaning.
    char_weight = 0.6
    word_weight = 0.4
    # Added when all words of a keyword example occur in the description, more for longer keywords.
    containment_bonus = 0.25

    def __init__(self, items: Sequence[Example] | None = None) -> None:
        super().__init__(items if items is not None else examples(with_keywords=True))
        texts = [analyse(e.text) for e in self.examples]
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"
        )
        self._matrix = self._features(texts, fit=True)
        # Inverted index from a stem to the keyword examples containing it, for the containment bonus.
        self._keyword_stems: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = {}
        for i, e in enumerate(self.examples):
            words = frozenset(stems(e.text)) if e.source == "keyword" else frozenset()
            self._keyword_stems.append(words)
            for w in words:
                self._postings.setdefault(w, []).append(i)

    def _features(self, analysed: list[str], *, fit: bool = False) -> sp.csr_matrix:
        if fit:
            chars = self._chars.fit_transform(analysed)
            words = self._words.fit_transform(analysed)
        else:
            chars = self._chars.transform(analysed)
            words = self._words.transform(analysed)
        joined = sp.hstack([chars * np.sqrt(self.char_weight), words * np.sqrt(self.word_weight)]).tocsr()
        return sp.csr_matrix(normalize(joined))

    def similarities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        analysed = [analyse(t) for t in texts]
        sims = np.asarray((self._features(analysed) @ self._matrix.T).toarray(), dtype=np.float64)
        for row, text in enumerate(analysed):
            words = set(text.split())
            for i in {i for w in words for i in self._postings.get(w, ())}:
                needed = self._keyword_stems[i]
                if needed <= words:
                    sims[row, i] += self.containment_bonus * (1.0 + 0.2 * (len(needed) - 1))
        return sims


@lru_cache(maxsize=1)
def default_suggester() -> GoodsSuggester:
    return GoodsSuggester()


def suggest(text: str, top: int = 5) -> list[Suggestion]:
    """Rank likely HS codes for a goods description with the default suggester."""
    return default_suggester().suggest(text, top)
