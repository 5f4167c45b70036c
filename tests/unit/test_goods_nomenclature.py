"""HS 2022 look-up, path and word search as officers use them."""

from __future__ import annotations

import pytest

from corridor.domain.errors import InvalidInput, NotFound
from corridor.goods.nomenclature import lookup, normalise_code, search


def test_national_extension_is_kept_and_path_is_complete() -> None:
    found = lookup("8703.23.19 81")
    assert found.code == "8703231981"
    assert found.hs_code == "870323"
    assert found.national_extension == "1981"
    assert [p.level for p in found.path] == ["section", "chapter", "heading", "subheading"]
    assert [p.code for p in found.path] == ["XVII", "87", "8703", "870323"]
    assert "Vehicles" in found.path[0].description


def test_heading_and_chapter_lookups_have_no_extension() -> None:
    heading = lookup("8482")
    assert heading.hs_code == "8482" and heading.national_extension is None
    assert [p.level for p in heading.path] == ["section", "chapter", "heading"]
    assert lookup("85").path[-1].level == "chapter"


def test_unknown_levels_are_named() -> None:
    with pytest.raises(NotFound, match="heading 0199"):
        lookup("019900")
    with pytest.raises(NotFound, match="subheading 080899"):
        lookup("0808990000")


@pytest.mark.parametrize("bad", ["abc", "123", "08081", "8542319000000000", "", "８５４２"])
def test_bad_codes_are_clear_errors(bad: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_code(bad)


def test_search_by_words_finds_stemmed_matches() -> None:
    hits = search("ball bearing")
    assert hits[0].code == "848210"
    assert all(h.level == "heading" for h in search("bearings", level=4))


def test_search_rejects_empty_queries_and_bad_levels() -> None:
    with pytest.raises(InvalidInput):
        search("   ")
    with pytest.raises(InvalidInput):
        search("apples", level=5)
