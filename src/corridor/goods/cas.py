"""CAS Registry Numbers in free text, with the check digit that catches typos and made-up numbers.

A CAS number is 2-7 digits, 2 digits and a check digit (108-24-7). The check digit is the sum of
the other digits, each multiplied by its position counted from the right (1, 2, 3 ...), modulo 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CAS = re.compile(r"(?<![\d-])(\d{2,7})-(\d{2})-(\d)(?![\d-])")


def cas_check_digit(body: str) -> int:
    """The check digit of the digits before it (hyphens ignored)."""
    digits = [int(d) for d in body if d.isdigit()]
    return sum(i * d for i, d in enumerate(reversed(digits), start=1)) % 10


def cas_valid(cas: str) -> bool:
    match = _CAS.fullmatch(cas.strip())
    if match is None:
        return False
    return cas_check_digit(match.group(1) + match.group(2)) == int(match.group(3))


@dataclass(frozen=True, slots=True)
class CasNumber:
    number: str
    valid: bool


def find_cas(text: str) -> list[CasNumber]:
    """Every CAS-shaped number in the text, in order, each with its check-digit verdict."""
    found: list[CasNumber] = []
    for m in _CAS.finditer(text):
        number = m.group(0)
        found.append(CasNumber(number, cas_check_digit(m.group(1) + m.group(2)) == int(m.group(3))))
    return found
