"""WCO Data Model declaration XML: the HMRC CDS samples, and hostile or broken files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corridor.domain.consignment import Consignment, FreightPayment, MessageFunction, PartyRole, TransportMode
from corridor.ingest.base import Parsed, ReadItem, ReadOptions, Rejection
from corridor.ingest.detect import reader_for, sniff
from corridor.ingest.wco_xml import WcoXmlReader
from corridor.ingest.xmlsafe import XmlStream


def read(path: Path, options: ReadOptions | None = None) -> list[ReadItem]:
    return list(WcoXmlReader().read(path, path.name, options or ReadOptions()))


def only(path: Path) -> Consignment:
    items = read(path)
    assert len(items) == 1, items
    item = items[0]
    assert isinstance(item, Parsed), item
    return item.consignment


def write(tmp_path: Path, body: str, name: str = "msg.xml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hmrc(messages_dir: Path) -> Path:
    return messages_dir / "wco_dms_hmrc"


def test_every_sample_parses_without_rejection(hmrc: Path) -> None:
    samples = sorted(hmrc.glob("*.xml"))
    assert [p.name for p in samples] == ["TT_EX001a.xml", "TT_IM003a.xml", "TT_IM004a.xml", "TT_IM024a.xml"]
    for path in samples:
        assert sniff(path.read_bytes()[:8192]) == "wco"
        items = read(path)
        assert len(items) == 1 and isinstance(items[0], Parsed), (path.name, items)


def test_detect_routes_samples_to_this_reader(hmrc: Path) -> None:
    assert isinstance(reader_for("wco"), WcoXmlReader)


def test_im003a_pre_lodged_import(hmrc: Path) -> None:
    c = only(hmrc / "TT_IM003a.xml")
    assert c.document_type.value == "DEC"
    assert c.document_number == "TT_IM03A_0803_003"  # the model upper-cases document numbers
    assert c.function is MessageFunction.ORIGINAL
    assert c.attributes["declaration_type"] == "IMF"
    assert c.attributes["direction"] == "import"
    assert c.mode is TransportMode.SEA
    assert c.conveyance is not None and c.conveyance.flag == "US"
    assert c.departure_country == "US"
    assert c.destination_country == "GB"  # implied: an import declaration lodged with HMRC
    declarant = c.party(PartyRole.DECLARANT)
    assert declarant is not None and declarant.identifiers[0].scheme == "EORI"
    assert declarant.identifiers[0].value == "GB603202734852"
    importer = c.party(PartyRole.IMPORTER)
    assert importer is not None and importer.identifiers[0].value == "GB575456994000"
    exporter = c.party(PartyRole.EXPORTER)
    assert exporter is not None
    assert (exporter.name, exporter.city, exporter.postcode, exporter.country) == (
        "Bags Exports",
        "New York",
        "NY1 234",
        "US",
    )
    assert exporter.address == "1 Bags Avenue"
    [item] = c.goods
    assert item.hs_code == "73066199"
    assert (item.gross_kg, item.net_kg) == (1500.0, 1000.0)
    assert item.value is not None and (item.value.amount, item.value.currency) == (1000.0, "GBP")
    assert (item.packages, item.package_type, item.marks) == (1, "DB", "CDSTRADETEST1I")
    assert item.origin_country == "US"
    assert [e.number for e in c.equipment] == ["DM1234"]
    assert c.place_of_discharge is not None and c.place_of_discharge.name == "TILLONTIL"
    assert c.place_of_discharge.country == "GB"
    assert c.total_packages == 1
    assert c.attributes["ducr"] == "1GB575456994000-12345"
    assert c.attributes["mucr"] == "GB/1234-:3333HB"
    assert c.provenance is not None and c.provenance.location == "/MetaData/Declaration[1]"
    assert c.provenance.format == "wco"


def test_im004a_warehouse_release_with_taric_and_preference(hmrc: Path) -> None:
    c = only(hmrc / "TT_IM004a.xml")
    assert c.document_number == "IM04_080721_001"
    assert c.attributes["declaration_type"] == "IMA"
    [item] = c.goods
    assert item.hs_code == "16042040"
    assert c.attributes["goods[0].taric"] == "05"
    assert c.attributes["goods[0].national_additional"] == "VATZ"
    assert item.description is not None and item.description.startswith("Curried Fish Balls")
    assert (item.gross_kg, item.net_kg, item.packages, item.package_type) == (600.0, 500.0, 250, "BX")
    assert item.value is not None and (item.value.amount, item.value.currency) == (400.0, "GBP")
    # Non-preferential origin (TypeCode 1) is the origin; the preferential one is kept aside.
    assert item.origin_country == "ME"
    assert c.attributes["goods[0].preferential_origin"] == "ME"
    assert item.containers == ["AD12345"]
    assert "AD12345" in [e.number for e in c.equipment]
    assert c.departure_country == "ME"
    assert c.destination_country == "GB"
    assert c.office == "GBLBA001"
    assert c.total_packages == 250
    assert c.attributes["trade_terms"] == "DDP GBWLA"
    assert c.place_of_delivery is not None and c.place_of_delivery.locode == "GBWLA"
    assert c.attributes["goods[0].procedure"] == "4071"
    assert c.attributes["inland_mode"] == "road"
    # "12345" is declared as an IMO number but has five digits: kept aside with a warning.
    assert c.conveyance is not None and c.conveyance.imo is None
    assert any(w.code == "invalid_imo" for w in c.warnings)


def test_im024a_acceptance_time_and_ni_eori(hmrc: Path) -> None:
    c = only(hmrc / "TT_IM024a.xml")
    assert c.document_number == "U.7847893SJSC8"
    assert c.filed_at == datetime(2025, 4, 14, 8, 12, 50, tzinfo=UTC)  # 09:12:50+01 in UTC
    [item] = c.goods
    assert item.hs_code == "07099310"
    assert (item.gross_kg, item.net_kg) == (1050.0, 1000.0)
    assert item.value is not None and item.value.amount == 800.0 and item.value.currency == "GBP"
    assert c.departure_country == "GB"  # given at item level in this sample
    importer = c.party(PartyRole.IMPORTER)
    assert importer is not None and importer.identifiers[0].value == "XI553202734852"
    assert importer.identifiers[0].scheme == "EORI"
    assert c.place_of_discharge is not None and c.place_of_discharge.locode == "GBWPT"


def test_ex001a_export_with_routing_seal_and_carrier(hmrc: Path) -> None:
    c = only(hmrc / "TT_EX001a.xml")
    assert c.document_number == "U.7847323YIPYA"
    assert c.attributes["direction"] == "export"
    assert c.conveyance is not None and c.conveyance.name == "CSCLGLOBE" and c.conveyance.flag == "GB"
    assert c.carrier is not None and c.carrier.identifiers[0].value == "GB025115100010"
    assert c.departure_country == "GB" and c.destination_country == "US"
    assert c.transit_countries == ["CA"]
    assert c.attributes["routing"] == "GB CA US"
    assert c.office == "GB000040"
    [unit] = c.equipment
    assert unit.number == "CONU1234567" and unit.seals == ["333"]
    consignee = c.party(PartyRole.CONSIGNEE)
    assert consignee is not None and consignee.name == "Packings Import Incorporated"
    assert consignee.country == "US"
    [item] = c.goods
    assert item.hs_code == "46021910"
    assert (item.gross_kg, item.net_kg, item.packages) == (10.0, 5.0, 10)
    # No invoice line: the statistical value (DE 8/6) stands in, with its currency.
    assert item.value is not None and (item.value.amount, item.value.currency) == (200.0, "GBP")
    assert c.freight_payment is FreightPayment.PREPAID
    assert c.place_of_loading is not None and c.place_of_loading.name == "DVRDOVDVR"


# --------------------------------------------------------------------------- hand-written cases

GOOD = """
  <Declaration>
    <FunctionCode>{function}</FunctionCode>
    <FunctionalReferenceID>{ref}</FunctionalReferenceID>
    <TypeCode>{type_code}</TypeCode>
    <BorderTransportMeans>
      <ID>9074729</ID><IdentificationTypeCode>10</IdentificationTypeCode>
      <RegistrationNationalityCode>AZ</RegistrationNationalityCode><ModeCode>1</ModeCode>
    </BorderTransportMeans>
    <GoodsShipment>
      <Consignment>
        <LoadingLocation><ID>KZAAU</ID></LoadingLocation>
        <TransportEquipment><SequenceNumeric>1</SequenceNumeric><ID>MSKU 907032-3</ID></TransportEquipment>
      </Consignment>
      <GovernmentAgencyGoodsItem>
        <SequenceNumeric>1</SequenceNumeric>
        <Commodity>
          <Description>Ammonium nitrate</Description>
          <Classification><ID>3102.30</ID><IdentificationTypeCode>HS</IdentificationTypeCode></Classification>
          <GoodsMeasure><GrossMassMeasure unitCode="LBR">2204.62</GrossMassMeasure></GoodsMeasure>
          <InvoiceLine><ItemChargeAmount currencyID="usd">5000</ItemChargeAmount></InvoiceLine>
        </Commodity>
        <Origin><CountryCode>KAZ</CountryCode></Origin>
      </GovernmentAgencyGoodsItem>
    </GoodsShipment>
  </Declaration>
"""


def declaration(ref: str = "AZ-LRN-1", function: str = "9", type_code: str = "IMA") -> str:
    return GOOD.format(ref=ref, function=function, type_code=type_code)


def test_bare_declaration_root(tmp_path: Path) -> None:
    body = declaration().replace("<Declaration>", '<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">', 1)
    items = read(write(tmp_path, body))
    assert len(items) == 1 and isinstance(items[0], Parsed)
    c = items[0].consignment
    assert items[0].location == "/Declaration"
    assert c.conveyance is not None and c.conveyance.imo == "9074729" and c.conveyance.flag == "AZ"
    assert c.place_of_loading is not None and c.place_of_loading.locode == "KZAAU"
    [item] = c.goods
    assert item.hs_code == "310230"
    assert item.gross_kg == pytest.approx(1000.0, abs=0.01)  # pounds to kilograms
    assert item.value is not None and item.value.currency == "USD"
    assert item.origin_country == "KZ"  # alpha-3 to alpha-2
    assert [e.number for e in c.equipment] == ["MSKU9070323"]


def test_missing_reference_is_rejected_with_its_path_and_the_good_one_kept(tmp_path: Path) -> None:
    missing = declaration().replace("<FunctionalReferenceID>AZ-LRN-1</FunctionalReferenceID>", "")
    body = f"<MetaData>{declaration('AZ-LRN-GOOD')}{missing}{declaration('AZ-LRN-3')}</MetaData>"
    items = read(write(tmp_path, body))
    assert len(items) == 3
    good, bad, third = items
    assert isinstance(good, Parsed) and good.consignment.document_number == "AZ-LRN-GOOD"
    assert good.location == "/MetaData/Declaration[1]"
    assert isinstance(bad, Rejection)
    assert bad.location == "/MetaData/Declaration[2]"
    assert bad.field == "FunctionalReferenceID"
    assert bad.code == "missing_field"
    assert bad.file == "msg.xml"
    assert isinstance(third, Parsed) and third.consignment.document_number == "AZ-LRN-3"


def test_amendment_and_cancellation_function_codes(tmp_path: Path) -> None:
    body = "<MetaData>{}{}{}</MetaData>".format(
        declaration("A", "13", "COR"), declaration("B", "13", "INV"), declaration("C", "1", "IMA")
    )
    functions = [i.consignment.function for i in read(write(tmp_path, body)) if isinstance(i, Parsed)]
    assert functions == [
        MessageFunction.AMENDMENT,
        MessageFunction.CANCELLATION,
        MessageFunction.CANCELLATION,
    ]


def test_unreadable_weight_rejects_in_strict_and_warns_in_lenient(tmp_path: Path) -> None:
    body = declaration().replace(">2204.62<", ">heavy<")
    path = write(tmp_path, body)
    [strict] = read(path)
    assert isinstance(strict, Rejection)
    assert strict.field == "goods[0].gross_kg" and strict.location == "/Declaration"
    [lenient] = read(path, ReadOptions(lenient=True))
    assert isinstance(lenient, Parsed)
    assert lenient.consignment.goods[0].gross_kg is None
    assert any(w.field == "goods[0].gross_kg" for w in lenient.consignment.warnings)


def test_xml_bomb_is_refused(tmp_path: Path) -> None:
    bomb = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Declaration><FunctionalReferenceID>&lol3;</FunctionalReferenceID></Declaration>
"""
    [item] = read(write(tmp_path, bomb))
    assert isinstance(item, Rejection)
    assert item.code == "unsafe_xml"
    assert item.location.startswith("line 2,")


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>
<Declaration><FunctionalReferenceID>&xxe;</FunctionalReferenceID></Declaration>
"""
    items = read(write(tmp_path, xxe))
    assert len(items) == 1 and isinstance(items[0], Rejection)
    assert items[0].code == "unsafe_xml"
    assert "TOP-SECRET" not in repr(items)


def test_truncated_file_is_rejected_with_line_and_column(tmp_path: Path) -> None:
    body = "<MetaData>\n" + declaration("KEEP-ME") + "\n<Declaration>\n  <FunctionalReferenceID>LOST</Funct"
    items = read(write(tmp_path, body))
    parsed = [i for i in items if isinstance(i, Parsed)]
    rejected = [i for i in items if isinstance(i, Rejection)]
    # The complete declaration before the break is kept; the break is one rejection.
    assert [p.consignment.document_number for p in parsed] == ["KEEP-ME"]
    assert len(rejected) == 1
    assert rejected[0].code == "malformed_xml"
    assert rejected[0].location.startswith("line ")
    assert ", column " in rejected[0].location
    line = int(rejected[0].location.split()[1].rstrip(","))
    assert line >= body.count("\n")


def test_not_xml_and_empty_file(tmp_path: Path) -> None:
    [empty] = read(write(tmp_path, "", "empty.xml"))
    assert (
        isinstance(empty, Rejection)
        and empty.code == "malformed_xml"
        and empty.location == "line 1, column 1"
    )
    [other] = read(write(tmp_path, "<Invoice><ID>1</ID></Invoice>", "other.xml"))
    assert isinstance(other, Rejection) and other.code == "no_records" and "Invoice" in other.reason


def test_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "<MetaData>" + declaration() + "</MetaData>")
    [item] = list(XmlStream(path, "big.xml", {"Declaration"}, max_bytes=100))
    assert isinstance(item, Rejection) and item.code == "too_large" and item.location == "file"


def test_many_declarations_stream(tmp_path: Path) -> None:
    body = "<MetaData>" + "".join(declaration(f"LRN-{i}") for i in range(300)) + "</MetaData>"
    items = read(write(tmp_path, body))
    assert len(items) == 300 and all(isinstance(i, Parsed) for i in items)
    assert items[-1].location == "/MetaData/Declaration[300]"
