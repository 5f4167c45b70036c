"""Watch-list look-ups for parties and vessels, asked once per batch for all distinct names and ids.

The risk engine depends only on the `WatchlistLookup` protocol. The default implementation matches
normalised names and identifiers exactly against the shared named lists of kind `parties` and
`vessels`; the screening package plugs its fuzzy, transliterating matcher in through the same
protocol without the engine changing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

EntityKind = Literal["party", "vessel"]


@dataclass(frozen=True, slots=True)
class WatchQuery:
    """One distinct party or vessel of a batch. `ref` is the caller's handle, returned in matches."""

    ref: int
    kind: EntityKind
    name: str | None
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WatchMatch:
    ref: int
    list_name: str
    score: float  # 0..1; 1 is an exact match on an identifier or a normalised name
    matched: str  # the watch-list entry that matched


class WatchlistLookup(Protocol):
    def lookup(self, queries: Sequence[WatchQuery]) -> list[WatchMatch]:
        """Every match of every query (a query may match several lists)."""
        ...


_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """Upper-case, accents stripped, punctuation and repeated spaces removed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_PUNCT.sub(" ", text).upper().split())


class NamedListWatchlist:
    """Exact matching of normalised names, identifiers and IMO numbers against named lists.

    `lists` maps a list name to its kind ("parties" or "vessels") and its entries. An entry is a
    name, an identifier written SCHEME:VALUE (as party keys are), or, for vessels, an IMO number.
    """

    def __init__(self, lists: Mapping[str, tuple[str, Iterable[str]]]) -> None:
        self._index: dict[tuple[EntityKind, str], list[tuple[str, str]]] = {}
        for list_name, (kind, entries) in lists.items():
            entity: EntityKind | None = {"parties": "party", "vessels": "vessel"}.get(kind)  # type: ignore[assignment]
            if entity is None:
                continue
            for entry in entries:
                for token in {normalise_name(entry), entry.strip().upper()}:
                    if token:
                        self._index.setdefault((entity, token), []).append((list_name, entry))

    def __bool__(self) -> bool:
        return bool(self._index)

    def lookup(self, queries: Sequence[WatchQuery]) -> list[WatchMatch]:
        matches: list[WatchMatch] = []
        for q in queries:
            tokens = [i.strip().upper() for i in q.identifiers if i]
            if q.name:
                tokens.append(normalise_name(q.name))
            seen: set[str] = set()
            for token in tokens:
                for list_name, entry in self._index.get((q.kind, token), ()):
                    if list_name not in seen:
                        seen.add(list_name)
                        matches.append(WatchMatch(q.ref, list_name, 1.0, entry))
        return matches


class CombinedWatchlist:
    """The named lists (exact) and the screening package's matcher (fuzzy, across scripts) together.

    The screening index is fetched at each look-up, so a list imported or updated after the risk
    context was built is used at once; analysts' false-positive decisions are honoured by it.
    """

    def __init__(self, named: NamedListWatchlist, screening: Callable[[], WatchlistLookup | None]) -> None:
        self.named = named
        self.screening = screening

    def lookup(self, queries: Sequence[WatchQuery]) -> list[WatchMatch]:
        found = self.named.lookup(queries) if self.named else []
        fuzzy = self.screening()
        if fuzzy is not None:
            found += fuzzy.lookup(queries)
        return found
