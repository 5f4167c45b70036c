"""Rebuild the packaged reference data in src/corridor/reference/data from ../shared/data.

Run from the project root: python scripts/build_reference.py [SHARED_DATA_DIR]
The outputs are committed; this script documents exactly how they were made.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "corridor" / "reference" / "data"


def build(shared: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # HS 2022 nomenclature (ODC-PDDL): sections and the code tree as published.
    shutil.copyfile(shared / "hs" / "harmonized-system.csv", OUT / "hs2022.csv")
    shutil.copyfile(shared / "hs" / "sections.csv", OUT / "hs2022_sections.csv")

    # Countries (PDDL): the columns Corridor uses, including the UN Russian short names.
    with (shared / "countries" / "country-codes.csv").open(encoding="utf-8") as src, (
        OUT / "countries.csv"
    ).open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["alpha2", "alpha3", "numeric", "name", "name_ru", "region", "subregion", "currency"])
        for row in csv.DictReader(src):
            alpha2 = (row.get("ISO3166-1-Alpha-2") or "").strip()
            if len(alpha2) != 2:
                continue
            name = row.get("CLDR display name") or row.get("UNTERM English Short") or row.get("official_name_en")
            writer.writerow(
                [
                    alpha2,
                    row.get("ISO3166-1-Alpha-3", ""),
                    row.get("ISO3166-1-numeric", ""),
                    name,
                    row.get("UNTERM Russian Short") or row.get("official_name_ru") or "",
                    row.get("Region Name", ""),
                    row.get("Sub-region Name", ""),
                    row.get("ISO4217-currency_alphabetic_code", ""),
                ]
            )

    # UN/LOCODE with coordinates (MIT, data UNECE), gzipped: 116k locations.
    with (shared / "unlocode" / "unlocode_geoapify_2024_all.csv").open(encoding="utf-8") as src, gzip.open(
        OUT / "unlocode.csv.gz", "wt", encoding="utf-8", newline=""
    ) as dst:
        writer = csv.writer(dst)
        writer.writerow(["locode", "name", "ascii_name", "subdivision", "function", "lat", "lon", "geocoded"])
        for row in csv.DictReader(src):
            code = (row["country"] + row["location"]).replace(" ", "").upper()
            if len(code) != 5:
                continue
            lat = f"{float(row['lat']):.5f}" if row.get("lat") else ""
            lon = f"{float(row['lon']):.5f}" if row.get("lon") else ""
            writer.writerow(
                [
                    code,
                    row["name"],
                    row["nameWoDiacritics"],
                    row["subdivision"],
                    row["function"],
                    lat,
                    lon,
                    "1" if row.get("geocoded", "").lower() == "true" else "",
                ]
            )

    # Country boundaries for the offline base map (Natural Earth 1:110m, CC0), slimmed properties.
    geo = json.loads((shared / "countries" / "ne_110m_admin_0_countries.geojson").read_text(encoding="utf-8"))
    for feature in geo["features"]:
        props = feature["properties"]
        feature["properties"] = {
            "name": props.get("NAME") or props.get("ADMIN"),
            "iso_a2": props.get("ISO_A2_EH") or props.get("ISO_A2"),
            "adm0_a3": props.get("ADM0_A3"),
        }
    (OUT / "countries.geojson").write_text(json.dumps(geo, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    shared_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    build(shared_dir)
    for path in sorted(OUT.iterdir()):
        print(f"{path.name:28} {path.stat().st_size:>10,d} bytes")
