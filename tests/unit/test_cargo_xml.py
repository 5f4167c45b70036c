"""IATA Cargo-XML XFWB and XFZB: the Riege samples, and hostile or broken files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corridor.domain.consignment import (
    Consignment,
    DocumentType,
    FreightPayment,
    MessageFunction,
    PartyRole,
    StopRole,
    TransportMode,
)
from corridor.ingest.base import Parsed, ReadItem, ReadOptions, Rejection
from corridor.ingest.cargo_xml import CargoXmlReader, airport_country, awb_check_digit_ok
from corridor.ingest.detect import sniff


def read(path: Path, options: ReadOptions | None = None) -> list[ReadItem]:
    return list(CargoXmlReader().read(path, path.name, options or ReadOptions()))


def only(path: Path) -> Consignment:
    items = read(path)
    assert len(items) == 1, items
    item = items[0]
    assert isinstance(item, Parsed), item
    return item.consignment


def write(tmp_path: Path, body: str, name: str = "awb.xml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def iata(messages_dir: Path) -> Path:
    return messages_dir / "iata_cargo_xml"


def test_every_sample_parses_and_is_detected(iata: Path) -> None:
    samples = sorted(iata.glob("*.xml"))
    assert len(samples) == 4
    for path in samples:
        assert sniff(path.read_bytes()[:8192]) == "cargo_xml"
        items = read(path)
        assert len(items) == 1 and isinstance(items[0], Parsed), (path.name, items)


def test_xfwb_master_air_waybill(iata: Path) -> None:
    c = only(iata / "888-11111111_XFWB.xml")
    assert c.document_type is DocumentType.AIR_WAYBILL
    assert c.document_number == "888-11111111"
    assert c.function is MessageFunction.ORIGINAL
    assert c.mode is TransportMode.AIR
    assert c.filed_at == datetime(2021, 3, 10, 10, 0, tzinfo=UTC)
    assert c.departure_at == datetime(2021, 3, 10, tzinfo=UTC)
    assert c.conveyance is not None and c.conveyance.journey_number == "XX8012"
    assert c.attributes["flights"] == "XX8012 XX345"
    assert c.carrier is not None and c.carrier.name == "XX"
    assert c.carrier.identifiers[0].value == "XX"
    # IATA airport codes stay names, with the country of the only UN/LOCODE airport of that code.
    assert c.place_of_loading is not None
    assert (c.place_of_loading.name, c.place_of_loading.locode, c.place_of_loading.country) == (
        "ORK",
        None,
        "IE",
    )
    assert c.place_of_discharge is not None and c.place_of_discharge.name == "PVG"
    assert c.place_of_discharge.country == "CN"
    assert [(s.place.name, s.role) for s in c.itinerary] == [
        ("ORK", StopRole.LOADING),
        ("DUB", StopRole.TRANSHIPMENT),
        ("AUH", StopRole.TRANSHIPMENT),
        ("PVG", StopRole.DISCHARGE),
    ]
    assert c.itinerary[1].departure == datetime(2021, 3, 12, tzinfo=UTC)
    assert (c.departure_country, c.destination_country) == ("IE", "CN")
    assert c.transit_countries == ["AE"]

    shipper = c.party(PartyRole.CONSIGNOR)
    assert shipper is not None and shipper.name == "FORWARDER COMPANY IRELAND LTD"
    assert (shipper.city, shipper.postcode, shipper.country) == ("LITTLE CITY", "ABCD", "IE")
    assert shipper.address == "HARBOUR POINT BUSINESS PARK"
    assert {(i.scheme, i.value) for i in shipper.identifiers} >= {("TIN", "IE1234567N")}
    consignee = c.party(PartyRole.CONSIGNEE)
    assert consignee is not None and consignee.country == "CN" and consignee.city == "SHANGHAI"
    assert consignee.name == "FORWARDER COMPANY SHANGHAI LTD ROOM 123 SPECIAL BUILDING. NR 987"
    assert consignee.address == "SUHANG RD. PUDONG AIRPORT, AIRPORT ROAD"
    assert [(i.scheme, i.value) for i in consignee.identifiers] == [("TIN", "USCI1234567812345678X7")]
    forwarder = c.party(PartyRole.FREIGHT_FORWARDER)
    assert forwarder is not None and forwarder.name == "FORWARDER COMPANY IRELAND LIMITED"
    assert ("IATA_AGENT", "3456789") in {(i.scheme, i.value) for i in forwarder.identifiers}

    [item] = c.goods
    assert item.hs_code == "000111"
    assert item.gross_kg == 1042.0
    assert item.packages == 3
    assert item.description is not None and item.description.startswith("CONSOLIDATION AS PER ATTACHED")
    assert c.total_gross_kg == 1042.0 and c.total_packages == 3
    assert c.freight_payment is FreightPayment.PREPAID
    assert c.attributes["total_charges"] == "4860.03 EUR"
    assert c.attributes["special_handling"] == "NSC"
    assert c.attributes["consolidation"] == "yes"
    assert c.attributes["customs_note.ISS.RA"] == "01234-01"
    assert c.attributes["volume_m3"] == "2.602"
    assert c.equipment == []
    assert c.provenance is not None and c.provenance.sender == "RIEGESOFTWARE"
    assert c.provenance.message_id == "888-11111111_6c763819-1067-43fe-acf7-db4daf4f77cf"
    assert not [w for w in c.warnings if w.code == "awb_check_digit"]


def test_xfwb_acas_us_keeps_the_customs_notes(iata: Path) -> None:
    c = only(iata / "888-11111111_XFWB_ACAS_US.xml")
    assert c.document_number == "888-11111111"
    assert c.attributes["customs_note.CUS.RT"] == "B2B"
    assert c.attributes["customs_note.CUS.AH"] == "S"  # repeated note kept once
    assert c.attributes["customs_note.CUS.AR"] == "SHP_ACCOUNT_NO_1234"
    assert [g.hs_code for g in c.goods] == ["000111"]


def test_xfwb_with_two_ulds_and_two_hts_codes(iata: Path) -> None:
    c = only(iata / "888-11111111_XFWB_multipleULD_multipleHTS.xml")
    assert [g.hs_code for g in c.goods] == ["000111", "000222"]
    assert [g.sequence for g in c.goods] == [1, 2]
    assert c.goods[0].containers == ["PMC1337XX", "AKE4711XX"]
    assert [(e.number, e.size_type) for e in c.equipment] == [("PMC1337XX", "ULD"), ("AKE4711XX", "ULD")]
    assert c.goods[1].gross_kg is None


def test_xfzb_house_waybill(iata: Path) -> None:
    items = read(iata / "SEL22222222_XFZB.xml")
    [parsed] = items
    assert isinstance(parsed, Parsed)
    assert parsed.location == "/HouseWaybill/MasterConsignment/IncludedHouseConsignment[1]"
    c = parsed.consignment
    assert c.document_type is DocumentType.HOUSE_AIR_WAYBILL
    assert c.document_number == "SEL22222222"
    assert c.master_document_number == "888-11111111"
    assert c.mode is TransportMode.AIR
    assert c.filed_at == datetime(2022, 4, 29, 8, 10, tzinfo=UTC)
    assert c.place_of_loading is not None and c.place_of_loading.name == "ICN"
    assert c.place_of_loading.country == "KR"
    assert c.place_of_discharge is not None and c.place_of_discharge.name == "FRA"
    assert c.place_of_delivery is not None and c.place_of_delivery.name == "FDH"
    assert c.place_of_delivery.country == "DE"
    assert [s.role for s in c.itinerary] == [StopRole.LOADING, StopRole.DISCHARGE, StopRole.DELIVERY]
    assert (c.departure_country, c.destination_country) == ("KR", "DE")
    shipper = c.party(PartyRole.CONSIGNOR)
    assert shipper is not None and shipper.name == "SPARE PART LTD." and shipper.country == "KR"
    assert [(i.scheme, i.value) for i in shipper.identifiers] == [("TIN", "5432109876")]
    consignee = c.party(PartyRole.CONSIGNEE)
    assert consignee is not None and consignee.name == "REPAIR DIENST GMBH"
    assert (consignee.city, consignee.postcode, consignee.country) == ("FRIEDRICHSHAFEN", "87654", "DE")
    assert [(i.scheme, i.value) for i in consignee.identifiers] == [("TIN", "DE3056777000")]
    [item] = c.goods
    assert (item.hs_code, item.gross_kg, item.packages, item.description) == (
        "1133557799",
        133.7,
        5,
        "SPARE PARTS",
    )
    assert c.total_gross_kg == 134.0 and c.total_packages == 10
    assert c.freight_payment is FreightPayment.PREPAID
    assert c.attributes["total_prepaid"] == "420 KRW"
    assert c.attributes["master_gross_kg"] == "2217"
    # The sample's own figures disagree: 10 pieces in total, 5 on its only item.
    assert any(w.code == "package_count_mismatch" for w in c.warnings)


def test_airport_country_and_awb_check_digit() -> None:
    assert airport_country("ORK") == "IE"
    assert airport_country("GYD") == "AZ"
    assert awb_check_digit_ok("11111111")
    assert not awb_check_digit_ok("11111112")


# --------------------------------------------------------------------------- hand-written cases

WAYBILL = """<?xml version="1.0" encoding="UTF-8"?>
<ns2:Waybill xmlns="iata:datamodel:3" xmlns:ns2="iata:waybill:1">
  <ns2:MessageHeaderDocument>
    <ID>M1</ID><IssueDateTime>2024-05-01T08:00:00Z</IssueDateTime><PurposeCode>{purpose}</PurposeCode>
  </ns2:MessageHeaderDocument>
  <ns2:BusinessHeaderDocument>{business}</ns2:BusinessHeaderDocument>
  <ns2:MasterConsignment>
    <TotalChargePrepaidIndicator>false</TotalChargePrepaidIndicator>
    <IncludedTareGrossWeightMeasure unitCode="LBR">220.462</IncludedTareGrossWeightMeasure>
    <TotalPieceQuantity>2</TotalPieceQuantity>
    <OriginLocation><ID>IST</ID></OriginLocation>
    <FinalDestinationLocation><ID>GYD</ID></FinalDestinationLocation>
    <SpecifiedLogisticsTransportMovement>
      <ID>TK338</ID><SequenceNumeric>1</SequenceNumeric>
      <ArrivalEvent><ScheduledOccurrenceDateTime>2024-05-02T14:30:00+04:00</ScheduledOccurrenceDateTime>
        <OccurrenceArrivalLocation><ID>GYD</ID></OccurrenceArrivalLocation></ArrivalEvent>
      <DepartureEvent><ScheduledOccurrenceDateTime>2024-05-02T11:00:00+03:00</ScheduledOccurrenceDateTime>
        <OccurrenceDepartureLocation><ID>IST</ID></OccurrenceDepartureLocation></DepartureEvent>
    </SpecifiedLogisticsTransportMovement>
    <ApplicableRating><TypeCode>F</TypeCode>
      <IncludedMasterConsignmentItem>
        <SequenceNumeric>1</SequenceNumeric><TypeCode>8517.62</TypeCode>
        <GrossWeightMeasure unitCode="LBR">220.462</GrossWeightMeasure><PieceQuantity>2</PieceQuantity>
        <NatureIdentificationTransportCargo><Identification>ROUTERS</Identification></NatureIdentificationTransportCargo>
      </IncludedMasterConsignmentItem>
    </ApplicableRating>
  </ns2:MasterConsignment>
</ns2:Waybill>
"""


def waybill(purpose: str = "Creation", business: str = "<ID>235-12345675</ID>") -> str:
    return WAYBILL.format(purpose=purpose, business=business)


def test_pounds_collect_update_and_timezones(tmp_path: Path) -> None:
    c = only(write(tmp_path, waybill("Update")))
    assert c.function is MessageFunction.AMENDMENT
    assert c.document_number == "235-12345675"
    assert c.freight_payment is FreightPayment.COLLECT
    assert c.total_gross_kg == pytest.approx(100.0, abs=0.01)
    [item] = c.goods
    assert item.gross_kg == pytest.approx(100.0, abs=0.01)
    assert item.hs_code == "851762"  # digits only
    assert c.departure_at == datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
    assert c.eta == datetime(2024, 5, 2, 10, 30, tzinfo=UTC)
    assert c.carrier is not None and c.carrier.identifiers[0].value == "TK"
    assert (c.departure_country, c.destination_country) == ("TR", "AZ")
    assert not any(w.code == "awb_check_digit" for w in c.warnings)


def test_deletion_and_bad_check_digit(tmp_path: Path) -> None:
    c = only(write(tmp_path, waybill("Deletion", "<ID>235-12345676</ID>")))
    assert c.function is MessageFunction.CANCELLATION
    assert any(w.code == "awb_check_digit" for w in c.warnings)


def test_missing_waybill_number_is_rejected_with_the_path(tmp_path: Path) -> None:
    [item] = read(write(tmp_path, waybill(business="<SenderAssignedID>X</SenderAssignedID>")))
    assert isinstance(item, Rejection)
    assert item.code == "missing_field"
    assert item.location == "/Waybill"
    assert item.field == "BusinessHeaderDocument/ID"


def test_house_waybill_with_two_houses_one_without_id(tmp_path: Path) -> None:
    house = """<IncludedHouseConsignment><ID>{}</ID>
      <ConsigneeParty><Name>ACME</Name><PostalStructuredAddress><CountryID>AZ</CountryID>
      </PostalStructuredAddress></ConsigneeParty>
      <IncludedHouseConsignmentItem><SequenceNumeric>1</SequenceNumeric>
      <GrossWeightMeasure unitCode="KGM">5</GrossWeightMeasure></IncludedHouseConsignmentItem>
    </IncludedHouseConsignment>"""
    body = f"""<HouseWaybill xmlns="iata:datamodel:3"><BusinessHeaderDocument><ID>H-1</ID></BusinessHeaderDocument>
      <MasterConsignment><TransportContractDocument><ID>235-12345675</ID></TransportContractDocument>
      {house.format("H-1")}{house.format("")}</MasterConsignment></HouseWaybill>"""
    items = read(write(tmp_path, body))
    assert len(items) == 2
    good, bad = items
    assert isinstance(good, Parsed) and good.consignment.document_number == "H-1"
    assert good.consignment.master_document_number == "235-12345675"
    assert isinstance(bad, Rejection)
    assert bad.location == "/HouseWaybill/MasterConsignment/IncludedHouseConsignment[2]"
    assert bad.code == "missing_field"


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0", encoding="utf-8")
    body = waybill(business="<ID>&xxe;</ID>").replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Waybill [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    items = read(write(tmp_path, body))
    assert len(items) == 1 and isinstance(items[0], Rejection)
    assert items[0].code == "unsafe_xml"
    assert "root:x" not in repr(items)


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    body = f"<!DOCTYPE Waybill [{entities}]><Waybill><Name>&i;</Name></Waybill>"
    [item] = read(write(tmp_path, body))
    assert isinstance(item, Rejection) and item.code == "unsafe_xml"


def test_truncated_waybill(tmp_path: Path) -> None:
    body = waybill()
    cut = body[: body.index("<ApplicableRating>") + 30]
    [item] = read(write(tmp_path, cut))
    assert isinstance(item, Rejection)
    assert item.code == "malformed_xml"
    line = cut.count("\n") + 1
    assert item.location.startswith(f"line {line}, column ")


def test_wrong_root_is_reported(tmp_path: Path) -> None:
    [item] = read(write(tmp_path, '<FlightManifest xmlns="iata:datamodel:3"/>'))
    assert isinstance(item, Rejection) and item.code == "no_records" and "FlightManifest" in item.reason


def test_unreadable_piece_count_lenient(tmp_path: Path) -> None:
    path = write(
        tmp_path, waybill().replace("<PieceQuantity>2</PieceQuantity>", "<PieceQuantity>two</PieceQuantity>")
    )
    [strict] = read(path)
    assert isinstance(strict, Rejection) and strict.field == "goods[0].packages"
    [lenient] = read(path, ReadOptions(lenient=True))
    assert isinstance(lenient, Parsed) and lenient.consignment.goods[0].packages is None
