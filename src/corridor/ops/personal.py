"""What counts as personal data in a record, and how it is pseudonymised.

A party is treated as a natural person unless its name shows it is an organisation (a legal form
such as LLC, ООО, MMC at either end, or a business word such as "trading" or "logistics"). The
test errs towards "person": a company pseudonymised by mistake loses a name that was not personal
data; a person kept by mistake would break the retention promise.

A pseudonym is an HMAC of the normalised name under the node's secret key: the same person gets
the same pseudonym in every old record (counts per party still work), the name cannot be read
back, and a pseudonym is recognised so that a second purge changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corridor.screening.normalise import prepare_name, transliterate_tokens

PSEUDONYM = re.compile(r"^\[person [0-9a-f]{12}\]$")
REMOVED = "[removed]"

# Words that name a business, not a person (transliterated, lower case); legal forms come from
# the screening package's list, so a form is recognised in any script it is written in.
_ORGANISATION_WORDS = (
    "trading trade logistics logistic export import exports imports shipping transport transportation "
    "freight forwarding group holding holdings industries industry international services service "
    "company corporation enterprise enterprises factory plant motors auto agro bank agency terminal "
    "port line lines marine maritime energy oil gas petroleum chemical chemicals foods food textile "
    "textiles electronics construction distribution supply supplies partners center centre ministry "
    "customs authority cooperative association fund university hospital"
)
ORGANISATION_WORDS = frozenset(_ORGANISATION_WORDS.split())
# Format-specific attributes (Consignment.attributes) that describe a person: driver, crew ...
PERSONAL_ATTRIBUTE = re.compile(
    r"driver|crew|passenger|passport|person|phone|mobile|e-?mail|contact|birth|national_id", re.IGNORECASE
)
# Strings shorter than this are not searched for in free text: "Li" would mangle every "Limited".
MIN_SCRUB_LENGTH = 4


def pseudonym(secret: str, value: str) -> str:
    normalised = " ".join(value.casefold().split())
    digest = hmac.new(secret.encode("utf-8"), normalised.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"[person {digest[:12]}]"


def is_pseudonym(value: object) -> bool:
    return isinstance(value, str) and PSEUDONYM.match(value) is not None


def is_organisation(name: str | None) -> bool:
    if not name:
        return False
    if prepare_name(name).legal_forms:
        return True
    return any(word in ORGANISATION_WORDS for word, _ in transliterate_tokens(name))


@dataclass(slots=True)
class Replacements:
    """Personal strings found in a record -> what replaces them in the record's other documents."""

    secret: str
    found: dict[str, str] = field(default_factory=dict)

    def name(self, value: str) -> str:
        replacement = pseudonym(self.secret, value)
        self.found[value] = replacement
        return replacement

    def removed(self, value: str | None) -> None:
        if value and not is_pseudonym(value):
            self.found.setdefault(value, REMOVED)

    def text(self, value: str | None) -> str | None:
        """Free text with every found personal string replaced (case-insensitive)."""
        if not value:
            return value
        for original, replacement in sorted(self.found.items(), key=lambda kv: -len(kv[0])):
            if len(original) >= MIN_SCRUB_LENGTH and original.casefold() in value.casefold():
                value = re.sub(re.escape(original), replacement, value, flags=re.IGNORECASE)
        return value

    def deep(self, value: Any) -> Any:
        """A JSON document with found personal strings replaced in every string it holds."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value


def scrub_party(party: dict[str, Any], found: Replacements) -> bool:
    """Pseudonymise one party document in place if it is a person; True when it changed."""
    name = party.get("name")
    if is_pseudonym(name) or is_organisation(name):
        return False
    identifiers = party.get("identifiers") or []
    key = name or " ".join(f"{i.get('scheme')}:{i.get('value')}" for i in identifiers if isinstance(i, dict))
    if not key:
        return False
    party["name"] = found.name(key)
    for ident in identifiers:
        if isinstance(ident, dict):
            found.removed(str(ident.get("value") or ""))
            found.removed(f"{ident.get('scheme')}:{ident.get('value')}".upper())
    for part in ("address", "city", "postcode"):
        found.removed(party.pop(part, None))
    party["identifiers"] = []
    return True


def scrub_consignment(doc: dict[str, Any], found: Replacements) -> bool:
    """Pseudonymise the persons in a consignment document in place; True when anything changed."""
    changed = False
    parties: list[Any] = list(doc.get("parties") or [])
    if isinstance(doc.get("carrier"), dict):
        parties.append(doc["carrier"])
    for party in parties:
        if isinstance(party, dict) and scrub_party(party, found):
            changed = True
    attributes = doc.get("attributes")
    if isinstance(attributes, dict):
        for key in [k for k in attributes if PERSONAL_ATTRIBUTE.search(k)]:
            found.removed(str(attributes.pop(key)))
            changed = True
    if changed:
        # Marks and descriptions sometimes repeat a name ("for Ivan Petrov, Baku").
        for item in doc.get("goods") or []:
            if isinstance(item, dict):
                for text_field in ("marks", "description"):
                    if isinstance(item.get(text_field), str):
                        item[text_field] = found.text(item[text_field])
    return changed
