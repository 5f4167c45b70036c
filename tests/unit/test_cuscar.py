"""CUSCAR reading and writing, as the user sees it: consignments in, rejections with reasons out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corridor.domain.consignment import (
    Consignment,
    Conveyance,
    DocumentType,
    Equipment,
    FreightPayment,
    GoodsItem,
    Identifier,
    ItineraryStop,
    MessageFunction,
    Party,
    PartyRole,
    Place,
    StopRole,
    TransportMode,
)
from corridor.ingest.base import Parsed, ReadItem, ReadOptions, Rejection
from corridor.ingest.cuscar import CuscarReader
from corridor.ingest.cuscar_codes import parse_date
from corridor.ingest.cuscar_writer import write_cuscar
from corridor.ingest.edifact import codec_for

SAMPLE = "cuscar-tools_CUSCAR_D95B_simple.edi"


def read(path: Path, lenient: bool = False) -> list[ReadItem]:
    return list(CuscarReader().read(path, path.name, ReadOptions(lenient=lenient)))


def parsed(items: list[ReadItem]) -> list[Consignment]:
    return [i.consignment for i in items if isinstance(i, Parsed)]


def rejected(items: list[ReadItem]) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


def write_file(tmp_path: Path, text: str, name: str = "in.edi") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="latin-1")
    return path


def message(ref: str, body: str, *, count: int | None = None, trailer_ref: str | None = None) -> str:
    segments = [f"UNH+{ref}+CUSCAR:D:95B:UN", *[s for s in body.split("'") if s.strip()]]
    n = len(segments) + 1 if count is None else count
    return "'\n".join([*segments, f"UNT+{n}+{trailer_ref or ref}"]) + "'\n"


def interchange(*messages: str, count: int | None = None) -> str:
    n = len(messages) if count is None else count
    return "UNB+UNOC:3+SENDERX+CUSTOMS+240301:0915+IC42'\n" + "".join(messages) + f"UNZ+{n}+IC42'\n"


BASIC = (
    "BGM+85+MSG1+9'DTM+137:202403010800:203'"
    "TDT+20+V12E+1+++++9074729:146::MV CASPIAN STAR:AZ'"
    "LOC+9+TRTUZ::6'DTM+133:202403020600:203'LOC+11+AZBAK'DTM+132:20240305:102'"
    "CNI+1+{doc}'RFF+BM:{doc}'CNT+7:12.5:TNE'"
    "NAD+CZ+++SHIPPER CO+1 QUAY ST+IZMIR++35000+TR'NAD+CN+AZ123:EORI+++BAKU ROAD 5+BAKU++AZ1000+AZ'"
    "GID+1+10:CT'FTX+AAA+++WHEEL NUTS'PIA+5+731816:HS'MEA+AAE+G+TNE:12.5'"
)


# ---------------------------------------------------------------- the shared real sample


def test_sample_rejected_by_default_for_wrong_unt_count(messages_dir: Path) -> None:
    items = read(messages_dir / "edifact" / SAMPLE)
    assert parsed(items) == []
    [rejection] = rejected(items)
    assert rejection.code == "segment_count"
    assert "313" in rejection.reason and "30" in rejection.reason
    assert rejection.location.startswith("message 1 (UNH MREF123456), segment 31 (UNT)")
    assert rejection.file == SAMPLE


def test_sample_accepted_with_warning_when_lenient(messages_dir: Path) -> None:
    items = read(messages_dir / "edifact" / SAMPLE, lenient=True)
    assert rejected(items) == []
    [c] = parsed(items)
    assert c.document_number == "DOCV373MOB909999"
    assert c.document_type == DocumentType.BILL_OF_LADING
    assert c.function == MessageFunction.ORIGINAL
    assert c.mode == TransportMode.SEA
    assert any(w.code == "segment_count" and "313" in w.message for w in c.warnings)
    # Master-level data from the header is inherited by the CNI group.
    assert c.conveyance is not None
    assert c.conveyance.name == "TEST SHIP"
    assert c.conveyance.call_sign == "MEANSTRANS1234"
    assert c.conveyance.journey_number == "TRANS1234"
    assert c.carrier is not None and c.carrier.name == "SOMEONE"
    assert c.filed_at == datetime(2019, 10, 21, 8, 52, tzinfo=UTC)
    assert c.eta == datetime(2019, 10, 29, 3, 30, tzinfo=UTC)
    assert c.place_of_loading == Place(locode="CRMOB")
    assert c.place_of_discharge == Place(locode="GBPME")
    assert [(s.role, s.place.locode) for s in c.itinerary] == [
        (StopRole.LOADING, "CRMOB"), (StopRole.DISCHARGE, "GBPME"),
    ]
    [eq] = c.equipment
    assert eq.number == "EQ123456" and eq.full is True and eq.gross_kg == 55814
    [item] = c.goods
    assert item.packages == 2880 and item.gross_kg == 55814
    assert item.description == "FREETEXT DESC, DETAILS"
    assert item.marks == "SHIP1234"
    assert item.containers == ["EQ123456"]
    assert c.total_gross_kg == 55814
    consignee = c.party(PartyRole.CONSIGNEE)
    consignor = c.party(PartyRole.CONSIGNOR)
    assert consignee is not None and consignee.name == "ANOTHER PERSON"
    assert consignee.identifiers[0].value == "MOB00995"
    assert consignor is not None and consignor.name == "ANOTHER DIFFERENT PERSON"
    assert consignor.address == "ANOTHER COMPANY, SOMEWHERE ELSE"
    assert c.party(PartyRole.SELLER) is not None
    assert c.provenance is not None
    assert c.provenance.sender == "SENDER" and c.provenance.message_id == "MREF123456"
    assert c.provenance.format == "cuscar" and c.provenance.file == SAMPLE


@pytest.mark.parametrize(("name", "types"), [
    ("php-edifact_D95BBAPLIE.edi", ["BAPLIE"]),
    ("php-edifact_D95BCOARRI.edi", ["COARRI", "COARRI"]),
])
def test_other_message_types_rejected_per_message(messages_dir: Path, name: str, types: list[str]) -> None:
    items = read(messages_dir / "edifact" / name)
    assert parsed(items) == []
    rejections = rejected(items)
    assert [r.code for r in rejections] == ["unsupported_message"] * len(types)
    for rejection, kind in zip(rejections, types, strict=True):
        assert kind in rejection.reason and "CUSCAR" in rejection.reason


# ---------------------------------------------------------------- faults stay local


def test_broken_message_in_the_middle_does_not_stop_the_rest(tmp_path: Path) -> None:
    text = interchange(
        message("M1", BASIC.format(doc="BL1")),
        message("M2", BASIC.format(doc="BL2"), count=99),
        message("M3", BASIC.format(doc="BL3")),
    )
    items = read(write_file(tmp_path, text))
    assert [c.document_number for c in parsed(items)] == ["BL1", "BL3"]
    [rejection] = rejected(items)
    assert rejection.code == "segment_count" and "message 2 (UNH M2)" in rejection.location


def test_missing_unt_and_reference_mismatch(tmp_path: Path) -> None:
    cut = "UNH+M2+CUSCAR:D:95B:UN'" + BASIC.format(doc="BL2")
    text = interchange(message("M1", BASIC.format(doc="BL1"), trailer_ref="XX"), cut,
                       message("M3", BASIC.format(doc="BL3")))
    items = read(write_file(tmp_path, text))
    assert [c.document_number for c in parsed(items)] == ["BL3"]
    assert [r.code for r in rejected(items)] == ["reference_mismatch", "missing_unt"]


def test_unz_count_mismatch_is_reported_without_losing_messages(tmp_path: Path) -> None:
    text = interchange(message("M1", BASIC.format(doc="BL1")), count=3)
    items = read(write_file(tmp_path, text))
    assert [c.document_number for c in parsed(items)] == ["BL1"]
    [rejection] = rejected(items)
    assert rejection.code == "interchange_count" and "3" in rejection.reason and "1" in rejection.reason


def test_cni_without_document_number_rejects_only_that_consignment(tmp_path: Path) -> None:
    body = BASIC.format(doc="BL1") + "CNI+2'GID+1+5:CT'CNI+3+BL3'GID+1+1:PK'"
    items = read(write_file(tmp_path, interchange(message("M1", body))))
    assert [c.document_number for c in parsed(items)] == ["BL1", "BL3"]
    [rejection] = rejected(items)
    assert rejection.code == "missing_document_number"
    assert "(CNI)" in rejection.location


def test_invalid_field_becomes_validation_rejection(tmp_path: Path) -> None:
    body = BASIC.format(doc="BL1") + "CNI+2+BL2'NAD+CN+++BAD COUNTRY+++++AZE'"
    items = read(write_file(tmp_path, interchange(message("M1", body))))
    assert [c.document_number for c in parsed(items)] == ["BL1"]
    [rejection] = rejected(items)
    assert rejection.code == "invalid_field"
    assert rejection.field == "parties[0].country"


@pytest.mark.parametrize("content", ["id,name\n1,x\n", "", "NOT'EDIFACT'AT'ALL'"])
def test_not_edifact_file_is_one_rejection(tmp_path: Path, content: str) -> None:
    items = read(write_file(tmp_path, content))
    [rejection] = rejected(items)
    assert rejection.location == "file" and rejection.code == "not_edifact"


def test_missing_file_is_one_rejection(tmp_path: Path) -> None:
    [rejection] = read(tmp_path / "nowhere.edi")
    assert isinstance(rejection, Rejection) and rejection.code == "unreadable"


def test_stray_segment_is_reported_and_messages_still_read(tmp_path: Path) -> None:
    text = interchange(message("M1", BASIC.format(doc="BL1"))).replace("UNH+M1", "FTX+AAA+++STRAY'\nUNH+M1")
    items = read(write_file(tmp_path, text))
    assert [c.document_number for c in parsed(items)] == ["BL1"]
    assert [r.code for r in rejected(items)] == ["outside_message"]


def test_lenient_accepts_reference_mismatch_with_warning(tmp_path: Path) -> None:
    text = interchange(message("M1", BASIC.format(doc="BL1"), trailer_ref="M9"))
    [c] = parsed(read(write_file(tmp_path, text), lenient=True))
    assert [w.code for w in c.warnings] == ["reference_mismatch"]


def test_gross_weight_control_total_mismatch_warns(tmp_path: Path) -> None:
    body = BASIC.format(doc="BL1").replace("CNT+7:12.5:TNE", "CNT+7:13000:KGM")
    [c] = parsed(read(write_file(tmp_path, interchange(message("M1", body)))))
    assert c.total_gross_kg == 13000
    [warning] = [w for w in c.warnings if w.code == "control_total"]
    assert warning.field == "total_gross_kg" and "13000" in warning.message and "12500" in warning.message


def test_goods_without_cni_use_header_bill_of_lading(tmp_path: Path) -> None:
    body = "BGM+85+M+9'RFF+BM:HDRBL1'TDT+20+V1+1'GID+1+4:PK'FTX+AAA+++TEA'"
    [c] = parsed(read(write_file(tmp_path, interchange(message("M1", body)))))
    assert c.document_number == "HDRBL1" and c.goods[0].description == "TEA"


# ---------------------------------------------------------------- mapping details


def test_mapping_of_a_structured_message(tmp_path: Path) -> None:
    body = BASIC.format(doc="MSCU1234567") + "CNT+11:12'"
    [c] = parsed(read(write_file(tmp_path, interchange(message("M1", body)))))
    assert c.conveyance is not None and c.conveyance.imo == "9074729" and c.conveyance.flag == "AZ"
    assert c.departure_at == datetime(2024, 3, 2, 6, 0, tzinfo=UTC)
    assert c.eta == datetime(2024, 3, 5, tzinfo=UTC)
    assert c.total_gross_kg == 12500
    assert c.goods[0].gross_kg == 12500 and c.goods[0].hs_code == "731816"
    consignee = c.party(PartyRole.CONSIGNEE)
    assert consignee is not None
    assert consignee.identifiers == [Identifier(scheme="EORI", value="AZ123")]
    assert (consignee.address, consignee.city, consignee.postcode, consignee.country) == (
        "BAKU ROAD 5", "BAKU", "AZ1000", "AZ",
    )
    # Control total of packages (12) does not match the goods item (10): a record warning, not a rejection.
    assert [w.field for w in c.warnings if w.code == "control_total"] == ["total_packages"]


def test_function_codes_and_freight(tmp_path: Path) -> None:
    amend = BASIC.format(doc="BL1").replace("BGM+85+MSG1+9", "BGM+85+MSG1+4") + "TOD++CC'"
    cancel = BASIC.format(doc="BL2").replace("BGM+85+MSG1+9", "BGM+85+MSG1+1") + "CPI++PP'"
    items = parsed(read(write_file(tmp_path, interchange(message("A", amend), message("B", cancel)))))
    assert [(c.function, c.freight_payment) for c in items] == [
        (MessageFunction.AMENDMENT, FreightPayment.COLLECT),
        (MessageFunction.CANCELLATION, FreightPayment.PREPAID),
    ]


def test_document_type_follows_mode(tmp_path: Path) -> None:
    road = "BGM+85+M+9'TDT+20++3+++++AB123CD'CNI+1+CMR778'GID+1+3:PX'"
    air = "BGM+85+M+9'TDT+20+TK123+4'CNI+1+235-12345675'GID+1+3:PX'"
    items = parsed(read(write_file(tmp_path, interchange(message("A", road), message("B", air)))))
    assert [(c.document_type, c.mode) for c in items] == [
        (DocumentType.CMR, TransportMode.ROAD), (DocumentType.AIR_WAYBILL, TransportMode.AIR),
    ]
    assert items[0].conveyance is not None and items[0].conveyance.registration == "AB123CD"


def test_una_custom_separators_in_a_cuscar_file(tmp_path: Path) -> None:
    text = interchange(message("M1", BASIC.format(doc="BL1")))
    text = text.replace("+", "*").replace(":", "|").replace("'", "~")
    text = "UNA|*.# ~" + text.replace("SHIPPER CO", "SHIPPER #* CO")
    [c] = parsed(read(write_file(tmp_path, text)))
    consignor = c.party(PartyRole.CONSIGNOR)
    assert consignor is not None and consignor.name == "SHIPPER * CO"


def test_sgp_links_header_equipment_to_consignments(tmp_path: Path) -> None:
    body = (
        "BGM+85+M+9'TDT+20+V1+1+++++UBCD3:103::SHIP'"
        "EQD+CN+MSCU1234566+45G1+++5'SEL+SEAL1'SEL+SEAL2'EQD+CN+TGHU7654321+22G1+++4'"
        "CNI+1+BL1'GID+1+1:PK'SGP+MSCU1234566'MEA+AAE+G+KGM:999'"
        "CNI+2+BL2'GID+1+2:PK'SGP+TGHU 765432-1'MEA+AAE+G+LBR:1000'"
    )
    first, second = parsed(read(write_file(tmp_path, interchange(message("M1", body)))))
    assert [(e.number, e.seals, e.full) for e in first.equipment] == [
        ("MSCU1234566", ["SEAL1", "SEAL2"], True)
    ]
    # MEA after SGP weighs the goods in that container, not the goods item.
    assert first.goods[0].gross_kg is None
    assert [(e.number, e.full) for e in second.equipment] == [("TGHU7654321", False)]


@pytest.mark.parametrize(("value", "fmt", "expected"), [
    ("20240301", "102", datetime(2024, 3, 1, tzinfo=UTC)),
    ("202403011230", "203", datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
    ("20240301123045", "204", datetime(2024, 3, 1, 12, 30, 45, tzinfo=UTC)),
    ("2403011230", "201", datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
    ("202403011230+0400", "303", datetime(2024, 3, 1, 8, 30, tzinfo=UTC)),
    ("2024-03-01", "102", None),
])
def test_date_formats(value: str, fmt: str, expected: datetime | None) -> None:
    assert parse_date(value, fmt) == expected


# ---------------------------------------------------------------- writer round trip


def _consignments() -> list[Consignment]:
    arrival = datetime(2024, 3, 5, 6, 0, tzinfo=UTC)
    departure = datetime(2024, 3, 2, 18, 15, 30, tzinfo=UTC)
    first = Consignment(
        document_type=DocumentType.BILL_OF_LADING,
        document_number="MEDU+1:2'3?",
        master_document_number="MASTER'01",
        mode=TransportMode.SEA,
        carrier=Party(role=PartyRole.CARRIER, name="CASPIAN LINES: SHIPPING + CO",
                      identifiers=[Identifier(scheme="CARRIER", value="CSPL")]),
        conveyance=Conveyance(mode=TransportMode.SEA, name="MV O'HARA", imo="9074729", flag="AZ",
                              journey_number="V?12E"),
        office="AZBAK",
        filed_at=datetime(2024, 3, 1, 8, 0, tzinfo=UTC),
        departure_at=departure,
        eta=arrival,
        place_of_loading=Place(locode="KZAKT"),
        place_of_discharge=Place(locode="AZBAK", name="Baku: Alyat port"),
        place_of_delivery=Place(locode="GEPTI"),
        itinerary=[
            ItineraryStop(sequence=0, role=StopRole.RECEIPT, place=Place(name="ALMATY DEPOT")),
            ItineraryStop(sequence=1, role=StopRole.LOADING, place=Place(locode="KZAKT"), departure=departure),
            ItineraryStop(sequence=2, role=StopRole.TRANSHIPMENT, place=Place(locode="TMKRW")),
            ItineraryStop(sequence=3, role=StopRole.DISCHARGE, place=Place(locode="AZBAK", name="Baku: Alyat port"),
                          arrival=arrival),
            ItineraryStop(sequence=4, role=StopRole.DELIVERY, place=Place(locode="GEPTI")),
        ],
        origin_country="CN",
        departure_country="KZ",
        destination_country="GE",
        transit_countries=["AZ", "TM"],
        parties=[
            Party(role=PartyRole.CONSIGNOR, name="O'BRIEN + SONS: EXPORT? LTD " * 3,
                  address="12 Harbour Rd, Unit 5", city="AKTAU", postcode="130000", country="KZ",
                  identifiers=[Identifier(scheme="EORI", value="KZ12:34")]),
            Party(role=PartyRole.CONSIGNEE, name="Société Générale d'Import", country="GE",
                  identifiers=[Identifier(scheme="GLN", value="4012345000009")]),
            Party(role=PartyRole.NOTIFY, name="NOTIFY ME"),
            Party(role=PartyRole.FREIGHT_FORWARDER, name="FWD", identifiers=[Identifier(scheme="EDI", value="F1")]),
        ],
        goods=[
            GoodsItem(sequence=1, hs_code="87032310", description="USED CARS + PARTS: 'AS IS'? " * 20,
                      packages=3, package_type="UN", gross_kg=4500.5, net_kg=4000, origin_country="DE",
                      marks="NO MARKS", containers=["MSCU1234566"]),
            GoodsItem(sequence=2, description="LITHIUM BATTERIES", packages=10, package_type="CT",
                      gross_kg=120.25, containers=["MSCU1234566", "TGHU7654321"], dangerous_goods_un="3480"),
        ],
        equipment=[
            Equipment(number="MSCU1234566", size_type="45G1", seals=["S1+", "S2"], full=True, gross_kg=8000),
            Equipment(number="TGHU7654321", size_type="22G1", full=False),
        ],
        freight_payment=FreightPayment.COLLECT,
        total_packages=13,
        total_gross_kg=4620.75,
    )
    second = Consignment(
        document_type=DocumentType.CMR,
        document_number="CMR-2024-001",
        function=MessageFunction.AMENDMENT,
        mode=TransportMode.ROAD,
        conveyance=Conveyance(mode=TransportMode.ROAD, registration="10-AB-123", flag="AZ"),
        filed_at=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        place_of_loading=Place(locode="IRTHR"),
        parties=[Party(role=PartyRole.CONSIGNEE, name="ASTARA TRADE")],
        goods=[GoodsItem(sequence=1, description="DRIED FRUIT", packages=400, package_type="BG")],
        itinerary=[ItineraryStop(sequence=0, role=StopRole.LOADING, place=Place(locode="IRTHR"))],
        freight_payment=FreightPayment.PREPAID,
    )
    third = Consignment(
        document_type=DocumentType.AIR_WAYBILL,
        document_number="235-12345675",
        master_document_number="235-00000001",
        function=MessageFunction.CANCELLATION,
        mode=TransportMode.AIR,
        conveyance=Conveyance(mode=TransportMode.AIR, journey_number="TK342"),
        goods=[GoodsItem(sequence=1, description="SPARE PARTS", packages=1)],
    )
    return [first, second, third]


def _comparable(c: Consignment) -> dict[str, object]:
    return c.model_dump(exclude={"provenance", "warnings", "attributes"})


def test_writer_round_trip(tmp_path: Path) -> None:
    originals = _consignments()
    chunks = write_cuscar(originals, sender="CORRIDOR", recipient="AZCUSTOMS", interchange_ref="IC+1",
                          prepared=datetime(2024, 3, 1, 10, 0, tzinfo=UTC), syntax="UNOC:3")
    path = tmp_path / "out.edi"
    with path.open("w", encoding=codec_for("UNOC")) as fh:
        for chunk in chunks:
            fh.write(chunk)
    items = read(path)
    assert rejected(items) == []
    back = parsed(items)
    assert [_comparable(c) for c in back] == [_comparable(c) for c in originals]
    assert all(c.warnings == [] for c in back)
    assert back[0].provenance is not None and back[0].provenance.sender == "CORRIDOR"
    assert back[1].provenance is not None and back[1].provenance.message_id == "2"


def test_writer_utf8_and_counts(tmp_path: Path) -> None:
    originals = [c.model_copy(update={"parties": [Party(role=PartyRole.CONSIGNEE, name="ООО «Ромашка»")]})
                 for c in _consignments()]
    text = "".join(write_cuscar(originals, sender="A", recipient="B", interchange_ref="R",
                                prepared=datetime(2024, 3, 1, tzinfo=UTC)))
    assert text.startswith("UNA:+.?*'\nUNB+UNOW:4+A+B+20240301:0000+R'")
    assert text.rstrip().endswith("UNZ+3+R'")
    path = tmp_path / "utf8.edi"
    path.write_text(text, encoding=codec_for("UNOW"))
    back = parsed(read(path))
    assert [c.parties[0].name for c in back] == ["ООО «Ромашка»"] * 3


def test_writer_streams_many_consignments(tmp_path: Path) -> None:
    template = _consignments()[1]
    many = (template.model_copy(update={"document_number": f"CMR{i:06d}"}) for i in range(2000))
    path = tmp_path / "many.edi"
    with path.open("w", encoding="utf-8") as fh:
        for chunk in write_cuscar(many, sender="A", recipient="B", interchange_ref="R",
                                  prepared=datetime(2024, 3, 1, tzinfo=UTC), newline=False):
            fh.write(chunk)
    items = read(path)
    assert rejected(items) == []
    assert len(parsed(items)) == 2000
    assert parsed(items)[-1].document_number == "CMR001999"
