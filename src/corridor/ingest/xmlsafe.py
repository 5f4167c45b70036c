"""Safe, streaming XML parsing and namespace-agnostic look-ups shared by the XML readers.

Customs XML arrives from traders, forwarders and partner systems we do not control, so the parser
refuses every DTD (and with it entity expansion bombs and external entities that could read local
files or reach the network) and refuses files above a size limit. Records (a WCO `Declaration`, an
IATA `Waybill`) are handed out as soon as their end tag is read and are then detached from the tree,
so a file with thousands of declarations is not held in memory as a whole.

The same messages come with different namespace URIs and prefixes (WCO DM 3.x versions, national
customisations, IATA schema versions), so look-ups go by local name only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from pydantic import ValidationError

from corridor.domain.consignment import RecordWarning
from corridor.ingest.base import Rejection, rejections_from_validation
from corridor.ingest.limits import MAX_XML_DEPTH
from corridor.reference import country, location

Element = ET.Element

MAX_XML_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024

# --------------------------------------------------------------------------- look-ups by local name


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag.rsplit(":", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local_name(c.tag) == name]


def find_all(element: Element, path: str) -> list[Element]:
    """All elements at a slash-separated path of local names below element, in document order."""
    current = [element]
    for step in path.strip("/").split("/"):
        current = [c for parent in current for c in children(parent, step)]
        if not current:
            break
    return current


def find(element: Element, path: str) -> Element | None:
    found = find_all(element, path)
    return found[0] if found else None


def first(*elements: Element | None) -> Element | None:
    """The first element that is present; `a or b` would be wrong since a childless Element is falsy."""
    return next((e for e in elements if e is not None), None)


def text(element: Element | None, path: str | None = None) -> str | None:
    """Stripped text of the first match (or of element itself), None when absent or blank."""
    if element is None:
        return None
    target = find(element, path) if path else element
    if target is None or target.text is None:
        return None
    value = target.text.strip()
    return value or None


def texts(element: Element, path: str) -> list[str]:
    out: list[str] = []
    for match in find_all(element, path):
        value = text(match)
        if value is not None:
            out.append(value)
    return out


def attr(element: Element | None, name: str) -> str | None:
    """An attribute by local name, whatever namespace (if any) qualifies it."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return value.strip() or None
    return None


def descendants(element: Element, name: str) -> Iterator[Element]:
    for node in element.iter():
        if node is not element and isinstance(node.tag, str) and local_name(node.tag) == name:
            yield node


def indexed(element: Element, name: str) -> list[tuple[int, Element]]:
    """Children with a given local name and their 1-based position among them, for path strings."""
    return list(enumerate(children(element, name), start=1))


# --------------------------------------------------------------------------- streaming, defused parsing


@dataclass(slots=True)
class XmlRecord:
    element: Element
    path: str
    root: Element


class _EventTarget:
    """A TreeBuilder that also notes start and end events, so records can be cut out while parsing."""

    def __init__(self) -> None:
        self._builder = ET.TreeBuilder()
        self.events: list[tuple[str, Element]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        element = self._builder.start(tag, attrib)
        self.events.append(("start", element))
        return element

    def end(self, tag: str) -> Element:
        element = self._builder.end(tag)
        self.events.append(("end", element))
        return element

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        return self._builder.close()


@dataclass(slots=True)
class _Frame:
    element: Element
    segment: str
    counts: dict[str, int] = field(default_factory=dict)


_POSITION_SUFFIX = re.compile(r":\s*line \d+, column \d+\s*$")


class XmlStream:
    """Iterate over the record elements of one file, yielding XmlRecord or a Rejection.

    Anything wrong with the file as XML ends the stream with one Rejection: "unsafe_xml" for a
    DTD or entity, "malformed_xml" with the parser's line and column, "too_large", "too_deep" (elements
    nested deeper than `max_depth`) or "unreadable".
    Records completed before a syntax error have already been handed out and stay valid.
    After iteration, `root_name` and `records` tell a reader what the file turned out to be.
    """

    def __init__(
        self,
        path: Path,
        display_name: str,
        record_names: set[str],
        *,
        max_bytes: int = MAX_XML_BYTES,
        max_depth: int = MAX_XML_DEPTH,
    ) -> None:
        self.path = path
        self.display_name = display_name
        self.record_names = record_names
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.root_name: str | None = None
        self.records = 0
        self.failed = False

    def _reject(self, location: str, reason: str, code: str) -> Rejection:
        self.failed = True
        return Rejection(file=self.display_name, location=location, field=None, reason=reason, code=code)

    def __iter__(self) -> Iterator[XmlRecord | Rejection]:
        try:
            size = self.path.stat().st_size
        except OSError as err:
            yield self._reject("file", f"cannot read the file: {err.strerror or err}", "unreadable")
            return
        if size > self.max_bytes:
            yield self._reject(
                "file", f"file is {size} bytes, above the {self.max_bytes}-byte limit for XML", "too_large"
            )
            return
        target = _EventTarget()
        parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        stack: list[_Frame] = []
        root: Element | None = None
        try:
            with self.path.open("rb") as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    try:
                        if chunk:
                            parser.feed(chunk)
                        else:
                            parser.close()
                    except ET.ParseError as err:
                        line, column = err.position
                        reason = _POSITION_SUFFIX.sub("", str(err))
                        # expat counts columns from 0; people and editors count from 1.
                        yield self._reject(f"line {line}, column {column + 1}", reason, "malformed_xml")
                        return
                    except DefusedXmlException as err:
                        expat = parser.parser
                        location = f"line {expat.CurrentLineNumber}, column {expat.CurrentColumnNumber + 1}"
                        yield self._reject(location, _unsafe_reason(err), "unsafe_xml")
                        return
                    except (ValueError, LookupError) as err:
                        # An unknown or unsupported declared encoding ends up here.
                        yield self._reject("file", f"cannot decode the XML: {err}", "malformed_xml")
                        return
                    for kind, element in target.events:
                        if kind == "start":
                            if len(stack) >= self.max_depth:
                                where = "/" + "/".join(f.segment for f in stack[:3]) + "/…"
                                yield self._reject(
                                    where,
                                    f"elements are nested more than {self.max_depth} levels deep",
                                    "too_deep",
                                )
                                return
                            root = root if root is not None else element
                            stack.append(self._frame(stack, element))
                            continue
                        frame = stack.pop()
                        if self._is_record(frame) and not any(self._is_record(f) for f in stack):
                            path = "/" + "/".join(f.segment for f in [*stack, frame])
                            self.records += 1
                            assert root is not None
                            yield XmlRecord(element=element, path=path, root=root)
                            # Detach the finished record so memory stays flat over long files.
                            if stack:
                                stack[-1].element.remove(element)
                            element.clear()
                    target.events.clear()
                    if not chunk:
                        return
        except OSError as err:
            yield self._reject("file", f"cannot read the file: {err.strerror or err}", "unreadable")

    def _is_record(self, frame: _Frame) -> bool:
        return frame.segment.split("[", 1)[0] in self.record_names

    def _frame(self, stack: list[_Frame], element: Element) -> _Frame:
        name = local_name(element.tag)
        if not stack:
            self.root_name = name
            return _Frame(element, name)
        counts = stack[-1].counts
        counts[name] = counts.get(name, 0) + 1
        number = counts[name]
        show_index = number > 1 or name in self.record_names
        return _Frame(element, f"{name}[{number}]" if show_index else name)


def _unsafe_reason(err: DefusedXmlException) -> str:
    if isinstance(err, DTDForbidden):
        return f"document type declaration <!DOCTYPE {err.name}> refused: DTDs and entities are not accepted"
    if isinstance(err, EntitiesForbidden):
        return f"entity declaration {err.name!r} refused: entities are not accepted"
    if isinstance(err, ExternalReferenceForbidden):
        return f"external reference {err.sysid!r} refused"
    return f"refused: {err}"


# --------------------------------------------------------------------------- values shared by the readers


@dataclass(slots=True)
class Issue:
    field: str
    reason: str


@dataclass(slots=True)
class RecordIssues:
    """Problems found while mapping one record: values that could not be read.

    In strict mode (the default) such a record is rejected with all its problems; with
    `ReadOptions.lenient` the record is kept, the values dropped and each problem becomes a warning.
    Remarks are always warnings (the value was understood but is worth a second look).
    """

    problems: list[Issue] = field(default_factory=list)
    remarks: list[RecordWarning] = field(default_factory=list)

    def problem(self, field_path: str, reason: str) -> None:
        self.problems.append(Issue(field_path, reason))

    def remark(self, code: str, field_path: str, message: str) -> None:
        self.remarks.append(RecordWarning(code=code, field=field_path, message=message))

    def as_warnings(self) -> list[RecordWarning]:
        dropped = [
            RecordWarning(code="unreadable_value", field=p.field, message=p.reason) for p in self.problems
        ]
        return [*dropped, *self.remarks]

    def rejection(self, file: str, location: str) -> Rejection:
        return merge_rejections(
            [
                Rejection(file=file, location=location, field=p.field, reason=p.reason, code="invalid_field")
                for p in self.problems
            ]
        )


def merge_rejections(rejections: list[Rejection]) -> Rejection:
    """One rejection per record: several problems of one record are reported together."""
    if len(rejections) == 1:
        return rejections[0]
    first = rejections[0]
    reasons = "; ".join(f"{r.field}: {r.reason}" for r in rejections[:10])
    if len(rejections) > 10:
        reasons += f"; and {len(rejections) - 10} more"
    fields = ", ".join(dict.fromkeys(r.field or "?" for r in rejections[:10]))
    return Rejection(first.file, first.location, fields, reasons, first.code, first.excerpt)


def validation_rejection(error: ValidationError, *, file: str, location: str) -> Rejection:
    return merge_rejections(rejections_from_validation(error, file=file, location=location))


def parse_number(raw: str | None, field_path: str, issues: RecordIssues) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.replace(" ", ""))
    except ValueError:
        issues.problem(field_path, f"{raw!r} is not a number")
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        issues.problem(field_path, f"{raw!r} is not a non-negative number")
        return None
    return value


def parse_count(raw: str | None, field_path: str, issues: RecordIssues) -> int | None:
    value = parse_number(raw, field_path, issues)
    if value is None:
        return None
    if value != int(value):
        issues.problem(field_path, f"{raw!r} is not a whole number")
        return None
    return int(value)


_KG_PER_UNIT = {
    "KGM": 1.0,
    "KG": 1.0,
    "KGS": 1.0,
    "GRM": 0.001,
    "TNE": 1000.0,
    "LBR": 0.45359237,
    "LB": 0.45359237,
}


def parse_weight_kg(element: Element | None, field_path: str, issues: RecordIssues) -> float | None:
    """A weight in kilograms; the unitCode attribute (UN/ECE Rec. 20) defaults to kilograms."""
    raw = text(element)
    if element is None or raw is None:
        return None
    value = parse_number(raw, field_path, issues)
    if value is None:
        return None
    unit = (attr(element, "unitCode") or "KGM").upper()
    factor = _KG_PER_UNIT.get(unit)
    if factor is None:
        issues.problem(field_path, f"unknown weight unit {unit!r}")
        return None
    return round(value * factor, 3)


def country_code(raw: str | None, field_path: str, issues: RecordIssues) -> str | None:
    """ISO alpha-2 from an alpha-2 or alpha-3 code; unknown two-letter codes pass on for validation."""
    if raw is None:
        return None
    code = raw.strip().upper()
    if len(code) == 3 and (found := country(code)) is not None:
        return found.alpha2
    if re.fullmatch(r"[A-Z]{2}", code):
        return code
    issues.problem(field_path, f"{raw!r} is not a country code")
    return None


_COMPACT_DATETIME = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_datetime(raw: str | None, field_path: str, issues: RecordIssues) -> datetime | None:
    """ISO 8601, or the compact UN/EDIFACT 2379 forms 102 (CCYYMMDD) and 304 (CCYYMMDDHHMMSS+zone)."""
    if raw is None:
        return None
    value = raw.strip()
    match = _COMPACT_DATETIME.match(value)
    try:
        if match:
            year, month, day, hour, minute, second, zone = match.groups()
            tz = _zone(zone)
            return datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz
            )
        return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        issues.problem(field_path, f"{raw!r} is not a date or date-time")
        return None


def _zone(raw: str | None) -> timezone | None:
    if raw is None:
        return None
    if raw == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def one_line(value: str | None) -> str | None:
    """Collapse the line breaks that fixed-width origins (Cargo-IMP, EDIFACT) leave inside names."""
    if value is None:
        return None
    collapsed = " ".join(value.split())
    return collapsed or None


_LOCODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")


def locode_or_none(code: str | None, *, known_only: bool = True) -> str | None:
    """The code as a UN/LOCODE, or None so that it stays a name.

    Where a message has a UN/LOCODE field, a well-formed code is taken even if our list lacks it
    (validation warns about it); where a field mixes codes (customs location codes, airports), only
    codes on the list count, since "TILLONTIL" or "ORK" must not be mistaken for one.
    """
    if code is None:
        return None
    compact = code.replace(" ", "").upper()
    if not _LOCODE.match(compact):
        return None
    return compact if not known_only or location(compact) is not None else None
