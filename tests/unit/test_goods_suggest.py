"""HS suggestion from manifest descriptions, in English and Russian, and the declared-code mismatch."""

from __future__ import annotations

import pytest

from corridor.domain.errors import InvalidInput
from corridor.goods.examples import keywords
from corridor.goods.mismatch import check_mismatch, is_vague
from corridor.goods.suggest import TfidfBaseline, suggest
from corridor.goods.text import analyse, fold
from corridor.reference.hs import hs_table


@pytest.mark.parametrize(
    ("description", "heading"),
    [
        ("FRESH APPLES IN CARTONS", "0808"),
        ("Запчасти для грузовых автомобилей", "8708"),
        ("ACETIC ANHYDRIDE 99%", "2915"),
        ("cigarettes", "2402"),
        ("mobile phones", "8517"),
        ("смартфоны Samsung Galaxy", "8517"),
        ("Шины для легковых автомобилей", "4011"),
        ("frozen chicken legs", "0207"),
        ("подшипники шариковые", "8482"),
        ("ceramic floor tiles 60x60", "6907"),
    ],
)
def test_top_suggestion_is_the_right_heading(description: str, heading: str) -> None:
    top = suggest(description, 3)
    assert top[0].code[:4] == heading, [s.code for s in top]
    assert top[0].description and top[0].score > 0


def test_typos_still_rank_the_right_heading() -> None:
    assert suggest("mobil phons", 3)[0].code[:4] == "8517"
    assert suggest("сигарети", 3)[0].code[:4] == "2402"


def test_scores_are_ordered_and_codes_distinct() -> None:
    found = suggest("frozen fish mackerel", 10)
    assert len({s.code for s in found}) == 10
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_baseline_knows_no_russian() -> None:
    assert TfidfBaseline().suggest("смартфоны", 1)[0].score == 0.0


def test_bad_descriptions_are_rejected() -> None:
    for bad in ["", "   ", "%%% ###", "x" * 3000]:
        with pytest.raises(InvalidInput):
            suggest(bad)
    with pytest.raises(InvalidInput):
        suggest("apples", 0)


def test_text_normalisation_handles_russian_endings_and_packaging_noise() -> None:
    assert analyse("уксусного ангидрида") == analyse("уксусный ангидрид")
    assert analyse("FRESH APPLES IN CARTONS 1200 CTNS") == analyse("fresh apple")
    assert fold("Ёлки-палки") == "елки-палки"


def test_keyword_table_codes_exist_in_hs_2022() -> None:
    table = hs_table()
    assert len(keywords()) > 800
    assert {k.lang for k in keywords()} == {"en", "ru"}
    assert all(k.code in table and len(k.code) in (4, 6) for k in keywords())


def test_mismatch_flags_a_far_chapter_with_evidence() -> None:
    result = check_mismatch("FRESH APPLES IN CARTONS", "8542310000")
    assert result.flagged and result.level == "chapter"
    assert result.declared == "8542310000"
    assert "integrated circuits" in result.declared_description.lower()
    assert result.suggestions[0].code.startswith("0808")
    assert "declared chapter 85" in result.reason


def test_mismatch_is_quiet_for_right_codes_and_near_misses() -> None:
    assert not check_mismatch("FRESH APPLES IN CARTONS", "0808100000").flagged
    assert not check_mismatch("Запчасти для грузовых автомобилей", "8708999709").flagged
    # A wrong heading in the right chapter is reported but not flagged.
    near = check_mismatch("fresh pears", "080940")
    assert not near.flagged and near.level in ("none", "heading")


def test_vague_descriptions_are_never_flagged() -> None:
    for vague in ["SPARE PARTS", "General cargo", "запчасти", "FAK", "сборный груз", "personal effects"]:
        assert is_vague(vague), vague
        assert not check_mismatch(vague, "010121").flagged


def test_mismatch_needs_a_heading() -> None:
    with pytest.raises(InvalidInput):
        check_mismatch("apples", "08")
