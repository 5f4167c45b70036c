"""Every sample message in ../shared/data/messages ingests, or is rejected with a precise reason."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from corridor.consignments.service import get_consignment
from corridor.ingest.base import ReadOptions
from corridor.ingest.service import ingest_paths

SAMPLES = [
    "edifact/cuscar-tools_CUSCAR_D95B_simple.edi",
    "edifact/php-edifact_D95BBAPLIE.edi",
    "edifact/php-edifact_D95BCOARRI.edi",
    "wco_dms_hmrc/TT_IM003a.xml",
    "wco_dms_hmrc/TT_IM004a.xml",
    "wco_dms_hmrc/TT_IM024a.xml",
    "wco_dms_hmrc/TT_EX001a.xml",
    "iata_cargo_xml/888-11111111_XFWB.xml",
    "iata_cargo_xml/888-11111111_XFWB_ACAS_US.xml",
    "iata_cargo_xml/888-11111111_XFWB_multipleULD_multipleHTS.xml",
    "iata_cargo_xml/SEL22222222_XFZB.xml",
]


def test_every_sample_message(engine: Engine, messages_dir: Path) -> None:
    paths = [messages_dir / s for s in SAMPLES]
    report = ingest_paths(engine, paths)
    by_file = {f.file: f for f in report.files}
    expected_formats = {"edi": "cuscar", "xml": None}
    for path in paths:
        summary = by_file[path.name]
        if path.suffix == ".xml":
            assert summary.format in ("wco", "cargo_xml")
        else:
            assert summary.format == expected_formats["edi"]
    # The CUSCAR sample's UNT says 313 segments; the message has 30: rejected, saying both numbers.
    cuscar = [r for r in report.rejections if r.file.startswith("cuscar-tools")]
    assert len(cuscar) == 1 and cuscar[0].code == "segment_count"
    assert "313" in cuscar[0].reason and "30" in cuscar[0].reason
    # BAPLIE and COARRI are not cargo reports: every message is refused with its type named.
    for name in ("php-edifact_D95BBAPLIE.edi", "php-edifact_D95BCOARRI.edi"):
        refused = [r for r in report.rejections if r.file == name]
        assert refused and all(r.code == "unsupported_message" for r in refused)
        assert by_file[name].accepted == 0
    for name in SAMPLES[3:]:
        summary = by_file[Path(name).name]
        # The three XFWB variants carry the same AWB number: the later ones are amendments of it.
        assert summary.rejected == 0 and summary.accepted + summary.amended >= 1, summary
    with Session(engine) as session:
        row, awb = get_consignment(session, "AWB:888-11111111")
        assert awb.mode.value == "air" and row.version == 3
        _row, declaration = get_consignment(session, "DEC:IM04_080721_001")
        assert declaration.goods[0].hs_code == "16042040"
    # Re-ingesting every sample is a no-op.
    again = ingest_paths(engine, paths)
    assert again.total("accepted") == 0 and again.total("amended") == 0


def test_lenient_mode_accepts_the_miscounted_cuscar_with_a_warning(engine: Engine, messages_dir: Path) -> None:
    path = messages_dir / "edifact" / "cuscar-tools_CUSCAR_D95B_simple.edi"
    report = ingest_paths(engine, [path], options=ReadOptions(lenient=True))
    assert report.total("accepted") == 1 and report.total("rejected") == 0
    with Session(engine) as session:
        _row, c = get_consignment(session, "BL:DOCV373MOB909999")
    assert any(w.code == "segment_count" for w in c.warnings)
    assert c.equipment[0].number == "EQ123456"
