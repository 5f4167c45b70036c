"""The EDIFACT tokenizer and splitter: separators, release character, positions, envelopes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from corridor.ingest.edifact import (
    Delimiters,
    EdifactSyntaxError,
    Message,
    Problem,
    Tokenizer,
    iter_segments,
    parse_text,
    split_messages,
)


def test_default_separators_without_una() -> None:
    segs = parse_text("UNB+UNOA:3+SEND+RECV+200101:1200+REF1'UNH+1+CUSCAR:D:95B:UN'")
    assert [s.tag for s in segs] == ["UNB", "UNH"]
    assert segs[0].elements == [["UNOA", "3"], ["SEND"], ["RECV"], ["200101", "1200"], ["REF1"]]
    assert segs[1].get(1, 0) == "CUSCAR"
    assert segs[1].get(1, 2) == "95B"
    assert segs[1].get(7) == "" and segs[1].element(9) == []


def test_una_custom_separators_and_release() -> None:
    # component |, element *, decimal ",", release #, segment terminator ~
    segs = parse_text("UNA|*,# ~NAD*CN*ID1|ZZZ*A#*B#|C#~D##E~FTX*AAA***x~")
    assert [s.tag for s in segs] == ["NAD", "FTX"]
    nad = segs[0]
    assert nad.elements == [["CN"], ["ID1", "ZZZ"], ["A*B|C~D#E"]]
    assert segs[1].elements == [["AAA"], [""], [""], ["x"]]


def test_release_character_default() -> None:
    segs = parse_text("FTX+AAA+++BOLTS ?+ NUTS?: 10?? PCS?'S'RFF+BM:1'")
    assert segs[0].element(3) == ["BOLTS + NUTS: 10? PCS'S"]
    assert segs[1].tag == "RFF"
    # An escaped release character right before the terminator does not hide the terminator.
    segs = parse_text("FTX+AAA+++END??'RFF+BM:2'")
    assert segs[0].get(3) == "END?"
    assert segs[1].get(0, 1) == "2"


def test_una_without_release_character() -> None:
    segs = parse_text("UNA:+.  'FTX+AAA+++A?B'")
    assert segs[0].get(3) == "A?B"


def test_newlines_positions_and_numbers() -> None:
    text = "UNA:+.? '\r\nUNB+UNOC:3+A+B+200101:1200+R'\r\nUNH+1+CUSCAR:D:95B:UN'\n\nBGM+85+X+9'\nUNT+3+1'"
    segs = parse_text(text)
    assert [(s.tag, s.number, s.line) for s in segs] == [
        ("UNB", 1, 2), ("UNH", 2, 3), ("BGM", 3, 5), ("UNT", 4, 6),
    ]
    raw = text.encode()
    for seg in segs:
        assert raw[seg.offset : seg.offset + 3].decode() == seg.tag


def test_streams_in_small_chunks_across_boundaries() -> None:
    body = "".join(f"FTX+AAA+++LINE {i} ?'QUOTED?' ?+ ?: ??'\n" for i in range(500))
    data = ("UNB+UNOC:3+A+B+200101:1200+R'\n" + body).encode("latin-1")
    segs = list(Tokenizer(io.BytesIO(data), chunk_size=7))
    assert len(segs) == 501
    assert segs[-1].get(3) == "LINE 499 'QUOTED' + : ?"
    assert segs[-1].line == 501


def test_segment_terminator_newline() -> None:
    segs = parse_text("UNA:+.? \nUNH+1+CUSCAR:D:95B:UN\r\nBGM+85+X+9\n")
    assert [(s.tag, s.line) for s in segs] == [("UNH", 2), ("BGM", 3)]
    assert segs[1].get(1) == "X"


def test_second_una_mid_file_changes_separators() -> None:
    text = "UNB+UNOA:3+A+B+200101:1200+R1'UNZ+0+R1'\nUNA|*.# ~UNB*UNOA|3*A*B*200101|1200*R2~FTX*AAA***x+y#~z~"
    for chunk_size in (5, 1 << 16):
        segs = list(Tokenizer(io.BytesIO(text.encode()), chunk_size=chunk_size))
        assert [s.tag for s in segs] == ["UNB", "UNZ", "UNB", "FTX"]
        assert segs[2].get(4) == "R2" and segs[2].line == 2
        assert segs[3].get(3) == "x+y~z"


def test_encoding_follows_unb_syntax_identifier() -> None:
    latin = "UNB+UNOC:3+A+B+200101:1200+R'NAD+CN+++MÜLLER GMBH'".encode("latin-1")
    assert list(Tokenizer(io.BytesIO(latin)))[1].get(3) == "MÜLLER GMBH"
    utf8 = "UNB+UNOW:4+A+B+20200101:1200+R'NAD+CN+++ООО РОМАШКА'".encode()
    assert list(Tokenizer(io.BytesIO(utf8)))[1].get(3) == "ООО РОМАШКА"
    cyrillic = "UNB+UNOE:3+A+B+200101:1200+R'NAD+CN+++ООО РОМАШКА'".encode("iso8859-5")
    assert list(Tokenizer(io.BytesIO(cyrillic)))[1].get(3) == "ООО РОМАШКА"
    # UTF-8 in an interchange labelled Latin-1 (a common mislabel) still reads right.
    mislabelled = "UNB+UNOC:3+A+B+200101:1200+R'NAD+CN+++Məmmədov'".encode()
    assert list(Tokenizer(io.BytesIO(mislabelled)))[1].get(3) == "Məmmədov"


def test_unterminated_garbage_raises_with_position() -> None:
    with pytest.raises(EdifactSyntaxError) as info:
        parse_text("UNH+1+CUSCAR:D:95B:UN'BGM+85")
    assert info.value.offset == 22


def test_runaway_segment_is_refused() -> None:
    data = b"UNH+1+" + b"X" * 5000
    with pytest.raises(EdifactSyntaxError, match="no segment terminator"):
        list(Tokenizer(io.BytesIO(data), chunk_size=100, max_segment_bytes=1000))


def test_delimiters_round_trip_una_and_escape() -> None:
    d = Delimiters.from_una(":+.? '")
    assert d.una() == "UNA:+.? '"
    assert d.escape("A+B:C'D?E") == "A?+B?:C?'D??E"
    escaped = d.escape("A+B:C'D?E")
    assert parse_text(f"FTX+AAA+++{escaped}'")[0].get(3) == "A+B:C'D?E"


def test_split_messages_checks_counts_and_references() -> None:
    text = (
        "UNB+UNOA:3+A+B+200101:1200+IC1'"
        "UNH+M1+CUSCAR:D:95B:UN'BGM+85+X+9'UNT+3+M1'"
        "UNH+M2+CUSCAR:D:95B:UN'BGM+85+Y+9'UNT+9+M2'"
        "UNH+M3+CUSCAR:D:95B:UN'BGM+85+Z+9'UNT+3+OTHER'"
        "UNH+M4+CUSCAR:D:95B:UN'BGM+85+W+9'"
        "UNH+M5+CUSCAR:D:95B:UN'UNT+2+M5'"
        "UNZ+4+IC1'"
    )
    items = list(split_messages(parse_text(text)))
    messages = [i for i in items if isinstance(i, Message)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert [m.reference for m in messages] == ["M1", "M2", "M3", "M4", "M5"]
    assert [[p.code for p in m.integrity_problems()] for m in messages] == [
        [], ["segment_count"], ["reference_mismatch"], ["missing_unt"], [],
    ]
    assert "9" in messages[1].integrity_problems()[0].reason and "3" in messages[1].integrity_problems()[0].reason
    assert [p.code for p in problems] == ["interchange_count"]
    assert "4" in problems[0].reason and "5" in problems[0].reason


def test_split_messages_reports_missing_unz_and_stray_segments() -> None:
    text = "UNB+UNOA:3+A+B+200101:1200+IC1'BGM+85+X'FTX+AAA'UNH+M1+CUSCAR:D:95B:UN'UNT+2+M1'"
    items = list(split_messages(parse_text(text)))
    codes = [i.code if isinstance(i, Problem) else "message" for i in items]
    assert codes == ["outside_message", "message", "missing_unz"]


def test_shared_samples_tokenize(messages_dir: Path) -> None:
    segs = list(iter_segments(messages_dir / "edifact" / "cuscar-tools_CUSCAR_D95B_simple.edi"))
    assert segs[0].tag == "UNB" and segs[-1].tag == "UNZ"
    tdt = next(s for s in segs if s.tag == "TDT")
    assert tdt.get(7, 3) == "TEST SHIP"
    assert tdt.number == 7 and tdt.line == 7
