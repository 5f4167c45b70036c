"""The profile language as an analyst meets it: every operator, all/any/not, and precise errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corridor.domain.consignment import (
    Consignment,
    Equipment,
    GoodsItem,
    ItineraryStop,
    Money,
    Party,
    Place,
)
from corridor.risk.engine import RiskContext, assess
from corridor.risk.flatten import flatten
from corridor.risk.history import History
from corridor.risk.indicators import IndicatorConfig, IndicatorContext, compute
from corridor.risk.language import ProfileError, parse_profiles, read_documents
from corridor.risk.library import load_starter
from corridor.risk.lists import NamedList, builtin_lists
from corridor.risk.rowwise import hits_rowwise

LISTS = {
    **builtin_lists(),
    "high-risk-countries": NamedList("high-risk-countries", "countries", ("AF", "IR")),
    "watch": NamedList("watch", "parties", ("Shadow Trading FZE",)),
}


def consignment(n: int, **kw: object) -> Consignment:
    base: dict[str, object] = {
        "document_type": "BL",
        "document_number": f"BL{n}",
        "mode": "sea",
        "office": "AZ-ALAT-PCU",
        "filed_at": datetime(2025, 3, 3, 8, tzinfo=UTC),  # a Monday
        "eta": datetime(2025, 3, 4, 8, tzinfo=UTC),
        "departure_country": "KZ",
        "destination_country": "AZ",
        "origin_country": "KZ",
        "place_of_loading": Place(locode="KZAAU"),
        "place_of_discharge": Place(locode="AZALA"),
        "parties": [
            Party(role="consignor", name="Steppe Grain LLP", country="KZ"),
            Party(role="consignee", name="Baku Flour MMC", country="AZ"),
        ],
        "goods": [
            GoodsItem(
                sequence=1,
                hs_code="100199",
                description="Wheat",
                packages=20,
                gross_kg=20000,
                net_kg=20000,
                value=Money(amount=5000, currency="USD"),
            ),
        ],
        "freight_payment": "prepaid",
    }
    base.update(kw)
    return Consignment.model_validate(base)


def profile(when: str, pid: str = "T-1", extra: str = "") -> str:
    return f"id: {pid}\ntitle: test\nowner: unit\nweight: 0.5\nstatus: active\nrationale: test\n{extra}when:\n{when}"


def hits(when: str, batch: list[Consignment], history: History | None = None) -> list[str]:
    profiles = parse_profiles(read_documents(profile(when), "t.yaml"), LISTS)
    result = assess(batch, RiskContext.build(profiles, LISTS), history)
    rows = set(result.hits.get_column("_row").to_list())
    return [c.document_number for i, c in enumerate(batch) if i in rows]


WHEAT = consignment(1)
PRECURSOR = consignment(
    2,
    origin_country="IR",
    transit_countries=["AF"],
    freight_payment="collect",
    goods=[
        GoodsItem(
            sequence=1,
            hs_code="291524",
            description="General cargo",
            packages=40,
            gross_kg=9000,
            net_kg=8800,
            value=Money(amount=400, currency="USD"),
        ),
        GoodsItem(sequence=2, hs_code="080510", description="Oranges 108-24-7", packages=10, gross_kg=100),
    ],
    parties=[
        Party(role="consignor", name="Shadow Trading FZE", country="AE"),
        Party(role="consignee", name="New Co MMC", country="AZ"),
        Party(role="declarant", name="Broker One", country="AZ"),
    ],
    itinerary=[
        ItineraryStop(sequence=0, role="loading", place=Place(locode="IRBND")),
        ItineraryStop(sequence=1, role="transhipment", place=Place(locode="AEJEA")),
        ItineraryStop(sequence=2, role="discharge", place=Place(locode="AZALA")),
    ],
    equipment=[Equipment(number="MSCU1234565", seals=["S1"]), Equipment(number="MSCU1234566", seals=["S1"])],
    filed_at=datetime(2025, 3, 8, 8, tzinfo=UTC),  # a Saturday, 12 h before arrival
    eta=datetime(2025, 3, 8, 20, tzinfo=UTC),
)
BATCH = [WHEAT, PRECURSOR]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("  origin_country: IR", ["BL2"]),
        ("  origin_country: {ne: IR}", ["BL1"]),
        ("  origin_country: [IR, TM]", ["BL2"]),
        ("  origin_country: {not_in: [IR]}", ["BL1"]),
        ("  origin_country: {in: high-risk-countries}", ["BL2"]),
        ("  goods.hs_code: {hs_prefix: ['2915']}", ["BL2"]),
        ("  goods: {hs_code: {prefix: ['1001', '0805']}}", ["BL1", "BL2"]),
        ("  consignor.name: {regex: 'trading\\s+fze$'}", ["BL2"]),
        ("  consignee.name: {contains: 'flour'}", ["BL1"]),
        ("  total_gross_kg: {gt: 15000}", []),
        ("  goods.gross_kg: {gte: 20000}", ["BL1"]),
        ("  goods: {gross_kg: {lt: 150}}", ["BL2"]),
        ("  goods.gross_kg: {lte: 100}", ["BL2"]),
        ("  goods.gross_kg: {between: [8000, 10000]}", ["BL2"]),
        ("  filed_at: {between: [2025-03-01, 2025-03-05]}", ["BL1"]),
        ("  eta: {gte: '2025-03-08T00:00:00Z'}", ["BL2"]),
        ("  filed_at: {weekday_in: [sat, sun]}", ["BL2"]),
        ("  transit_countries: {any_in: high-risk-countries}", ["BL2"]),
        ("  route.ports: {any_in: [AEJEA]}", ["BL2"]),
        ("  route.countries: {all_in: [KZ, AZ]}", ["BL1"]),
        ("  route.countries: {none_in: [AE]}", ["BL1"]),
        ("  route.countries: {contains: AE}", ["BL2"]),
        ("  route.ports: {count_gte: 3}", ["BL2"]),
        ("  transit_countries: {is_null: true}", ["BL1"]),
        ("  delivery.locode: {is_null: true}", ["BL1", "BL2"]),
        ("  consignor: {on_watchlist: true}", ["BL2"]),
        ("  consignor: {on_watchlist: [watch]}", ["BL2"]),
        ("  consignee: {first_seen_within_days: 0}", ["BL1", "BL2"]),
        ("  freight.risky_terms: true", ["BL2"]),
        ("  goods: {precursor: true}", ["BL2"]),
        ("  goods: {precursor_name: {contains: anhydride}, sequence: {eq: 2}}", ["BL2"]),
        ("  goods: {vague_description: true}", ["BL2"]),
        ("  equipment.repeated_seals: {gte: 1}", ["BL2"]),
        ("  equipment.check_digit_failures: {gte: 1}", ["BL2"]),
        ("  filing.late: true", ["BL2"]),
        ("  route.transhipments: {gte: 1}", ["BL2"]),
        ("  all:\n    - origin_country: IR\n    - mode: sea", ["BL2"]),
        ("  any:\n    - origin_country: IR\n    - consignee.name: {contains: flour}", ["BL1", "BL2"]),
        ("  not:\n    origin_country: IR", ["BL1"]),
        ("  not:\n    delivery.country: AZ", ["BL1", "BL2"]),
        ("  origin_country: IR\n  mode: road", []),
    ],
)
def test_operators(when: str, expected: list[str]) -> None:
    assert hits(when, BATCH) == expected


def test_goods_block_needs_one_item_to_satisfy_all_its_conditions() -> None:
    # Item 1 has the HS code and item 2 the low weight: no single item has both.
    assert hits("  goods: {hs_code: {hs_prefix: ['2915']}, gross_kg: {lt: 150}}", BATCH) == []
    assert hits(
        "  all:\n    - goods.hs_code: {hs_prefix: ['2915']}\n    - goods.gross_kg: {lt: 150}", BATCH
    ) == ["BL2"]


def test_percentile_against_hs6_history() -> None:
    past = [
        consignment(
            100 + i,
            goods=[
                GoodsItem(
                    sequence=1,
                    hs_code="100199",
                    net_kg=1000,
                    value=Money(amount=200 + 10 * i, currency="USD"),
                )
            ],
        )
        for i in range(20)
    ]
    cheap = consignment(
        9,
        goods=[GoodsItem(sequence=1, hs_code="100199", net_kg=1000, value=Money(amount=50, currency="USD"))],
    )
    history = History.from_frames(flatten(past))
    when = "  goods: {unit_value: {below_percentile: 5}}"
    assert hits(when, [WHEAT, cheap], history) == ["BL9"]
    assert hits("  goods: {unit_value_z: {lt: -3}}", [WHEAT, cheap], history) == ["BL9"]


def test_validity_window_limits_hits_to_consignments_dated_inside() -> None:
    text = profile("  mode: sea", extra="valid_from: 2025-03-05\nvalid_to: 2025-12-31\n")
    profiles = parse_profiles(read_documents(text, "t.yaml"), LISTS)
    result = assess(BATCH, RiskContext.build(profiles, LISTS))
    assert result.hits.get_column("_row").to_list() == [1]


def errors(text: str) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        parse_profiles(read_documents(text, "profiles/x.yaml"), LISTS)
    return [str(i) for i in caught.value.issues]


def test_unknown_field_names_line_and_suggests() -> None:
    text = profile("  all:\n    - mode: sea\n    - consigne.country: AZ\n")
    assert errors(text) == [
        "profiles/x.yaml line 10: field 'consigne.country' unknown — did you mean 'consignee.country'?"
    ]


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("  origin_country: {regexp: x}", "line 8: operator 'regexp' unknown — did you mean 'regex'?"),
        ("  mode: {gt: 3}", "line 8: operator 'gt' does not apply to text field 'mode'"),
        ("  total_gross_kg: {gt: heavy}", "line 8: field 'total_gross_kg': 'gt' needs a number, got 'heavy'"),
        (
            "  origin_country: {in: high-risk-countrys}",
            "line 8: named list 'high-risk-countrys' unknown — did you mean 'high-risk-countries'?",
        ),
        ("  consignor.name: {regex: '(?<=x)y'}", "look-around and back-references are not supported"),
        ("  consignor.name: {regex: '(unclosed'}", "line 8: regular expression does not compile"),
        ("  goods:\n    goods: {hs_code: '01'}", "line 9: 'goods' blocks cannot be nested"),
        ("  goods: {mode: sea}", "field 'mode' is not a goods-item field"),
        ("  goods.gross_kg: {below_percentile: 5}", "operator 'below_percentile' does not apply"),
        ("  goods.unit_value: {below_percentile: 100}", "between 0 and 100"),
        ("  any: []", "line 8: 'any' takes a non-empty list of conditions"),
        ("  filed_at: {between: [2025-04-01, 2025-03-01]}", "'between' needs low <= high"),
        ("  filed_at: {weekday_in: [funday]}", "'weekday_in' takes days mon..sun"),
        ("  pair: {on_watchlist: true}", "'pair' has no watch list"),
        ("  carrier: {first_seen_within_days: 3}", "applies to consignor, consignee or pair"),
        ("  consignee: {on_watchlist: [nope]}", "watch list 'nope' unknown"),
        ("  consignee: AZ", "'consignee' takes on_watchlist or first_seen_within_days"),
    ],
)
def test_bad_conditions_are_rejected_with_line_and_reason(when: str, message: str) -> None:
    found = errors(profile(when))
    assert len(found) == 1 and found[0].startswith("profiles/x.yaml line ") and message in found[0], found


def test_document_errors() -> None:
    assert errors("id: A\ntitle: t\nowner: o\nweight: 1.5\nrationale: r\nwhen: {mode: sea}\n") == [
        "profiles/x.yaml line 4: field 'weight': Input should be less than or equal to 1"
    ]
    found = errors("id: A\ntitle: t\nownr: o\nweight: 0.5\nrationale: r\nwhen: {mode: sea}\n")
    assert "profiles/x.yaml line 3: field 'ownr' unknown — did you mean 'owner'?" in found
    assert errors("id: A\ntitle: t\ntitle: u\n") == ["profiles/x.yaml line 3: key 'title' appears twice"]
    assert errors("id: [unclosed\n")[0].startswith("profiles/x.yaml line 2: not valid YAML/JSON")
    twice = profile("  mode: sea") + "\n---\n" + profile("  mode: road")
    assert "profile id 'T-1' is also used in profiles/x.yaml" in errors(twice)[0]


def test_json_profiles_and_yaml_pitfalls() -> None:
    text = (
        '{"id": "J-1", "title": "json", "owner": "o", "weight": 0.5, "status": "active", "rationale": "r",\n'
        ' "when": {"origin_country": {"in": ["NO", "IR"]}}}'
    )
    profiles = parse_profiles(read_documents(text, "j.json"), LISTS)
    assert profiles[0].condition.arg == ("NO", "IR")  # type: ignore[union-attr]
    # Unquoted NO (Norway) and 0401 (an HS heading) stay text in YAML too.
    p = parse_profiles(
        read_documents(profile("  origin_country: [NO]\n  goods.hs_code: {hs_prefix: [0401]}"), "y"), LISTS
    )
    leaves = p[0].condition.items  # type: ignore[union-attr]
    assert leaves[0].arg == ("NO",) and leaves[1].item.arg == ("0401",)


def test_rowwise_and_columnar_agree_on_the_starter_library() -> None:
    profiles, lists = load_starter()
    ctx = RiskContext.build(profiles, lists)
    from corridor.demo.generator import generate

    batch = list(generate(1200, 5))
    result = assess(batch, ctx)
    frames = result.features
    goods: dict[int, list[dict[str, object]]] = {}
    for item in frames.goods.to_dicts():
        goods.setdefault(int(item["_row"]), []).append(item)  # type: ignore[call-overload]
    expected = hits_rowwise(ctx.compiled, frames.consignments.to_dicts(), goods)
    got: dict[int, list[str]] = {}
    for row, pid in result.hits.select("_row", "profile_id").iter_rows():
        got.setdefault(row, []).append(pid)
    assert sum(len(h) for h in expected) > 50
    for row, ids in enumerate(expected):
        assert sorted(got.get(row, [])) == sorted(ids), row


def test_indicator_values() -> None:
    ctx = IndicatorContext(flatten(BATCH), History.empty(), LISTS, IndicatorConfig())
    frames = compute(ctx)
    row = frames.consignments.row(1, named=True)
    assert row["route.high_risk_countries"] == ["AF", "IR"]
    assert row["route.high_risk_transit"] is True
    assert row["route.transhipments"] == 1.0
    assert row["equipment.check_digit_failures"] == 1.0  # MSCU1234565 fails, MSCU1234566 passes
    assert row["equipment.repeated_seals"] == 1.0
    assert row["filing.hours_before_arrival"] == 12.0 and row["filing.late"] is True
    assert row["consignor.watchlist"] == "watch"
    assert row["goods.precursor_count"] == 2.0  # by HS 291524 and by the CAS number in item 2
    assert frames.consignments.row(0, named=True)["route.illogical"] is False
