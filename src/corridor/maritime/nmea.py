"""NMEA 0183 AIS (!AIVDM/!AIVDO) to positions and static vessel data, one sentence at a time.

pyais raises on broken multipart messages and bad fragment numbers (its issues #85, #112, #160,
#177), and its own stream reader silently drops what it cannot read. We want the opposite: every
line is accounted for. So this module feeds pyais one sentence at a time, checks the checksum,
assembles multipart messages itself and counts every reason a line was not used. Nothing raised
by a single sentence ever stops the stream.

Time: AIS position reports carry only the second of the minute, so the time of a report comes
from the receiver: a tag block `c:` (UNIX seconds), a Gatehouse `$PGHP` wrapper on the line
before, a leading timestamp on the line (`2026-03-01T10:00:00Z !AIVDM...` or `1772359200 !AIVDM...`),
or else the time the caller says the data was received (for a live feed: now).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyais.messages import AISSentence, GatehouseSentence, NMEASentenceFactory, TagBlock

from corridor.ingest.limits import MAX_NMEA_LINE

POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
STATIC_TYPES = frozenset({5, 19, 24})
MAX_ERRORS_KEPT = 200
# A fragment waits this many sentences for the rest of its message before it is declared incomplete.
MAX_FRAGMENT_WAIT = 50
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(2100, 1, 1, tzinfo=UTC).timestamp()

# Why a line was not used. "ignored" lines are not AIS at all (comments, other NMEA sentences);
# the others were meant to be AIS and are reported as rejections.
REJECTION_REASONS = {
    "bad_checksum": "the NMEA checksum does not match the sentence",
    "invalid_sentence": "not a well-formed AIS sentence",
    "incomplete_multipart": "a part of a multipart message never arrived",
    "orphan_fragment": "a later part of a multipart message arrived without its first part",
    "undecodable": "the AIS payload could not be decoded",
    "no_position": "a position report with latitude/longitude 'not available'",
    "line_too_long": f"longer than {MAX_NMEA_LINE} characters (an NMEA sentence has at most 82)",
}


@dataclass(slots=True)
class LineError:
    line: int
    reason: str
    detail: str
    excerpt: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "detail": self.detail, "excerpt": self.excerpt}


@dataclass(slots=True)
class ReadReport:
    """What became of every line or row of one input: used, ignored (not AIS) or rejected (with why)."""

    source: str = "<stream>"
    format: str = "nmea"
    lines: int = 0
    sentences: int = 0
    messages: int = 0
    positions: int = 0
    static: int = 0
    ignored: int = 0
    other_types: Counter[int] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    errors: list[LineError] = field(default_factory=list)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def reject(self, line: int, reason: str, detail: str, raw: str) -> None:
        self.rejected[reason] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(LineError(line, reason, detail, raw[:200]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "lines": self.lines,
            "sentences": self.sentences,
            "messages": self.messages,
            "positions": self.positions,
            "static": self.static,
            "ignored": self.ignored,
            "other_message_types": {str(k): v for k, v in sorted(self.other_types.items())},
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": self.rejected_total,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass(slots=True)
class Position:
    mmsi: str
    ts: datetime
    lat: float
    lon: float
    sog: float | None
    cog: float | None
    heading: float | None
    msg_type: int


@dataclass(slots=True)
class Static:
    mmsi: str
    ts: datetime
    name: str | None = None
    imo: str | None = None
    call_sign: str | None = None
    ship_type: int | None = None
    destination: str | None = None


@dataclass(slots=True)
class _Pending:
    parts: list[AISSentence]
    line: int
    ts: datetime | None
    raw: str
    age: int = 0


def _tag_time(tag: TagBlock | None) -> datetime | None:
    if tag is None:
        return None
    try:
        tag.init()
        value = tag.receiver_timestamp
    except Exception:  # a malformed tag block only loses its time, never the sentence
        return None
    return _epoch(value)


def _epoch(value: Any) -> datetime | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > _LATEST:  # receivers that write milliseconds
        number /= 1000.0
    if not _EARLIEST <= number <= _LATEST:
        return None
    return datetime.fromtimestamp(number, tz=UTC)


def _leading_time(prefix: str) -> datetime | None:
    text = prefix.strip().rstrip(",;").strip()
    if not text:
        return None
    stamp = _epoch(text)
    if stamp is not None:
        return stamp
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = str(value).replace("@", " ").strip()
    return cleaned or None


def _number(value: Any, unavailable: float) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number >= unavailable else number


class NmeaDecoder:
    """Feed lines, get positions and static reports; keeps multipart state across calls (live feeds)."""

    def __init__(self, source: str = "<stream>", received_at: datetime | None = None) -> None:
        self.report = ReadReport(source=source)
        self.received_at = received_at
        self._pending: dict[tuple[Any, ...], _Pending] = {}
        self._wrapper_time: datetime | None = None
        self.positions: list[Position] = []
        self.statics: list[Static] = []

    def feed(self, raw_line: str | bytes, line_no: int | None = None) -> None:
        report = self.report
        report.lines += 1
        line_no = line_no if line_no is not None else report.lines
        if len(raw_line) > MAX_NMEA_LINE:
            head = raw_line[:200]
            shown = head.decode("ascii", "replace") if isinstance(head, bytes) else head
            report.reject(line_no, "line_too_long", f"the line has more than {MAX_NMEA_LINE} characters", shown)
            return
        text = raw_line.decode("ascii", "replace") if isinstance(raw_line, bytes) else raw_line
        text = text.strip()
        if not text or text.startswith("#"):
            report.ignored += 1
            return
        start = min((i for i in (text.find("!"), text.find("\\"), text.find("$")) if i >= 0), default=-1)
        if start < 0:
            report.ignored += 1
            return
        stamp = _leading_time(text[:start]) if start > 0 else None
        if start > 0 and stamp is None:
            report.reject(line_no, "invalid_sentence", "text before the sentence is not a timestamp", text)
            return
        sentence_text = text[start:]
        try:
            sentence = NMEASentenceFactory.produce(sentence_text.encode("ascii"))
        except UnicodeEncodeError:
            report.reject(line_no, "invalid_sentence", "non-ASCII character in the sentence", text)
            return
        except Exception as error:  # pyais: unknown sentence types and malformed fields
            if "VDM" in sentence_text[:12].upper() or "VDO" in sentence_text[:12].upper():
                report.reject(line_no, "invalid_sentence", f"{type(error).__name__}: {error}", text)
            else:
                report.ignored += 1  # other NMEA ($GPGGA, $IIMWV...) is not ours to read
            return
        if isinstance(sentence, GatehouseSentence):
            # A $PGHP line stamps the AIS sentence that follows it.
            self._wrapper_time = sentence.timestamp.replace(tzinfo=UTC)
            report.ignored += 1
            return
        if not isinstance(sentence, AISSentence):
            report.ignored += 1
            return
        report.sentences += 1
        if not sentence.is_valid:
            detail = (
                "the checksum field is missing or malformed"
                if sentence.checksum < 0
                else f"checksum {sentence.checksum:02X} does not match the sentence"
            )
            report.reject(line_no, "bad_checksum", detail, text)
            return
        when = stamp or _tag_time(sentence.tag_block) or self._wrapper_time
        self._wrapper_time = None
        self._age_pending()
        if sentence.frag_cnt == 1:
            self._decode(sentence, when, line_no, text)
            return
        slot = (sentence.seq_id, sentence.channel, sentence.talker_id, sentence.frag_cnt)
        pending = self._pending.get(slot)
        if sentence.frag_num == 1:
            if pending is not None:
                report.reject(
                    pending.line, "incomplete_multipart", "superseded by a new first part", pending.raw
                )
            self._pending[slot] = _Pending([sentence], line_no, when, text)
            return
        if pending is None or sentence.frag_num != len(pending.parts) + 1:
            if pending is not None:
                del self._pending[slot]
                report.reject(
                    pending.line, "incomplete_multipart", "a part is missing or out of order", pending.raw
                )
            report.reject(
                line_no,
                "orphan_fragment",
                f"part {sentence.frag_num} of {sentence.frag_cnt} without its first part",
                text,
            )
            return
        pending.parts.append(sentence)
        if len(pending.parts) == sentence.frag_cnt:
            del self._pending[slot]
            try:
                whole = AISSentence.assemble_from_iterable(pending.parts)
            except Exception as error:
                report.reject(pending.line, "undecodable", f"{type(error).__name__}: {error}", pending.raw)
                return
            self._decode(whole, pending.ts or when, pending.line, pending.raw)

    def _age_pending(self) -> None:
        for slot, pending in list(self._pending.items()):
            pending.age += 1
            if pending.age > MAX_FRAGMENT_WAIT:
                del self._pending[slot]
                self.report.reject(
                    pending.line, "incomplete_multipart", "the next part never arrived", pending.raw
                )

    def drain(self) -> tuple[list[Position], list[Static], ReadReport]:
        """What was decoded since the last drain, with its report; multipart parts still waiting stay."""
        out = (self.positions, self.statics, self.report)
        self.positions, self.statics = [], []
        self.report = ReadReport(source=self.report.source, format=self.report.format)
        return out

    def finish(self) -> ReadReport:
        """Declare every multipart message still waiting for a part as incomplete."""
        for pending in self._pending.values():
            self.report.reject(
                pending.line, "incomplete_multipart", "the input ended before the last part", pending.raw
            )
        self._pending.clear()
        return self.report

    def _decode(self, sentence: AISSentence, when: datetime | None, line_no: int, raw: str) -> None:
        report = self.report
        try:
            message = sentence.decode()
            data: dict[str, Any] = message.asdict()
        except Exception as error:  # pyais raises many kinds on short or corrupt payloads
            report.reject(line_no, "undecodable", f"{type(error).__name__}: {error}", raw)
            return
        report.messages += 1
        msg_type = int(data.get("msg_type") or 0)
        mmsi = str(data.get("mmsi") or "").zfill(9)
        ts = when or self.received_at or datetime.now(UTC)
        used = False
        if msg_type in POSITION_TYPES:
            try:
                lat = float(data["lat"])
                lon = float(data["lon"])
            except (KeyError, TypeError, ValueError):
                lat, lon = 91.0, 181.0
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                report.reject(
                    line_no, "no_position", f"type {msg_type} report for {mmsi} has no position", raw
                )
                return
            self.positions.append(
                Position(
                    mmsi=mmsi,
                    ts=ts,
                    lat=lat,
                    lon=lon,
                    sog=_number(data.get("speed"), 102.3),
                    cog=_number(data.get("course"), 360.0),
                    heading=_number(data.get("heading"), 511.0),
                    msg_type=msg_type,
                )
            )
            report.positions += 1
            used = True
        if msg_type in STATIC_TYPES:
            imo = data.get("imo")
            ship_type = data.get("ship_type")
            self.statics.append(
                Static(
                    mmsi=mmsi,
                    ts=ts,
                    name=_text(data.get("shipname")),
                    imo=str(imo).zfill(7) if isinstance(imo, int) and 1_000_000 <= imo <= 9_999_999 else None,
                    call_sign=_text(data.get("callsign")),
                    ship_type=int(ship_type) if ship_type else None,
                    destination=_text(data.get("destination")),
                )
            )
            report.static += 1
            used = True
        if not used:
            report.other_types[msg_type] += 1


def decode_lines(lines: Any, source: str = "<stream>", received_at: datetime | None = None) -> NmeaDecoder:
    """Decode an iterable of lines (str or bytes) completely."""
    decoder = NmeaDecoder(source, received_at)
    source_lines = bounded_lines(lines) if hasattr(lines, "readline") else lines
    for number, line in enumerate(source_lines, start=1):
        decoder.feed(line, number)
    decoder.finish()
    return decoder


def bounded_lines(fh: Any, limit: int = MAX_NMEA_LINE) -> Iterator[bytes | str]:
    """Lines of a file object without reading an endless line into memory: a line longer than `limit`
    comes out cut to `limit + 1` characters (so it is rejected) and the rest of it is skipped."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n" if isinstance(line, bytes) else "\n"):
            newline = b"\n" if isinstance(line, bytes) else "\n"
            while (rest := fh.readline(65536)) and not rest.endswith(newline):
                pass
        yield line
