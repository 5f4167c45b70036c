"""ISO 6346 freight container identification: owner code, category, serial number and check digit."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^[A-Z]{3}[UJZR]\d{6}\d$")
_LETTER_VALUES: dict[str, int] = {}


def _build_letter_values() -> None:
    # ISO 6346 skips multiples of 11 when numbering letters (A=10, B=12, ..., K=21, L=23 ...).
    value = 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        _LETTER_VALUES[letter] = value
        value += 1


_build_letter_values()


def letter_values() -> dict[str, int]:
    """The ISO 6346 numeric value of each letter (for vectorised check-digit computation)."""
    return dict(_LETTER_VALUES)


def normalise(number: str) -> str:
    return re.sub(r"[\s\-/.]", "", number).upper()


def check_digit(first_ten: str) -> int:
    """The check digit of the owner code, category identifier and serial number (10 characters)."""
    if len(first_ten) != 10:
        raise ValueError("ISO 6346 check digit needs exactly 10 characters")
    total = 0
    for position, char in enumerate(first_ten):
        value = _LETTER_VALUES[char] if char.isalpha() else int(char)
        total += value * (2**position)
    return total % 11 % 10


def looks_like_container(number: str) -> bool:
    return bool(_PATTERN.match(normalise(number)))


def is_valid(number: str) -> bool:
    n = normalise(number)
    if not _PATTERN.match(n):
        return False
    return check_digit(n[:10]) == int(n[10])


def with_check_digit(first_ten: str) -> str:
    return first_ten + str(check_digit(first_ten))
