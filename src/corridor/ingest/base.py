"""The contract every reader follows: a stream of parsed consignments and rejections, never an exception.

A reader turns one file into an iterator of `Parsed` (a consignment and where it came from) and
`Rejection` (what could not be read, where, and why). It streams: it must not hold the whole file
in memory when the format allows streaming. A broken record yields a Rejection and the reader goes on
with the next record; only an unreadable file as a whole yields a single Rejection at location "file".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from corridor.domain.consignment import Consignment


@dataclass(slots=True)
class Rejection:
    file: str
    location: str = field(metadata={"doc": "line 12, row 5, segment 7 (NAD), /Waybill/MasterConsignment"})
    field: str | None
    reason: str
    code: str = "invalid"
    excerpt: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "file": self.file,
            "location": self.location,
            "field": self.field,
            "code": self.code,
            "reason": self.reason,
            "excerpt": self.excerpt,
        }


@dataclass(slots=True)
class Parsed:
    consignment: Consignment
    location: str


ReadItem = Parsed | Rejection


@dataclass(slots=True)
class ReadOptions:
    """Options a user can give to readers (column mapping for CSV/Excel, sheet name, leniency)."""

    column_mapping: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    lenient: bool = False
    delimiter: str | None = None
    encoding: str | None = None


class Reader(Protocol):
    format: str

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]: ...


def rejections_from_validation(
    error: ValidationError, *, file: str, location: str, prefix: str = "", excerpt: str | None = None
) -> list[Rejection]:
    """One rejection per pydantic error, with a dotted field path such as goods[0].hs_code."""
    out: list[Rejection] = []
    for err in error.errors():
        parts: list[str] = []
        for item in err["loc"]:
            if isinstance(item, int):
                parts.append(f"[{item}]")
            else:
                parts.append(("." if parts else "") + str(item))
        path = prefix + "".join(parts)
        value = err.get("input")
        shown = f" (got {value!r})" if isinstance(value, str | int | float) and len(repr(value)) < 80 else ""
        out.append(
            Rejection(
                file=file,
                location=location,
                field=path or None,
                reason=f"{err['msg']}{shown}",
                code="invalid_field",
                excerpt=excerpt,
            )
        )
    return out


def excerpt_of(text: str, limit: int = 200) -> str:
    text = text.replace("\r", "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
