"""Message catalogues (JSON, one per language) and locale-aware formatting with Babel.

English is the reference catalogue; Russian and Azerbaijani translate every key (a unit test checks
keys and placeholders); a key missing from a catalogue would fall back to English.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent

LOCALES = ("en", "ru", "az")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "az": "Azərbaycanca"}


@lru_cache(maxsize=len(LOCALES))
def catalogue(locale: str) -> dict[str, str]:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    text = resources.files("corridor.web").joinpath("i18n", f"{locale}.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def negotiate(accept_language: str | None) -> str:
    """The first supported language in an Accept-Language header, else English."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE


class Translator:
    def __init__(self, locale: str, tz: str = "UTC") -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self.tz = ZoneInfo(tz)
        self._babel = Locale.parse(self.locale)
        self._own = catalogue(self.locale)
        self._en = catalogue(DEFAULT_LOCALE)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._own.get(key) or self._en.get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._own or key in self._en

    def opt(self, prefix: str, code: str | None) -> str:
        """The label of a vocabulary code (lane.red, method.xray ...); the code itself if unknown."""
        if code is None:
            return "—"
        key = f"{prefix}.{code}"
        return self(key) if self.has(key) else code

    def datetime(self, value: dt.datetime | None, fmt: str = "short") -> str:
        if value is None:
            return "—"
        return _format_datetime(_aware(value), format=fmt, tzinfo=self.tz, locale=self._babel)

    def date(self, value: dt.date | dt.datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        if isinstance(value, dt.datetime):
            value = _aware(value).astimezone(self.tz).date()
        return _format_date(value, format=fmt, locale=self._babel)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return _format_decimal(value, format=pattern, locale=self._babel)

    def percent(self, value: float | None) -> str:
        if value is None:
            return "—"
        return _format_percent(value, format="#,##0%", locale=self._babel)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
