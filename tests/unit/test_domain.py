"""Pure domain rules: ISO 6346 check digits, natural keys, content hashes, UTC normalisation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from corridor.domain import iso6346
from corridor.domain.consignment import Consignment, GoodsItem, Party, PartyRole, Provenance
from corridor.ingest.validate import imo_valid


@pytest.mark.parametrize("number", ["CSQU3054383", "OOLU4293959", "FCIU 9908030", "cbhu-6192031"])
def test_known_valid_container_numbers(number: str) -> None:
    assert iso6346.is_valid(number)


@pytest.mark.parametrize("number", ["CSQU3054384", "CSQU305438", "C5QU3054383", "CSQX3054383"])
def test_invalid_container_numbers(number: str) -> None:
    assert not iso6346.is_valid(number)


def test_check_digit_of_ten_is_zero() -> None:
    # ISO 6346: a remainder of 10 gives check digit 0.
    assert iso6346.check_digit("CSQU305438") == 3
    assert iso6346.with_check_digit("CSQU305438") == "CSQU3054383"


@pytest.mark.parametrize(("imo", "ok"), [("9321483", True), ("9074729", True), ("9321484", False)])
def test_imo_check_digit(imo: str, ok: bool) -> None:
    assert imo_valid(imo) is ok


def test_content_hash_ignores_provenance_but_not_content() -> None:
    a = Consignment(document_type="BL", document_number=" msku 123 ", provenance=Provenance(format="csv"))
    b = Consignment(document_type="BL", document_number="MSKU 123", provenance=Provenance(format="json", file="x"))
    assert a.key == "BL:MSKU 123"
    assert a.content_hash() == b.content_hash()
    b.goods.append(GoodsItem(sequence=1, hs_code="0808.10"))
    assert a.content_hash() != b.content_hash()
    assert b.goods[0].hs_code == "080810" and b.goods[0].hs6 == "080810"


def test_times_are_stored_in_utc() -> None:
    baku = timezone(timedelta(hours=4))
    c = Consignment(document_type="CMR", document_number="1", eta=datetime(2026, 11, 25, 9, 0, tzinfo=baku))
    assert c.eta is not None and c.eta.utcoffset() == timedelta(0) and c.eta.hour == 5


def test_party_needs_a_name_or_an_identifier() -> None:
    with pytest.raises(ValidationError):
        Party(role=PartyRole.CONSIGNEE)
    assert Party(role=PartyRole.CONSIGNEE, name="  Baku   Steel  ").key() == "BAKU STEEL"


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Consignment.model_validate({"document_type": "BL", "document_number": "1", "vessel": "X"})
    assert info.value.errors()[0]["loc"] == ("vessel",)
