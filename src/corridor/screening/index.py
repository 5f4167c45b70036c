"""The candidate index: which few list names are worth scoring for a screened name (blocking).

Scoring a name against every entry would cost tens of milliseconds per name over 25,000+ entries.
Instead every list name is filed under blocking keys computed at import:

* `s:` the consonant skeleton of each part and, for 4+ consonants, each skeleton one consonant
  shorter (so one wrong, missing or extra consonant still shares a key: Kuzmenko/Kusmenko);
  skeletons are script-blind, so Гусейнов, Huseynov and حسین‌اف share `s:hsn`;
* `f:` the whole phonetic fold of short parts, whose skeletons say too little (Ali, Rza);
* `p:` the first four letters of the fold of Latin/Cyrillic parts (vowel typos at the end).

A query reads the postings of its own keys only. Each query part adds to the names it reaches a
weight that grows with the part's length and with how rare its keys are (an IDF), keys shared by
more than `max_df` names are skipped, and only the `max_names` best-weighted names (grouped into
at most `max_candidates` entries) are scored by the matcher. Entries sharing an identifier (IMO,
MMSI, tax number ...) with the query are always scored, whatever their name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from corridor.screening.matcher import (
    DEFAULT_THRESHOLD,
    Candidate,
    MatchResult,
    Query,
    score_candidate,
    similarity_matrix,
)
from corridor.screening.normalise import NameForm, Part, prepare_name
from corridor.screening.phonetic import deletion_keys

IntArray = npt.NDArray[np.int32]
PREFILTER = 0.45  # a name whose parts cannot cover this share of the query is not aligned


def part_keys(part: Part) -> frozenset[str]:
    """The blocking keys of one name part (none for particles and initials)."""
    if part.weight < 1.0:
        return frozenset()
    return _keys(part.skeleton, part.folded, part.abjad)


@lru_cache(maxsize=65536)
def _keys(skel: str, folded: str, abjad: bool) -> frozenset[str]:
    keys: set[str] = set()
    if len(skel) >= 2:
        keys.update("s:" + k for k in deletion_keys(skel) if len(k) >= 2)
    if len(skel) <= 2:
        keys.add("f:" + folded)
    if not abjad and len(folded) >= 4:
        keys.add("p:" + folded[:4])
    return frozenset(keys)


def name_keys(form: NameForm) -> list[str]:
    keys: set[str] = set()
    for part in form.parts:
        keys |= part_keys(part)
    return sorted(keys)


@dataclass(slots=True)
class BlockingStats:
    keys_read: int = 0
    postings_read: int = 0
    names_scored: int = 0
    names_aligned: int = 0
    candidates_scored: int = 0


@dataclass(slots=True)
class Screening:
    """The ranked results for one query and what it cost."""

    results: list[MatchResult]
    stats: BlockingStats = field(default_factory=BlockingStats)


class ScreeningIndex:
    """An immutable in-memory index over list entries; build once per list version."""

    def __init__(
        self,
        candidates: Sequence[Candidate],
        *,
        signature: str = "",
        name_keys_by_entry: Sequence[Sequence[Sequence[str]]] | None = None,
        max_df: float = 0.02,
        max_names: int = 24,
        max_candidates: int = 16,
    ) -> None:
        self.candidates = list(candidates)
        self.signature = signature
        self.max_names = max_names
        self.max_candidates = max_candidates
        owners: list[int] = []
        positions: list[int] = []
        lists: dict[str, list[int]] = {}
        self._by_identifier: dict[tuple[str, str], list[int]] = {}
        self._by_value: dict[str, list[int]] = {}
        for c_idx, cand in enumerate(self.candidates):
            for n_idx, form in enumerate(cand.names):
                name_id = len(owners)
                owners.append(c_idx)
                positions.append(n_idx)
                keys: Iterable[str] = (
                    name_keys_by_entry[c_idx][n_idx] if name_keys_by_entry is not None else name_keys(form)
                )
                for key in keys:
                    lists.setdefault(key, []).append(name_id)
            for scheme, value in cand.identifiers:
                self._by_identifier.setdefault((scheme, value), []).append(c_idx)
                if len(value) >= 5:
                    self._by_value.setdefault(value, []).append(c_idx)
        self._owner = np.asarray(owners, dtype=np.int32)
        self._position = np.asarray(positions, dtype=np.int32)
        self.name_count = len(owners)
        self._max_df = max(50, int(self.name_count * max_df))
        self._postings: dict[str, IntArray] = {
            k: np.unique(np.asarray(v, dtype=np.int32)) for k, v in lists.items()
        }

    def __len__(self) -> int:
        return len(self.candidates)

    def _identifier_hits(self, identifiers: Sequence[tuple[str, str]]) -> set[int]:
        hits: set[int] = set()
        for scheme, value in identifiers:
            hits.update(self._by_identifier.get((scheme, value), ()))
            if scheme not in ("imo", "mmsi", "call_sign") and len(value) >= 5:
                hits.update(self._by_value.get(value, ()))
        return hits

    def block(
        self, form: NameForm, identifiers: Sequence[tuple[str, str]] = (), stats: BlockingStats | None = None
    ) -> dict[int, list[int]]:
        """Candidate entries (index positions) -> which of their names to score."""
        stats = stats if stats is not None else BlockingStats()
        chosen: dict[int, list[int]] = {
            c: list(range(len(self.candidates[c].names))) for c in self._identifier_hits(identifiers)
        }
        arrays: list[IntArray] = []
        weights: list[float] = []
        for part in form.parts:
            postings = []
            for key in part_keys(part):
                posting = self._postings.get(key)
                stats.keys_read += 1
                if posting is not None and len(posting) <= self._max_df:
                    postings.append(posting)
            # Each key adds its share of the part's weight, scaled by how rare the key is: a name
            # sharing several keys of a part (several spellings agree) collects more of it.
            for posting in postings:
                arrays.append(posting)
                weights.append(part.weight / len(postings) * math.log1p(self.name_count / len(posting)))
                stats.postings_read += len(posting)
        if arrays:
            reached = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
            touched, inverse = np.unique(reached, return_inverse=True)
            per_hit = np.repeat(np.asarray(weights, dtype=np.float64), [len(a) for a in arrays])
            found = np.bincount(inverse, weights=per_hit, minlength=len(touched))
            if len(touched) > self.max_names:
                top = np.argpartition(-found, self.max_names)[: self.max_names]
                touched, found = touched[top], found[top]
            order = touched[np.argsort(-found, kind="stable")]
            for name_id in order.tolist():
                c_idx = int(self._owner[name_id])
                if c_idx in chosen:
                    pos = int(self._position[name_id])
                    if pos not in chosen[c_idx]:
                        chosen[c_idx].append(pos)
                    continue
                if len(chosen) >= self.max_candidates + len(identifiers):
                    break
                chosen[c_idx] = [int(self._position[name_id])]
        stats.candidates_scored = len(chosen)
        stats.names_scored = sum(len(v) for v in chosen.values())
        return chosen

    def screen(
        self,
        query: Query,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
        min_score: float = 0.5,
        prepared: NameForm | None = None,
    ) -> Screening:
        """Ranked matches of one query with score ≥ min_score, best first, at most `limit`."""
        form = prepared if prepared is not None else prepare_name(query.name, query.schema)
        stats = BlockingStats()
        chosen = self.block(form, query.identifiers, stats)
        results: list[MatchResult] = []
        if not chosen:
            return Screening(results, stats)
        # One similarity matrix for the query against every part of every chosen name.
        columns: list[Part] = []
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        for c_idx, names in chosen.items():
            for n_idx in names:
                parts = self.candidates[c_idx].names[n_idx].parts
                spans[(c_idx, n_idx)] = (len(columns), len(columns) + len(parts))
                columns.extend(parts)
        sims_rows: list[list[float]] = []
        how_rows: list[list[int]] = []
        if form.parts and columns:
            sims, how = similarity_matrix(form.parts, columns)
            sims_rows, how_rows = sims.tolist(), how.tolist()
        bounds: list[float] = []
        joined_sims: list[float] = []
        if sims_rows:
            # Cheap upper bound per name (the weighted share of query parts that find any partner),
            # and the run-together comparison: names failing both are not aligned at all.
            starts = np.asarray([spans[k][0] for k in spans], dtype=np.intp)
            best = np.maximum.reduceat(sims, starts, axis=1)
            weights = np.asarray([p.weight for p in form.parts], dtype=np.float32)
            bounds = ((weights[:, None] * best).sum(axis=0) / weights.sum()).tolist()
            joined_sims = cdist(
                [form.joined],
                [self.candidates[c].names[n].joined for c, n in spans],
                scorer=Indel.normalized_similarity,
            )[0].tolist()
        forced = self._identifier_hits(query.identifiers) if query.identifiers else set()
        slot = 0
        for c_idx, names in chosen.items():
            matrices = {}
            keep: list[int] = []
            for n_idx in names:
                lo, hi = spans[(c_idx, n_idx)]
                if sims_rows and c_idx not in forced and bounds[slot] < PREFILTER and joined_sims[slot] < 0.9:
                    slot += 1
                    continue
                slot += 1
                keep.append(n_idx)
                if sims_rows:
                    matrices[n_idx] = ([r[lo:hi] for r in sims_rows], [r[lo:hi] for r in how_rows])
            if not keep:
                continue
            stats.names_aligned += len(keep)
            result = score_candidate(
                query, form, self.candidates[c_idx], names=keep, threshold=threshold, matrices=matrices
            )
            if result.score >= min_score:
                results.append(result)
        results.sort(key=lambda r: (-r.score, r.candidate.entry_id))
        return Screening(results[:limit], stats)
