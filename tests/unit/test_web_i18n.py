"""The catalogues: Russian translates every English key, templates use only known keys, locale formats."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import corridor.web
from corridor.cases.vocabulary import COMMODITIES, CONCEALMENTS, METHODS, RESULTS, UNITS
from corridor.web.i18n import Translator, catalogue, negotiate

TEMPLATES = Path(corridor.web.__file__).parent / "templates"
CODE = Path(corridor.web.__file__).parent


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_russian_translates_every_english_key_with_the_same_placeholders() -> None:
    en, ru = catalogue("en"), catalogue("ru")
    assert sorted(set(en) - set(ru)) == []
    assert sorted(set(ru) - set(en)) == []
    for key, text in en.items():
        assert ru[key].strip(), key
        assert _fields(ru[key]) == _fields(text), key


def test_azerbaijani_translates_every_english_key_with_the_same_placeholders() -> None:
    en, az = catalogue("en"), catalogue("az")
    assert sorted(set(en) - set(az)) == []
    assert sorted(set(az) - set(en)) == []
    for key, text in en.items():
        assert az[key].strip(), key
        assert _fields(az[key]) == _fields(text), key
    # Latin script, not a copy of the English text, for the customs vocabulary at least
    assert Translator("az")("queue.capacity") == "Bugünkü yoxlama imkanı"
    assert Translator("az")("nav.seizures") == "Müsadirələr" and Translator("az")("c.container") == "Konteyner"
    assert not re.search("[А-Яа-яЁё]", "".join(az.values()))


def test_alert_and_screening_vocabularies_have_labels() -> None:
    from corridor.exchange.messages import AlertAction
    from corridor.maritime.events import KINDS
    from corridor.screening.matcher import FEATURES

    en = catalogue("en")
    assert [k for k in KINDS if f"mkind.{k}" not in en] == []
    assert [a.value for a in AlertAction if f"alerts.act.{a.value}" not in en] == []
    assert [f for f in FEATURES if f"wl.f.{f}" not in en] == []


def test_every_key_used_by_templates_and_pages_exists() -> None:
    en = catalogue("en")
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *CODE.glob("*.py")]:
        used |= set(
            re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9.]+)["']\s*[,)]""", path.read_text(encoding="utf-8"))
        )
    missing = sorted(k for k in used if k not in en)
    assert missing == []
    for prefix, codes in (
        ("method", METHODS),
        ("result", RESULTS),
        ("commodity", COMMODITIES),
        ("concealment", CONCEALMENTS),
        ("unit", UNITS),
    ):
        assert [c for c in codes if f"{prefix}.{c}" not in en] == [], prefix


def test_dates_and_numbers_follow_the_locale() -> None:
    moment = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    en, ru = Translator("en", "Asia/Baku"), Translator("ru", "Asia/Baku")
    assert en.number(12345.5, 1) == "12,345.5"
    assert ru.number(12345.5, 1).replace("\xa0", " ") == "12 345,5"
    assert "9:00" in en.datetime(moment) and "09:00" in ru.datetime(moment)  # shown in Baku time (UTC+4)
    assert ru.date(moment).replace("\u202f", " ") == "25 нояб. 2026 г."
    assert en.percent(0.25) == "25%"
    assert (
        en.opt("lane", "red") == "Red"
        and ru.opt("lane", "red") == "Красный"
        and en.opt("lane", "mauve") == "mauve"
    )


def test_language_negotiation() -> None:
    assert negotiate("ru-RU,ru;q=0.9,en;q=0.8") == "ru"
    assert negotiate("de-DE") == "en" and negotiate(None) == "en"
    assert negotiate("az") == "az"
