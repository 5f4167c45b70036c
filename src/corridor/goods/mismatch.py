"""Declared HS code versus description: flag codes that are implausible for what the goods are said to be.

A flag needs three things, so that vague or unusual descriptions do not drown officers in alerts:

1. the description is informative: not a catch-all phrase ("spare parts", "general cargo", "FAK",
   "запчасти") and the best suggestion is confident (score >= `min_confidence`);
2. the declared chapter is not among the chapters of the top `top_k` suggestions (a wrong heading in
   the right chapter is ordinary classification noise, reported as "heading" but not flagged);
3. the description's similarity to the declared heading's own examples is below `max_declared_ratio`
   of the best suggestion: a description that fits the declared heading almost as well is not flagged.

The evidence is the declared code with its description and its score, and the top suggestions with
theirs. The thresholds were tuned on the labelled set (benchmarks/goods_hs_suggest.py prints the
flag rate on correct codes and on codes from another chapter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from corridor.domain.errors import InvalidInput
from corridor.goods.nomenclature import normalise_code
from corridor.goods.suggest import KnnSuggester, Suggestion, check_description, default_suggester
from corridor.goods.text import tokens
from corridor.reference.hs import hs_table

Level = Literal["none", "heading", "chapter"]

VAGUE_PHRASES: frozenset[str] = frozenset(
    {
        "general cargo", "general goods", "fak", "freight all kinds", "personal effects", "spare parts",
        "parts", "various goods", "goods", "samples", "gifts", "household goods", "consolidated cargo",
        "equipment", "materials", "accessories", "products", "merchandise", "cargo", "stc",
        "said to contain", "groupage", "sborny gruz", "сборный груз", "генеральный груз", "запчасти",
        "запасные части", "товары народного потребления", "тнп", "личные вещи", "оборудование",
        "материалы", "образцы", "подарки", "товар", "товары", "груз",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MismatchConfig:
    min_confidence: float = 0.45
    top_k: int = 5
    max_declared_ratio: float = 0.6


@dataclass(frozen=True, slots=True)
class MismatchResult:
    declared: str
    declared_description: str
    declared_score: float
    level: Level  # how far the declared code is from the suggestions
    flagged: bool
    reason: str
    suggestions: list[Suggestion] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "declared": self.declared,
            "declared_description": self.declared_description,
            "declared_score": round(self.declared_score, 4),
            "level": self.level,
            "flagged": self.flagged,
            "reason": self.reason,
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


def is_vague(description: str) -> bool:
    words = tokens(description, drop_noise=True)
    return not words or " ".join(words) in VAGUE_PHRASES or " ".join(tokens(description)) in VAGUE_PHRASES


def check_mismatch(
    description: str,
    declared: str,
    *,
    suggester: KnnSuggester | None = None,
    config: MismatchConfig | None = None,
) -> MismatchResult:
    return check_many([(description, declared)], suggester=suggester, config=config)[0]


def check_many(
    items: list[tuple[str, str]],
    *,
    suggester: KnnSuggester | None = None,
    config: MismatchConfig | None = None,
) -> list[MismatchResult]:
    """Check (description, declared code) pairs in one similarity pass."""
    ranker = suggester or default_suggester()
    cfg = config or MismatchConfig()
    table = hs_table()
    codes = []
    for description, declared in items:
        check_description(description)
        digits = normalise_code(declared)
        if len(digits) < 4:
            raise InvalidInput("the declared code needs at least 4 digits (a heading)", where="hs_code")
        codes.append(digits)
    if not items:
        return []
    sims = ranker.similarities([d for d, _ in items])
    results = []
    for row, ((description, _), digits) in enumerate(zip(items, codes, strict=True)):
        top = ranker.best_of(sims[row], max(cfg.top_k, 5))[: cfg.top_k]
        declared_entry = table.get(digits[:6]) or table.get(digits[:4])
        heading_score = float(ranker.code_scores(sims[row : row + 1], digits[:4])[0])
        best = top[0].score if top else 0.0
        chapters = {s.code[:2] for s in top}
        headings = {s.code[:4] for s in top}
        level: Level = "none"
        if digits[:2] not in chapters:
            level = "chapter"
        elif digits[:4] not in headings:
            level = "heading"
        if is_vague(description):
            flagged, reason = False, "vague description: not compared"
        elif best < cfg.min_confidence:
            flagged, reason = False, f"no confident suggestion (best {best:.2f} < {cfg.min_confidence})"
        elif level != "chapter":
            flagged = False
            reason = "declared chapter is among the suggestions" + (
                "; heading differs" if level == "heading" else ""
            )
        elif heading_score >= cfg.max_declared_ratio * best:
            flagged = False
            reason = f"declared heading fits nearly as well ({heading_score:.2f} vs {best:.2f})"
        else:
            flagged = True
            reason = (
                f"declared chapter {digits[:2]} is not among the top {cfg.top_k} suggestions "
                f"(declared heading {heading_score:.2f} vs best {top[0].code} {best:.2f})"
            )
        results.append(
            MismatchResult(
                declared=digits,
                declared_description=declared_entry.description if declared_entry else "",
                declared_score=heading_score,
                level=level,
                flagged=flagged,
                reason=reason,
                suggestions=top,
            )
        )
    return results
