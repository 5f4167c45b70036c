"""The CEN-like template: bad rows come back with row and column, good rows are kept; every export
format reads back to the same records."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from corridor.domain.errors import InvalidInput, UnsupportedFormat
from corridor.seizures.demo import generate
from corridor.seizures.schemas import SeizureIn
from corridor.seizures.template import FORMATS, read, to_bytes

HEADER = (
    "ref,date,office,locode,category,commodity_type,quantity,unit,concealment,detection,transport_mode,"
    "transit_countries,departure_country,destination_country,profile_hits,party1_name,party1_role,"
    "party1_nationality,party2_name,party2_nationality\n"
)
ROWS = [
    # row 2: good, with a decimal comma and a DD.MM.YYYY date as Russian-language sheets write them
    'AST-1,05.03.2026,AZ-ASTARA-BP,AZAST,drugs,heroin,"12,5",kg,False compartment,canine,road,AZ,IR,RU,DRG-1;DRG-2,'
    "Reza Ahmadi,driver,IR,Caspian Fresh MMC,AZ\n",
    # row 3: unknown unit
    "AST-2,2026-03-06,AZ-ASTARA-BP,AZAST,drugs,opium,3,bags,in_cargo,xray,road,,IR,AZ,,,,,,\n",
    # row 4: the second party's nationality is not a country
    "AST-3,2026-03-07,AZ-ASTARA-BP,AZAST,tobacco,cigarettes,20000,sticks,misdeclared,xray,road,,CN,AZ,,"
    "A B,driver,AZ,Some Co,XX\n",
    # row 5: type and category disagree
    "AST-4,2026-03-08,AZ-ASTARA-BP,AZAST,tobacco,heroin,1,kg,in_cargo,xray,road,,IR,AZ,,,,,,\n",
    # row 6: not a date
    "AST-5,yesterday,AZ-ASTARA-BP,AZAST,,cash,1000,usd,luggage,random,air,,AZ,AE,,,,,,\n",
    # row 7: good, category derived from the type, coordinates from the UN/LOCODE
    "AST-6,2026-03-09 14:30,AZ-BAKU-AIR,AZGYD,,cash,25000,usd,on_body,random,air,,AZ,AE,,,,,,\n",
]


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_kept() -> None:
    good, bad = read((HEADER + "".join(ROWS)).encode(), "march.csv")
    assert [n for n, _ in good] == [2, 7]
    first, last = good[0][1], good[1][1]
    assert first.quantity == 12.5 and first.seized_at == datetime(2026, 3, 5, tzinfo=UTC)
    assert first.concealment == "false_compartment" and first.route == "IR>AZ>RU"
    assert [h.rule_id for h in first.profile_hits] == ["DRG-1", "DRG-2"]
    assert [(p.name, p.role, p.nationality) for p in first.parties] == [
        ("Reza Ahmadi", "driver", "IR"),
        ("Caspian Fresh MMC", "other", "AZ"),
    ]
    assert last.category == "currency" and last.lat is not None and last.place
    found = {(r.row, r.column) for r in bad}
    assert found == {(3, "unit"), (4, "party2_nationality"), (5, "category"), (6, "date")}
    reasons = {r.row: r.reason for r in bad}
    assert "unknown unit 'bags'" in reasons[3]
    assert "'XX' is not an ISO 3166-1 nationality country code" in reasons[4]
    assert "belongs to category 'drugs'" in reasons[5]
    assert all(r.file == "march.csv" for r in bad)


def test_unknown_columns_extra_cells_and_missing_header_are_explained() -> None:
    _, bad = read(b"date,colour\n2026-01-01,red\n", "x.csv")
    assert bad[0].row == 2 and bad[0].column == "colour" and "unknown column" in bad[0].reason
    _, bad = read((HEADER + ROWS[0].rstrip("\n") + ",surplus\n").encode(), "x.csv")
    assert bad[0].row == 2 and "more cells than the header" in bad[0].reason
    with pytest.raises(InvalidInput, match="header"):
        read(b"a,b\n1,2\n", "x.csv")
    with pytest.raises(UnsupportedFormat):
        read(b"", "x.pdf")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips(fmt: str) -> None:
    items = generate(7, end=date(2026, 6, 30), count=40)
    items[0] = items[0].model_copy(update={"notes": 'semi;colon, comma "quoted"', "consignment": "CMR:X-1"})
    good, bad = read(to_bytes(items, fmt), f"export.{fmt}")
    assert bad == []
    back = [item for _, item in good]

    def comparable(s: SeizureIn) -> dict[str, object]:
        return s.model_dump(mode="json")

    assert [comparable(s) for s in back] == [comparable(s) for s in items]


def test_excel_rows_are_numbered_like_the_sheet() -> None:
    items = generate(3, end=date(2026, 6, 30), count=3)
    data = to_bytes(items, "xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data))
    sheet = book["seizures"]
    sheet.cell(row=3, column=12).value = "barrels"  # the unit of the second record
    out = BytesIO()
    book.save(out)
    good, bad = read(out.getvalue(), "edited.xlsx")
    assert [n for n, _ in good] == [2, 4]
    assert (bad[0].row, bad[0].column) == (3, "unit")
