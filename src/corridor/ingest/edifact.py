"""A small, general UN/EDIFACT tokenizer and interchange/message splitter (ISO 9735, syntax 1 to 4).

The tokenizer reads bytes incrementally, so an interchange larger than memory streams through it.
It honours the UNA service string advice (also a UNA in the middle of a file, which happens when
interchanges are concatenated), the release character, and newlines or other white space between
segments. Segments come out as typed objects: a tag and a list of data elements, each a list of
components, with their 1-based number in the file, byte offset and line.

Only ASCII-compatible character sets are supported (UNOA to UNOK, UNOW, UNOY): the separators are
single ASCII bytes, and in these encodings a multi-byte character never contains such a byte, so a
segment can be cut out of the byte stream before it is decoded.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from corridor.ingest.limits import MAX_EDIFACT_ELEMENTS, MAX_EDIFACT_MESSAGE_SEGMENTS

# UNB syntax identifier (S001/0001) -> Python codec.
CHARSETS: dict[str, str] = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}

# A segment that never ends is a file that is not EDIFACT (or is corrupt); stop before it eats memory.
MAX_SEGMENT_BYTES = 1 << 20
_CHUNK = 1 << 16


def codec_for(syntax_identifier: str) -> str:
    """The Python codec for a UNB syntax identifier such as "UNOC" or "UNOC:3"."""
    return CHARSETS.get(syntax_identifier.split(":", 1)[0].strip().upper(), "utf-8")


class EdifactSyntaxError(ValueError):
    def __init__(self, reason: str, *, offset: int, line: int) -> None:
        super().__init__(f"{reason} (byte {offset}, line {line})")
        self.reason = reason
        self.offset = offset
        self.line = line


@dataclass(frozen=True, slots=True)
class Delimiters:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    reserved: str = " "
    segment: str = "'"

    @classmethod
    def from_una(cls, advice: str) -> Delimiters:
        """From the six characters that follow "UNA"."""
        if len(advice) != 6:
            raise ValueError(f"UNA needs six characters after the tag, got {advice!r}")
        release = advice[3]
        return cls(
            component=advice[0],
            element=advice[1],
            decimal=advice[2],
            # A space in the release position means the interchange uses no release character.
            release=None if release == " " else release,
            reserved=advice[4],
            segment=advice[5],
        )

    def una(self) -> str:
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release or ' '}"
            f"{self.reserved}{self.segment}"
        )

    def escaper(self) -> re.Pattern[str]:
        specials = {self.component, self.element, self.segment}
        if self.release:
            specials.add(self.release)
        if self.reserved.strip():
            specials.add(self.reserved)
        return re.compile("[" + re.escape("".join(sorted(specials))) + "]")

    def escape(self, text: str) -> str:
        if not self.release:
            return text
        release = self.release
        return self.escaper().sub(lambda m: release + m.group(0), text)


DEFAULT_DELIMITERS = Delimiters()


@dataclass(slots=True)
class Segment:
    tag: str
    elements: list[list[str]]
    number: int = 0
    offset: int = 0
    line: int = 1
    raw: str = ""

    def element(self, index: int) -> list[str]:
        """Data element `index` (0-based, after the tag) as components; [] when absent."""
        return self.elements[index] if index < len(self.elements) else []

    def get(self, index: int, component: int = 0) -> str:
        """One component, stripped; "" when absent."""
        if index >= len(self.elements):
            return ""
        comps = self.elements[index]
        return comps[component].strip() if component < len(comps) else ""

    def where(self) -> str:
        return f"segment {self.number} ({self.tag}), line {self.line}"


def split_segment(text: str, delimiters: Delimiters) -> tuple[str, list[list[str]]]:
    """The tag and data elements of one segment's text (terminator removed, escapes still in)."""
    release = delimiters.release
    if release is None or release not in text:
        comp = delimiters.component
        parts = [e.split(comp) for e in text.split(delimiters.element)]
    else:
        parts = _split_released(text, delimiters, release)
    tag_element = parts[0]
    return tag_element[0].strip().upper(), parts[1:]


# Private-use stand-ins for released characters while a segment is split; text containing them takes
# the slow character-by-character path instead.
_STAND_INS = "\ue000\ue001\ue002\ue003\ue004"


def _split_released(text: str, delimiters: Delimiters, release: str) -> list[list[str]]:
    if not any(c in text for c in _STAND_INS):
        comp, elem = delimiters.component, delimiters.element
        specials = (release, elem, comp, delimiters.segment, delimiters.reserved)
        masked = text
        for special, stand_in in zip(specials, _STAND_INS, strict=True):
            masked = masked.replace(release + special, stand_in)
        # A release character before an ordinary character releases nothing; it is dropped.
        masked = masked.replace(release, "")
        back = str.maketrans(dict(zip(_STAND_INS, specials, strict=True)))
        return [[c.translate(back) for c in e.split(comp)] for e in masked.split(elem)]
    return _split_slow(text, delimiters, release)


def _split_slow(text: str, delimiters: Delimiters, release: str) -> list[list[str]]:
    elements: list[list[str]] = []
    components: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == release:
            # A release character at the very end releases nothing; keep it as data.
            current.append(next(chars, release))
        elif char == delimiters.component:
            components.append("".join(current))
            current = []
        elif char == delimiters.element:
            components.append("".join(current))
            elements.append(components)
            components, current = [], []
        else:
            current.append(char)
    components.append("".join(current))
    elements.append(components)
    return elements


class Tokenizer:
    """Iterate the segments of an EDIFACT byte stream.

    `delimiters` reflects the most recent UNA; `syntax` the most recent UNB syntax identifier. The UNA
    itself is not a segment (it is a fixed nine-character advice) and gets no segment number.
    """

    def __init__(
        self,
        source: BinaryIO,
        *,
        encoding: str | None = None,
        chunk_size: int = _CHUNK,
        max_segment_bytes: int = MAX_SEGMENT_BYTES,
    ) -> None:
        self._source = source
        self._forced_encoding = encoding
        self._encoding = encoding or "utf-8"
        self._fallback = encoding is None
        self._chunk_size = chunk_size
        self._max = max_segment_bytes
        self.delimiters = DEFAULT_DELIMITERS
        self.una_seen = False
        self.syntax: str | None = None

    def _decode(self, data: bytes) -> str:
        if not self._fallback:
            return data.decode(self._encoding, errors="replace")
        # Senders (and text editors) often put UTF-8 in interchanges labelled UNOA..UNOC. Valid UTF-8 with
        # non-ASCII bytes is very unlikely to be meant as Latin-1 or another ISO 8859 table, so try it first.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            codec = "latin-1" if self._encoding in ("ascii", "utf-8") else self._encoding
            return data.decode(codec, errors="replace")

    def _note_unb(self, elements: list[list[str]]) -> None:
        if not elements or not elements[0]:
            return
        self.syntax = elements[0][0].strip().upper()
        if self._forced_encoding is None:
            self._encoding = codec_for(self.syntax)

    def __iter__(self) -> Iterator[Segment]:
        # Work chunk by chunk: split a chunk on the terminator in C, then glue back the pieces whose
        # terminator was released. Only a UNA (which may change the terminator) breaks the bulk path.
        read = self._source.read
        pending = b""  # bytes not yet consumed, starting at file offset `base`
        base = 0
        line = 1
        number = 0
        eof = False
        d = self.delimiters
        term, rel, blanks = self._bytes_of(d)

        while True:
            if not eof and (len(pending) < 9 or term not in pending):
                chunk = read(self._chunk_size)
                eof = not chunk
                pending += chunk
                if not eof:
                    if len(pending) > self._max and term not in pending:
                        raise EdifactSyntaxError(f"no segment terminator {d.segment!r} within {self._max} bytes",
                                                 offset=base, line=line)
                    continue
            stripped = pending.lstrip(blanks)
            skipped = len(pending) - len(stripped)
            if skipped:
                line += pending.count(b"\n", 0, skipped)
                base += skipped
                pending = stripped
            if not pending:
                if eof:
                    return
                continue
            if pending.startswith(b"UNA"):
                if len(pending) < 9 and not eof:
                    continue
                advice = pending[3:9]
                try:
                    d = self.delimiters = Delimiters.from_una(advice.decode("ascii"))
                except (UnicodeDecodeError, ValueError) as exc:
                    raise EdifactSyntaxError(f"bad UNA service string advice {advice!r}", offset=base,
                                             line=line) from exc
                self.una_seen = True
                term, rel, blanks = self._bytes_of(d)
                line += pending.count(b"\n", 0, 9)
                pending = pending[9:]
                base += 9
                continue

            parts = pending.split(term)
            tail = parts.pop()  # after the last terminator: incomplete
            consumed = 0
            held = b""  # a piece whose terminator was released, waiting for the rest of its segment
            restart = False
            for part in parts:
                if held:
                    part = held + term + part
                    held = b""
                if rel and part.endswith(rel):
                    count = len(part) - len(part.rstrip(rel))
                    if count % 2:
                        held = part
                        continue
                size = len(part) + 1
                body = part.lstrip(blanks)
                lead = len(part) - len(body)
                if lead:
                    line += part.count(b"\n", 0, lead)
                if body.startswith(b"UNA"):
                    # A new service string advice: re-split what follows with its separators.
                    consumed += lead
                    restart = True
                    break
                if term == b"\n":
                    body = body.rstrip(b"\r")
                text = self._decode(body)
                tag, elements = split_segment(text, d)
                number += 1
                if len(elements) > MAX_EDIFACT_ELEMENTS or any(len(e) > MAX_EDIFACT_ELEMENTS for e in elements):
                    raise EdifactSyntaxError(
                        f"segment {number} ({tag[:3]}) has more than {MAX_EDIFACT_ELEMENTS} data elements or "
                        "components in one element", offset=base + consumed + lead, line=line)
                yield Segment(tag=tag, elements=elements, number=number, offset=base + consumed + lead, line=line,
                              raw=text)
                line += body.count(b"\n") + (1 if term == b"\n" else 0)
                consumed += size
                if tag == "UNB":
                    self._note_unb(elements)
            if restart:
                pending = pending[consumed:]
                base += consumed
                continue
            if held:
                tail = held + term + tail
            pending = tail
            base += consumed
            if eof:
                if pending.strip():
                    raise EdifactSyntaxError(f"unterminated segment at end of file: {pending[:40]!r}",
                                             offset=base, line=line)
                return
            if len(pending) > self._max:
                raise EdifactSyntaxError(f"no segment terminator {d.segment!r} within {self._max} bytes",
                                         offset=base, line=line)
            chunk = read(self._chunk_size)
            eof = not chunk
            pending += chunk

    @staticmethod
    def _bytes_of(d: Delimiters) -> tuple[bytes, bytes, bytes]:
        term = d.segment.encode("ascii")
        rel = d.release.encode("ascii") if d.release else b""
        blanks = b"".join(c for c in (b" ", b"\t", b"\r", b"\n") if c != term)
        return term, rel, blanks



def iter_segments(path: Path, *, encoding: str | None = None) -> Iterator[Segment]:
    """Segments of a file, read incrementally."""
    with path.open("rb") as fh:
        yield from Tokenizer(fh, encoding=encoding)


def parse_text(text: str) -> list[Segment]:
    """Segments of a short in-memory interchange (tests, small messages)."""
    return list(Tokenizer(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


# ---------------------------------------------------------------- interchanges and messages


@dataclass(slots=True)
class Interchange:
    header: Segment | None
    syntax: str | None = None
    sender: str | None = None
    recipient: str | None = None
    reference: str | None = None
    messages: int = 0
    groups: int = 0

    @classmethod
    def from_unb(cls, unb: Segment) -> Interchange:
        return cls(
            header=unb,
            syntax=":".join(c for c in unb.element(0) if c) or None,
            sender=unb.get(1) or None,
            recipient=unb.get(2) or None,
            reference=unb.get(4) or None,
        )


@dataclass(slots=True)
class Problem:
    """Something wrong with the structure of the stream, outside any single message's content."""

    code: str
    reason: str
    segment: Segment | None = None
    interchange: Interchange | None = None


@dataclass(slots=True)
class Message:
    index: int  # 1-based within the file
    segments: list[Segment]
    interchange: Interchange | None = None
    trailer: Segment | None = None  # the UNT, None when the message was cut off
    cut_by: Segment | None = None  # what came instead of the UNT
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def header(self) -> Segment:
        return self.segments[0]

    @property
    def reference(self) -> str:
        return self.header.get(0)

    @property
    def type(self) -> str:
        return self.header.get(1, 0).upper()

    @property
    def version(self) -> str:
        return self.header.get(1, 1).upper()

    @property
    def release(self) -> str:
        return self.header.get(1, 2).upper()

    @property
    def agency(self) -> str:
        return self.header.get(1, 3).upper()

    def label(self) -> str:
        return f"message {self.index} (UNH {self.reference or '?'})"

    def integrity_problems(self) -> list[Problem]:
        """UNT present, its segment count equal to UNH..UNT inclusive, its reference equal to the UNH's."""
        if self.trailer is None:
            instead = f"{self.cut_by.tag} at {self.cut_by.where()}" if self.cut_by else "end of file"
            return [
                Problem(
                    "missing_unt",
                    f"message {self.reference or '?'} has no UNT trailer: {instead} came first",
                    self.cut_by or self.segments[-1],
                )
            ]
        out: list[Problem] = []
        declared = self.trailer.get(0)
        actual = len(self.segments)
        # isascii(): str.isdigit() is also true for "³" and other digits int() refuses.
        if not (declared.isascii() and declared.isdigit()):
            out.append(Problem("segment_count", f"UNT segment count {declared!r} is not a number; the "
                               f"message has {actual} segments from UNH to UNT", self.trailer))
        elif int(declared) != actual:
            out.append(Problem("segment_count", f"UNT says the message has {int(declared)} segments but it "
                               f"has {actual} from UNH to UNT inclusive", self.trailer))
        trailer_ref = self.trailer.get(1)
        if trailer_ref != self.reference:
            out.append(Problem("reference_mismatch", f"UNT reference {trailer_ref!r} does not match UNH "
                               f"reference {self.reference!r}", self.trailer))
        return out


def split_messages(segments: Iterable[Segment]) -> Iterator[Message | Problem]:
    """Group a segment stream into messages (UNH..UNT), checking the UNB..UNZ envelope around them.

    Yields each message as soon as its UNT is read (or as soon as it is known to be cut off), and a
    Problem for envelope faults: UNZ count or reference mismatch, missing UNZ, segments outside any
    message, a syntax error that ends the stream.
    """
    interchange: Interchange | None = None
    current: Message | None = None
    index = 0
    # Segments outside any message: the first is kept for its place, the others only counted, so a
    # file of nothing but stray segments does not pile up in memory.
    stray: list[Segment] = []
    stray_tags: dict[str, None] = {}
    stray_count = 0
    oversized = False  # skipping the rest of a message that exceeded the segment limit

    def flush_stray() -> Iterator[Problem]:
        nonlocal stray_count
        if stray:
            tags = ", ".join(stray_tags)
            more = f" and {stray_count - 1} more" if stray_count > 1 else ""
            yield Problem("outside_message", f"segment {stray[0].tag} is outside any UNH..UNT message{more} "
                          f"({tags})", stray[0], interchange)
            stray.clear()
            stray_tags.clear()
            stray_count = 0

    iterator = iter(segments)
    while True:
        try:
            seg = next(iterator)
        except StopIteration:
            break
        except EdifactSyntaxError as exc:
            if current is not None:
                yield current
                current = None
            yield from flush_stray()
            yield Problem("syntax", str(exc), None, interchange)  # str() keeps the byte offset and line
            return

        tag = seg.tag
        if oversized:
            if tag not in ("UNT", "UNH", "UNZ", "UNB", "UNG", "UNE"):
                continue
            oversized = False
            if tag == "UNT":
                continue
        if current is not None and len(current.segments) >= MAX_EDIFACT_MESSAGE_SEGMENTS:
            yield Problem("too_large", f"message {current.reference or '?'} has more than "
                          f"{MAX_EDIFACT_MESSAGE_SEGMENTS} segments; it was skipped", current.header,
                          interchange)
            current = None
            oversized = tag not in ("UNT", "UNH", "UNZ", "UNB", "UNG", "UNE")
            if oversized or tag == "UNT":
                continue
        if current is not None:
            if tag == "UNT":
                current.segments.append(seg)
                current.trailer = seg
                yield current
                current = None
                continue
            if tag not in ("UNH", "UNZ", "UNB", "UNE", "UNG"):
                current.segments.append(seg)
                continue
            current.cut_by = seg
            yield current
            current = None

        if tag == "UNH":
            yield from flush_stray()
            index += 1
            if interchange is not None:
                interchange.messages += 1
            current = Message(index=index, segments=[seg], interchange=interchange)
        elif tag == "UNB":
            yield from flush_stray()
            if interchange is not None:
                yield Problem("missing_unz", f"interchange {interchange.reference or '?'} has no UNZ trailer "
                              f"before the next UNB", seg, interchange)
            interchange = Interchange.from_unb(seg)
        elif tag == "UNG":
            if interchange is not None:
                interchange.groups += 1
        elif tag == "UNE":
            continue
        elif tag == "UNZ":
            yield from flush_stray()
            if interchange is None:
                yield Problem("outside_message", "UNZ without a UNB", seg, None)
                continue
            declared = seg.get(0)
            actual = interchange.groups or interchange.messages
            what = "functional groups" if interchange.groups else "messages"
            if not (declared.isascii() and declared.isdigit()) or int(declared) != actual:
                yield Problem("interchange_count", f"UNZ says the interchange holds {declared or '?'} {what} "
                              f"but it holds {actual}", seg, interchange)
            if seg.get(1) != (interchange.reference or ""):
                yield Problem("reference_mismatch", f"UNZ reference {seg.get(1)!r} does not match UNB "
                              f"reference {interchange.reference!r}", seg, interchange)
            interchange = None
        else:
            if not stray:
                stray.append(seg)
            if len(stray_tags) < 20:
                stray_tags[seg.tag] = None
            stray_count += 1
    if current is not None:
        yield current
    yield from flush_stray()
    if interchange is not None:
        yield Problem("missing_unz", f"interchange {interchange.reference or '?'} has no UNZ trailer",
                      interchange.header, interchange)


__all__ = [
    "CHARSETS",
    "DEFAULT_DELIMITERS",
    "Delimiters",
    "EdifactSyntaxError",
    "Interchange",
    "Message",
    "Problem",
    "Segment",
    "Tokenizer",
    "codec_for",
    "iter_segments",
    "parse_text",
    "split_messages",
]
