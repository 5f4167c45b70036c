"""Data minimisation: what of a payload an agreement lets leave the node, applied before encryption.

An agreement names a profile and, optionally, an allow-list of JSON Pointer paths. Arrays are
transparent in paths: "/consignments/parties/country" keeps the country of every party of every
consignment. A profile removes paths after the allow-list is applied.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import orjson

from corridor.domain.errors import InvalidInput

# Personal data: names, addresses and identifiers of parties and persons. Roles and countries stay,
# because a partner's risk rules need them and they identify nobody. Names are replaced by a keyed
# pseudonym (HMAC with a key only the sending node holds): the partner can still see that two
# consignments share a consignor, and the documents stay valid, but cannot learn who it is.
_PSEUDONYMS = ("/consignments/parties/name", "/party/name", "/persons/name")
_PERSONAL = (
    "/consignments/parties/address",
    "/consignments/parties/city",
    "/consignments/parties/postcode",
    "/consignments/parties/identifiers",
    "/consignments/carrier/address",
    "/consignments/carrier/postcode",
    "/consignments/carrier/city",
    "/party/address",
    "/party/identifiers",
)
# Commercial data some administrations may not share: declared values and freight terms.
_COMMERCIAL = ("/consignments/goods/value", "/consignments/freight_payment")

PROFILES: dict[str, tuple[str, ...]] = {
    "full": (),
    "no-personal-data": _PERSONAL,
    "no-commercial-data": _COMMERCIAL,
    "minimal": _PERSONAL + _COMMERCIAL + ("/consignments/attributes", "/consignments/outcome"),
}


def check_profile(name: str) -> str:
    if name not in PROFILES:
        raise InvalidInput(
            f"unknown data profile {name!r}; use one of {', '.join(PROFILES)}", where="profile"
        )
    return name


def _split(pointer: str) -> list[str]:
    if pointer == "" or pointer == "/":
        return []
    if not pointer.startswith("/"):
        raise InvalidInput(
            f"a field path is a JSON Pointer starting with '/', got {pointer!r}", where="fields"
        )
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def check_fields(fields: Sequence[str] | None) -> list[str] | None:
    if fields is None:
        return None
    for pointer in fields:
        _split(pointer)
    return list(fields)


def _remove(node: Any, parts: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _remove(item, parts)
        return
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if head not in node:
        return
    if rest:
        _remove(node[head], rest)
    else:
        del node[head]


def _keep(node: Any, trees: list[list[str]]) -> Any:
    """Keep only what the allow-list paths reach; an empty path keeps the whole subtree."""
    if any(not t for t in trees):
        return node
    if isinstance(node, list):
        return [_keep(item, trees) for item in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        below = [t[1:] for t in trees if t[0] == key]
        if below:
            kept[key] = _keep(value, below)
    return kept


def _pseudonymise(node: Any, parts: list[str], key: bytes) -> None:
    if isinstance(node, list):
        for item in node:
            _pseudonymise(item, parts, key)
        return
    if not isinstance(node, dict) or not parts or parts[0] not in node:
        return
    if len(parts) > 1:
        _pseudonymise(node[parts[0]], parts[1:], key)
    elif isinstance(node[parts[0]], str):
        folded = " ".join(node[parts[0]].lower().split()).encode("utf-8")
        node[parts[0]] = "withheld:" + hmac.new(key, folded, hashlib.sha256).hexdigest()[:16]


def _copy(payload: dict[str, Any]) -> dict[str, Any]:
    # Payloads are JSON documents: a JSON round trip copies them several times faster than deepcopy.
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(payload))
        return copied
    except TypeError:
        return copy.deepcopy(payload)


def minimise(
    payload: dict[str, Any], profile: str, fields: Sequence[str] | None, *, pseudonym_key: bytes = b""
) -> dict[str, Any]:
    """A copy of the payload with only what the agreement allows."""
    result = _copy(payload)
    if fields is not None:
        result = _keep(result, [_split(p) for p in fields])
    removed = PROFILES[check_profile(profile)]
    if any(p in removed for p in _PERSONAL):
        for pointer in _PSEUDONYMS:
            _pseudonymise(result, _split(pointer), pseudonym_key or b"corridor")
    for pointer in removed:
        _remove(result, _split(pointer))
    return result
