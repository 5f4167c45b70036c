"""One goods item checked at once: suggestions, declared-code mismatch, precursor and strategic matches."""

from __future__ import annotations

from dataclasses import dataclass

from corridor.goods.mismatch import MismatchResult, check_mismatch
from corridor.goods.nomenclature import lookup
from corridor.goods.precursors import PrecursorMatch, match_precursors
from corridor.goods.strategic import StrategicMatch, match_strategic
from corridor.goods.suggest import Suggestion, check_description, suggest


@dataclass(frozen=True, slots=True)
class GoodsCheck:
    description: str
    hs_code: str | None
    suggestions: list[Suggestion]
    mismatch: MismatchResult | None
    precursors: list[PrecursorMatch]
    strategic: list[StrategicMatch]

    @property
    def flags(self) -> list[str]:
        found = []
        if self.mismatch and self.mismatch.flagged:
            found.append("hs_mismatch")
        if self.precursors:
            found.append("precursor")
        if self.strategic:
            found.append("strategic")
        return found

    def as_dict(self) -> dict[str, object]:
        return {
            "description": self.description,
            "hs_code": self.hs_code,
            "flags": self.flags,
            "suggestions": [s.as_dict() for s in self.suggestions],
            "mismatch": self.mismatch.as_dict() if self.mismatch else None,
            "precursors": [m.as_dict() for m in self.precursors],
            "strategic": [m.as_dict() for m in self.strategic],
        }


def check_goods(description: str, hs_code: str | None = None, *, top: int = 5) -> GoodsCheck:
    check_description(description)
    declared = None
    mismatch = None
    if hs_code:
        declared = lookup(hs_code).code  # validates the code; NotFound / InvalidInput otherwise
        mismatch = check_mismatch(description, declared)
    return GoodsCheck(
        description=description,
        hs_code=declared,
        suggestions=mismatch.suggestions[:top]
        if mismatch and top <= len(mismatch.suggestions)
        else suggest(description, top),
        mismatch=mismatch,
        precursors=match_precursors(description, declared),
        strategic=match_strategic(description, declared),
    )
