"""Scoring one screened name against one list entry, with a per-feature explanation.

The score is a weighted sum of small, documented features (the way nomenklatura's matching
algorithms are written), clipped to 0..1:

    score = Σ weight × value      value ∈ [0, 1]; negative weights are penalties

`FEATURES` holds each feature's weight and what it means; the API serves it. Every result lists
every feature that fired with its value, weight and contribution, and the name-part alignment.

Names are compared part by part after transliteration (normalise.py), so order does not matter
("KUZMENKO, Vitaly" = "Vitaly Kuzmenko"). Each query part is paired with its most similar entry
part; the similarity of a pair is 1 for equal spellings, 0.96 for equal phonetic folds
(Huseynov/Guseinov/Гусейнов), and otherwise the RapidFuzz Indel ratio of the folded or plain
spellings stretched so that only close spellings count ((ratio - 0.5) × 2). Short parts get the
same ratio as long ones: "Rza"/"Reza" is 0.86 before stretching (nomenklatura's logic-v2 gives 0.5).

Parts left without a partner cost differently by what they mean:
* both names have unpaired parts -> a substitution ("Caspian **Oil** Trading" vs "Caspian **Gas**
  Trading", "**Viktor** Kuzmenko" vs "**Vitaly** Kuzmenko"): they count 125 % against the score;
* only one side has extra parts -> a dropped middle name or patronymic counts 30 % for a person,
  80 % for a company (an extra word in a company name usually means another company).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from corridor.screening.identifiers import STRONG_ID_SCHEMES as STRONG_SCHEMES
from corridor.screening.normalise import PERSON, NameForm, Part

DEFAULT_THRESHOLD = 0.70  # highest recall with precision >= 0.95 on the dev split of the evaluation set

# feature -> (weight, what it means). Served by GET /screening/features.
FEATURES: dict[str, tuple[float, str]] = {
    "name": (1.0, "similarity of the best-matching entry name, part by part (0..1)"),
    "identifier_match": (
        1.0,
        "an IMO, MMSI, tax, registration, passport, LEI or SWIFT number is the same (1); "
        "a call sign is the same (0.3): identifiers outweigh names",
    ),
    "identifier_conflict": (-0.4, "both sides have an IMO or MMSI number and none is the same"),
    "country_match": (0.03, "a country of the query is a country of the entry"),
    "country_mismatch": (-0.08, "both sides name countries and none is shared"),
    "birth_year_match": (0.03, "a birth year is the same (±1 year)"),
    "birth_year_mismatch": (-0.15, "both sides give birth years more than a year apart"),
    "schema_mismatch": (-0.4, "a person was compared with a company, vessel or aircraft, or the like"),
}

PAIR_MIN = 0.5  # stretched similarity below which two parts are not a pair (raw Indel ratio 0.75)
_EXTRA_COST = {True: 0.3, False: 0.8}
SUBSTITUTION_COST = 1.25  # an unpaired part facing another unpaired part: a different name  # unpaired parts on one side only: person / other
_VALUE_SCHEMES = frozenset({"tax", "registration", "passport", "national_id", "lei", "swift", "other"})
_ORG_LIKE = frozenset({"organization", "company", "legal_entity"})


@dataclass(frozen=True, slots=True)
class Query:
    """What is screened. Identifiers are (scheme, normalised value) pairs; see identifiers.py."""

    name: str
    schema: str | None = None
    countries: frozenset[str] = frozenset()
    birth_years: frozenset[int] = frozenset()
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Candidate:
    """A list entry as the matcher sees it (built by the index from stored, prepared names)."""

    entry_id: int
    list_code: str
    entry_key: str
    schema: str
    caption: str
    content_hash: str
    names: list[NameForm]
    identifiers: tuple[tuple[str, str], ...] = ()
    countries: frozenset[str] = frozenset()
    birth_years: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class PartPair:
    query: str
    entry: str
    similarity: float
    how: str  # exact, phonetic, fuzzy, initial, skeleton, joined

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "entry": self.entry,
            "similarity": round(self.similarity, 3),
            "how": self.how,
        }


@dataclass(frozen=True, slots=True)
class FeatureScore:
    feature: str
    value: float
    weight: float
    detail: str

    @property
    def contribution(self) -> float:
        return self.value * self.weight

    def as_dict(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "value": round(self.value, 3),
            "weight": self.weight,
            "contribution": round(self.contribution, 3),
            "detail": self.detail,
        }


@dataclass(slots=True)
class NameScore:
    score: float
    pairs: list[PartPair] = field(default_factory=list)
    unpaired_query: list[str] = field(default_factory=list)
    unpaired_entry: list[str] = field(default_factory=list)

    def describe(self, matched: str) -> str:
        bits = [f"{p.query}~{p.entry} {p.how} {p.similarity:.2f}" for p in self.pairs]
        if self.unpaired_query:
            bits.append("query only: " + " ".join(self.unpaired_query))
        if self.unpaired_entry:
            bits.append("entry only: " + " ".join(self.unpaired_entry))
        return f"'{matched}': " + "; ".join(bits)


@dataclass(slots=True)
class MatchResult:
    candidate: Candidate
    score: float
    passed: bool
    matched_name: str
    name: NameScore
    features: list[FeatureScore]

    def explanation(self) -> dict[str, object]:
        return {
            "matched_name": self.matched_name,
            "features": [f.as_dict() for f in self.features],
            "name_parts": [p.as_dict() for p in self.name.pairs],
            "unpaired_query": self.name.unpaired_query,
            "unpaired_entry": self.name.unpaired_entry,
        }


_HOW = ("exact", "phonetic", "fuzzy", "initial", "skeleton")
EXACT, PHONETIC, FUZZY, INITIAL, SKELETON = range(5)
FloatMatrix = npt.NDArray[np.float32]
IntMatrix = npt.NDArray[np.int8]


def _stretch(ratio: float) -> float:
    value = (ratio - 0.5) * 2.0
    return 0.0 if value < 0.0 else value


def similarity_matrix(qs: Sequence[Part], es: Sequence[Part]) -> tuple[FloatMatrix, IntMatrix]:
    """Similarity (0..1) of every query part with every entry part, and how it was reached.

    * equal spellings 1 ("exact"); equal phonetic folds 0.96 ("phonetic": Huseynov/Guseinov);
    * an initial against a part: 0.75 when the first letters agree ("initial");
    * else the better RapidFuzz Indel ratio of the folds or spellings, stretched to (r - 0.5) × 2
      ("fuzzy": Rza/Reza 0.86 -> 0.71);
    * a Persian/Arabic part (no short vowels) is also compared by consonant skeleton, a little
      less surely: equal skeletons 0.93, else ratio × 0.95 ("skeleton").

    Computed for all pairs at once in RapidFuzz's C code: the matcher's inner loop.
    """
    ql, el = [p.latin for p in qs], [p.latin for p in es]
    latin = cdist(ql, el, scorer=Indel.normalized_similarity, dtype=np.float32)
    folded = cdist(
        [p.folded for p in qs], [p.folded for p in es], scorer=Indel.normalized_similarity, dtype=np.float32
    )
    raw = np.maximum(latin, folded)
    how = np.full(raw.shape, FUZZY, dtype=np.int8)
    q_abjad = np.array([p.abjad for p in qs])
    e_abjad = np.array([p.abjad for p in es])
    abjad = q_abjad[:, None] | e_abjad[None, :]
    if abjad.any():
        skel = cdist(
            [p.skeleton for p in qs],
            [p.skeleton for p in es],
            scorer=Indel.normalized_similarity,
            dtype=np.float32,
        )
        long_q = np.array([len(p.skeleton) > 1 for p in qs])
        same = np.where(long_q[:, None], 0.965, 0.9).astype(np.float32)  # stretched: 0.93 / 0.8
        skel = np.where(skel >= 1.0, same, skel * 0.95)
        better = abjad & (skel > raw)
        raw = np.where(better, skel, raw)
        how[better] = SKELETON
    sims = np.clip((raw - 0.5) * 2.0, 0.0, 1.0).astype(np.float32)
    phonetic = folded >= 1.0
    sims[phonetic] = 0.96
    how[phonetic] = PHONETIC
    q_short = np.array([len(x) == 1 for x in ql])
    e_short = np.array([len(x) == 1 for x in el])
    short = q_short[:, None] | e_short[None, :]
    if short.any():
        first = np.array([x[0] for x in ql])[:, None] == np.array([x[0] for x in el])[None, :]
        sims[short] = np.where(first[short], 0.75, 0.0)
        how[short] = INITIAL
    exact = latin >= 1.0
    sims[exact] = 1.0
    how[exact] = EXACT
    return sims, how


def part_similarity(a: Part, b: Part) -> tuple[float, str]:
    """How alike two name parts are (0..1) and why (see similarity_matrix)."""
    sims, how = similarity_matrix([a], [b])
    return float(sims[0, 0]), _HOW[int(how[0, 0])]


def compare_names(
    query: NameForm,
    entry: NameForm,
    person: bool,
    matrix: tuple[Sequence[Sequence[float]], Sequence[Sequence[int]]] | None = None,
) -> NameScore:
    """Align the parts of two prepared names and score the alignment (see the module doc).

    `matrix` is the (similarities, how) of query parts × entry parts when the caller computed it
    for many names at once; otherwise it is computed here.
    """
    qs, es = query.parts, entry.parts
    if not qs or not es:
        return NameScore(0.0)
    if query.latin == entry.latin:
        return NameScore(1.0, [PartPair(p.latin, p.latin, 1.0, "exact") for p in qs])
    if matrix is None:
        sims_np, how_np = similarity_matrix(qs, es)
        sims, hows = sims_np.tolist(), how_np.tolist()
    else:
        sims, hows = matrix
    scored: list[tuple[float, float, int, int]] = []
    for i, row in enumerate(sims):
        for j, sim in enumerate(row):
            if sim >= PAIR_MIN:
                scored.append((-sim, -(qs[i].weight + es[j].weight), i, j))
    scored.sort()
    used_q: set[int] = set()
    used_e: set[int] = set()
    pairs: list[PartPair] = []
    num = den = 0.0
    for neg_sim, _, i, j in scored:
        if i in used_q or j in used_e:
            continue
        used_q.add(i)
        used_e.add(j)
        weight = (qs[i].weight + es[j].weight) / 2.0
        num -= neg_sim * weight
        den += weight
        pairs.append(PartPair(qs[i].latin, es[j].latin, -neg_sim, _HOW[hows[i][j]]))
    rest_q = [p for i, p in enumerate(qs) if i not in used_q]
    rest_e = [p for j, p in enumerate(es) if j not in used_e]
    # Only parts that carry identity make a substitution; particles, initials and legal-form
    # words left over cost as extras.
    substitution = any(p.weight >= 1.0 for p in rest_q) and any(p.weight >= 1.0 for p in rest_e)
    extra = _EXTRA_COST[person]
    for p in (*rest_q, *rest_e):
        den += p.weight * (SUBSTITUTION_COST if substitution and p.weight >= 1.0 else extra)
    score = num / den if den else 0.0
    result = NameScore(score, pairs, [p.latin for p in rest_q], [p.latin for p in rest_e])
    if len(qs) != len(es):
        # Parts written together or apart: "Abdulaziz" / "Abdul Aziz", "Interoil" / "Inter Oil".
        joined = Indel.normalized_similarity(query.joined, entry.joined)
        if joined >= 0.9 and _stretch(joined) > score:
            return NameScore(
                _stretch(joined), [PartPair(query.latin, entry.latin, _stretch(joined), "joined")]
            )
    return result


def _schema_clash(query: str | None, entry: str) -> bool:
    if not query or query == "unknown" or entry == "unknown":
        return False
    if query in _ORG_LIKE and entry in _ORG_LIKE:
        return False
    return query != entry


def _identifier_feature(query: Query, cand: Candidate) -> list[FeatureScore]:
    if not query.identifiers or not cand.identifiers:
        return []
    mine = set(query.identifiers)
    values = {v for s, v in query.identifiers if s in _VALUE_SCHEMES and len(v) >= 5}
    best: tuple[float, str] | None = None
    for scheme, value in cand.identifiers:
        hit = (scheme, value) in mine or (scheme in _VALUE_SCHEMES and value in values)
        if not hit:
            continue
        strength = 1.0 if scheme in STRONG_SCHEMES else 0.3
        if best is None or strength > best[0]:
            best = (strength, f"{scheme} {value}")
    if best is not None:
        return [FeatureScore("identifier_match", best[0], FEATURES["identifier_match"][0], best[1])]
    for scheme in ("imo", "mmsi"):
        ours = {v for s, v in query.identifiers if s == scheme}
        theirs = {v for s, v in cand.identifiers if s == scheme}
        if ours and theirs:
            detail = f"{scheme} {', '.join(sorted(ours))} vs {', '.join(sorted(theirs))}"
            return [FeatureScore("identifier_conflict", 1.0, FEATURES["identifier_conflict"][0], detail)]
    return []


def _qualifiers(query: Query, cand: Candidate) -> list[FeatureScore]:
    out: list[FeatureScore] = []
    if query.countries and cand.countries:
        shared = query.countries & cand.countries
        if shared:
            out.append(
                FeatureScore("country_match", 1.0, FEATURES["country_match"][0], ",".join(sorted(shared)))
            )
        else:
            detail = f"{','.join(sorted(query.countries))} vs {','.join(sorted(cand.countries))}"
            out.append(FeatureScore("country_mismatch", 1.0, FEATURES["country_mismatch"][0], detail))
    if query.birth_years and cand.birth_years:
        close = any(abs(a - b) <= 1 for a in query.birth_years for b in cand.birth_years)
        name = "birth_year_match" if close else "birth_year_mismatch"
        detail = f"{sorted(query.birth_years)} vs {sorted(cand.birth_years)}"
        out.append(FeatureScore(name, 1.0, FEATURES[name][0], detail))
    if _schema_clash(query.schema, cand.schema):
        detail = f"{query.schema} vs {cand.schema}"
        out.append(FeatureScore("schema_mismatch", 1.0, FEATURES["schema_mismatch"][0], detail))
    return out


def score_candidate(
    query: Query,
    prepared: NameForm,
    cand: Candidate,
    *,
    names: Sequence[int] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    matrices: Mapping[int, tuple[Sequence[Sequence[float]], Sequence[Sequence[int]]]] | None = None,
) -> MatchResult:
    """Score one entry: the best of its names (or of `names`, indexes chosen by the index).

    `matrices` maps a name index to its precomputed part similarity matrix (ScreeningIndex).
    """
    person = cand.schema == PERSON or query.schema == PERSON
    best = NameScore(-1.0)
    best_name = cand.caption
    for k in names if names is not None else range(len(cand.names)):
        form = cand.names[k]
        result = compare_names(prepared, form, person, matrices.get(k) if matrices else None)
        if result.score > best.score:
            best, best_name = result, form.original
            if result.score >= 1.0:
                break
    best.score = max(best.score, 0.0)
    features = [FeatureScore("name", best.score, FEATURES["name"][0], best.describe(best_name))]
    features += _identifier_feature(query, cand)
    features += _qualifiers(query, cand)
    total = sum(f.contribution for f in features)
    score = min(1.0, max(0.0, total))
    return MatchResult(cand, score, score >= threshold, best_name, best, features)
