"""The risk engine's WatchlistLookup, answered by the screening matcher.

    from corridor.screening.adapter import screening_watchlist
    engine_ctx = ...(watchlist=screening_watchlist(engine))   # corridor.risk.engine

The risk engine asks once per batch for every distinct party (name + party key, which is
"SCHEME:VALUE" when the party has an identifier) and vessel (name + IMO). Each query is screened
against the lists in force; matches at or above the threshold that an analyst has not cleared as
false positives come back as WatchMatch(ref, list code, score, entry caption).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from corridor.db.engine import unit_of_work
from corridor.risk.watchlist import WatchMatch, WatchQuery
from corridor.screening.identifiers import identifier
from corridor.screening.index import ScreeningIndex
from corridor.screening.matcher import DEFAULT_THRESHOLD, Query
from corridor.screening.service import decisions_for, get_index, suppressed
from corridor.screening.subjects import subject_key


def _query(q: WatchQuery) -> Query:
    pairs: list[tuple[str, str]] = []
    for raw in q.identifiers:
        if q.kind == "vessel" and raw.isdigit() and len(raw) == 7:
            pair = identifier("imo", raw)
        elif ":" in raw:
            scheme, _, value = raw.partition(":")
            pair = identifier(scheme, value)
        else:
            pair = None  # a party key that is the party's name: the name is screened anyway
        if pair:
            pairs.append(pair)
    return Query(name=q.name or "", schema="vessel" if q.kind == "vessel" else None, identifiers=tuple(pairs))


class ScreeningWatchlist:
    """WatchlistLookup over a ScreeningIndex, honouring analysts' false-positive decisions."""

    def __init__(self, engine: Engine, index: ScreeningIndex, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.engine = engine
        self.index = index
        self.threshold = threshold

    def lookup(self, queries: Sequence[WatchQuery]) -> list[WatchMatch]:
        found: list[tuple[WatchQuery, str, list[tuple[int, str, float, str, str]]]] = []
        hashes: dict[int, str] = {}
        for q in queries:
            query = _query(q)
            if not query.name and not query.identifiers:
                continue
            results = self.index.screen(query, threshold=self.threshold, limit=5).results
            hits = [
                (
                    r.candidate.entry_id,
                    r.candidate.list_code,
                    r.score,
                    r.candidate.caption,
                    r.candidate.content_hash,
                )
                for r in results
                if r.passed
            ]
            for entry_id, _, _, _, digest in hits:
                hashes[entry_id] = digest
            if hits:
                found.append((q, subject_key(query.name, query.identifiers), hits))
        if not found:
            return []
        with unit_of_work(self.engine) as session:
            decisions = decisions_for(session, (key for _, key, _ in found), hashes)
        matches: list[WatchMatch] = []
        for q, key, hits in found:
            for entry_id, list_code, score, caption, _ in hits:
                if not suppressed(decisions.get((key, entry_id))):
                    matches.append(WatchMatch(q.ref, list_code, round(score, 4), caption))
        return matches


def screening_watchlist(engine: Engine, threshold: float = DEFAULT_THRESHOLD) -> ScreeningWatchlist:
    """The lookup to hand to the risk engine; it uses the index of the list versions in force."""
    return ScreeningWatchlist(engine, get_index(engine), threshold)
