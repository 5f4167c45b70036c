"""The matcher explains every score, identifiers outweigh names, qualifiers move scores; the index blocks."""

from __future__ import annotations

from corridor.screening.index import ScreeningIndex, part_keys
from corridor.screening.matcher import DEFAULT_THRESHOLD, FEATURES, Candidate, Query, score_candidate
from corridor.screening.normalise import prepare_name


def candidate(entry_id: int, names: list[str], schema: str = "person", **kw: object) -> Candidate:
    return Candidate(
        entry_id=entry_id,
        list_code="test",
        entry_key=str(entry_id),
        schema=schema,
        caption=names[0],
        content_hash="h",
        names=[prepare_name(n, schema) for n in names],
        **kw,  # type: ignore[arg-type]
    )


def test_every_score_is_explained_feature_by_feature() -> None:
    cand = candidate(1, ["Rza HUSEYNOV"], countries=frozenset({"AZ"}), birth_years=frozenset({1970}))
    query = Query("Реза Гусейнов", countries=frozenset({"AZ"}), birth_years=frozenset({1971}))
    result = score_candidate(query, prepare_name(query.name), cand)
    explanation = result.explanation()
    features = {f["feature"]: f for f in explanation["features"]}  # type: ignore[union-attr]
    assert set(features) == {"name", "country_match", "birth_year_match"}
    assert abs(sum(f["contribution"] for f in features.values()) - result.score) < 0.01  # type: ignore[misc]
    assert result.passed and result.score >= DEFAULT_THRESHOLD
    pairs = {(p["query"], p["entry"]): p["how"] for p in explanation["name_parts"]}  # type: ignore[union-attr]
    assert pairs[("guseynov", "huseynov")] == "phonetic"
    assert pairs[("reza", "rza")] == "fuzzy"
    assert all(f in FEATURES for f in features)


def test_an_identifier_outweighs_a_different_name_and_a_conflicting_one_sinks_a_same_name() -> None:
    vessel = candidate(2, ["SEA STAR"], "vessel", identifiers=(("imo", "9187629"),))
    renamed = Query("OCEAN PEARL", schema="vessel", identifiers=(("imo", "9187629"),))
    result = score_candidate(renamed, prepare_name(renamed.name), vessel)
    assert result.passed and result.features[1].feature == "identifier_match"
    other = Query("SEA STAR", schema="vessel", identifiers=(("imo", "9999999"),))
    result = score_candidate(other, prepare_name(other.name), vessel)
    assert not result.passed
    assert any(f.feature == "identifier_conflict" for f in result.features)


def test_qualifiers_penalise_other_countries_birth_years_and_kinds() -> None:
    cand = candidate(3, ["Ali Mammadov"], countries=frozenset({"IR"}), birth_years=frozenset({1950}))
    same = score_candidate(Query("Ali Mammadov"), prepare_name("Ali Mammadov"), cand).score
    other = Query(
        "Ali Mammadov", schema="organization", countries=frozenset({"AZ"}), birth_years=frozenset({1990})
    )
    result = score_candidate(other, prepare_name(other.name), cand)
    names = {f.feature for f in result.features}
    assert {"country_mismatch", "birth_year_mismatch", "schema_mismatch"} <= names
    assert result.score < same - 0.5


def _population(n: int) -> list[Candidate]:
    firsts = ["Ali", "Rza", "Elchin", "Vugar", "Farid", "Leyla", "Aysel", "Nigar", "Samir", "Orkhan"]
    lasts = ["Aliyev", "Mammadov", "Hasanov", "Guliyev", "Ismayilov", "Abbasov", "Jafarov", "Karimov"]
    cands = [candidate(i, [f"{firsts[i % 10]} {lasts[(i // 10) % 8]} {i:05d}x"]) for i in range(n)]
    cands.append(candidate(n, ["Rza Huseynov"]))
    return cands


def test_the_index_scores_a_few_candidates_not_every_entry() -> None:
    cands = _population(5000)
    index = ScreeningIndex(cands)
    screening = index.screen(Query("Гусейнов Рза"))
    assert screening.results[0].candidate.caption == "Rza Huseynov"
    stats = screening.stats
    assert stats.candidates_scored <= index.max_candidates
    assert stats.postings_read < len(cands) / 5  # common keys ("Rza" is in 500 entries) are skipped
    assert stats.names_scored <= index.max_names + 1


def test_blocking_keys_survive_a_consonant_typo_and_a_change_of_script() -> None:
    def keys(name: str) -> set[str]:
        return set().union(*(part_keys(p) for p in prepare_name(name).parts))

    assert keys("Kuzmenko") & keys("Kusmenko")
    assert keys("Гусейнов") & keys("Huseynov") & keys("حسین‌اف")
    assert not keys("Kuzmenko") & keys("Huseynov")


def test_identifier_hits_are_scored_whatever_the_name() -> None:
    cands = _population(200)
    cands.append(candidate(999, ["MV SEA STAR"], "vessel", identifiers=(("imo", "9187629"),)))
    index = ScreeningIndex(cands)
    found = index.screen(Query("Completely Different", schema="vessel", identifiers=(("imo", "9187629"),)))
    assert found.results[0].candidate.entry_id == 999 and found.results[0].passed
