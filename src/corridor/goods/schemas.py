"""Request bodies of the goods API (responses are the `as_dict()` documents of the domain results)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from corridor.goods.suggest import MAX_DESCRIPTION, MAX_TOP


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(
        min_length=1, max_length=MAX_DESCRIPTION, description="free-text goods description"
    )
    top: int = Field(5, ge=1, le=MAX_TOP)


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    hs_code: str | None = Field(None, description="declared code, national extension allowed")
    top: int = Field(5, ge=1, le=MAX_TOP)
