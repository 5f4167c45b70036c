"""HTTP: HS look-up and search, suggestion, and the goods check.

These endpoints expose reference data and pure computations on the text sent, never stored
consignments, so like /reference/* they need no user.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from corridor.goods.check import check_goods
from corridor.goods.nomenclature import lookup, search
from corridor.goods.schemas import CheckRequest, SuggestRequest
from corridor.goods.suggest import suggest

router = APIRouter(prefix="/goods", tags=["goods"])


@router.get("/hs", summary="Search the HS 2022 nomenclature by words")
def hs_search(
    q: Annotated[str, Query(min_length=1, max_length=200, description="words, e.g. 'ball bearings'")],
    level: Annotated[int | None, Query(description="2, 4 or 6 to search one level only")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    return {"query": q, "items": [h.as_dict() for h in search(q, limit=limit, level=level)]}


@router.get("/hs/{code}", summary="HS 2022 look-up with its path; national extensions kept")
def hs_lookup(code: str) -> dict[str, object]:
    return lookup(code).as_dict()


@router.post("/suggest", summary="Rank likely HS codes for a goods description")
def hs_suggest(body: SuggestRequest) -> dict[str, Any]:
    return {
        "description": body.description,
        "suggestions": [s.as_dict() for s in suggest(body.description, body.top)],
    }


@router.post("/check", summary="Declared-code mismatch, precursor and strategic-goods matches, with evidence")
def goods_check(body: CheckRequest) -> dict[str, object]:
    return check_goods(body.description, body.hs_code, top=body.top).as_dict()
