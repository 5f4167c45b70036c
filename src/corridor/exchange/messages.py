"""Message types and their versioned payload schemas (what is inside the encrypted envelope).

Each (type, version) has one pydantic model; unknown fields are refused so that a partner cannot
smuggle data an agreement did not cover. The JSON Schemas are published by the API and listed in
docs/exchange-protocol.md.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from corridor.domain.consignment import Consignment
from corridor.exchange.errors import InvalidPayload


class MessageType(StrEnum):
    CARGO_REPORT = "cargo_report"
    ALERT = "alert"
    SEIZURE_NOTICE = "seizure_notice"
    RFI = "rfi"
    RFI_REPLY = "rfi_reply"
    ACKNOWLEDGEMENT = "acknowledgement"
    GROUP_MEMBERSHIP = "group_membership"
    KEY_UPDATE = "key_update"


# Types an agreement can allow. Acknowledgements, RFI replies and group memberships are protocol
# replies whose permission follows from the message they answer (see service.send_rule); a key
# update goes to every active partner.
AGREEABLE: tuple[MessageType, ...] = (
    MessageType.CARGO_REPORT,
    MessageType.ALERT,
    MessageType.SEIZURE_NOTICE,
    MessageType.RFI,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Country = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")]
Locode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")
]
Container = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{4}\s?\d{6}\s?\d$")
]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CargoReport(_Payload):
    """Pre-arrival cargo data: Corridor consignment documents, minimised by the agreement."""

    consignments: list[dict[str, Any]] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _each_is_a_consignment(self) -> CargoReport:
        for index, doc in enumerate(self.consignments):
            try:
                Consignment.model_validate(doc)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"consignments[{index}].{where}: {first['msg']}") from None
        return self


class Vessel(_Payload):
    imo: Annotated[str, StringConstraints(pattern=r"^\d{7}$")] | None = None
    mmsi: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    name: Short | None = None
    flag: Country | None = None

    @model_validator(mode="after")
    def _named(self) -> Vessel:
        if not (self.imo or self.mmsi or self.name):
            raise ValueError("a vessel needs an IMO number, an MMSI or a name")
        return self


class Identifier(_Payload):
    scheme: Short
    value: Short


class PartyRef(_Payload):
    name: Short | None = None
    country: Country | None = None
    address: Text | None = None
    identifiers: list[Identifier] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _named(self) -> PartyRef:
        if not (self.name or self.identifiers):
            raise ValueError("a party needs a name or an identifier")
        return self


class Route(_Payload):
    origin: Locode | Country = Field(description="UN/LOCODE or country where the route starts")
    destination: Locode | Country
    via: list[Locode | Country] = Field(default_factory=list, max_length=10)


class AlertAction(StrEnum):
    INSPECT = "inspect"
    HOLD = "hold"
    MONITOR = "monitor"
    INFORM = "inform"


class Alert(_Payload):
    """A warning about a container, a vessel, a party or a route, with the action requested."""

    container: Container | None = None
    vessel: Vessel | None = None
    party: PartyRef | None = None
    route: Route | None = None
    reason: Text
    action: AlertAction = AlertAction.INSPECT
    severity: Literal["low", "medium", "high"] = "medium"
    valid_until: datetime | None = None
    reference: Short | None = None

    @model_validator(mode="after")
    def _has_target(self) -> Alert:
        if not (self.container or self.vessel or self.party or self.route):
            raise ValueError("an alert needs a target: container, vessel, party or route")
        return self

    @property
    def kinds(self) -> list[str]:
        return [k for k in ("container", "vessel", "party", "route") if getattr(self, k) is not None]


class SeizedGoods(_Payload):
    description: Text
    hs_code: Annotated[str, StringConstraints(pattern=r"^\d{4,10}$")] | None = None
    quantity: float | None = Field(default=None, ge=0)
    unit: Short | None = None


class Person(_Payload):
    name: Short
    nationality: Country | None = None
    role: Short | None = None


class SeizureNotice(_Payload):
    reference: Short
    seized_at: datetime
    place: Locode | None = None
    country: Country | None = None
    goods: list[SeizedGoods] = Field(min_length=1, max_length=200)
    container: Container | None = None
    vessel: Vessel | None = None
    document_number: Short | None = None
    concealment: Text | None = None
    persons: list[Person] = Field(default_factory=list, max_length=50)
    summary: Text | None = None


class Rfi(_Payload):
    """A request for information; the partner answers with an `rfi_reply` naming its message id."""

    subject: Short
    question: Text
    container: Container | None = None
    document_number: Short | None = None
    deadline: datetime | None = None


class RfiReply(_Payload):
    in_reply_to: Short
    answer: Text
    data: dict[str, Any] = Field(default_factory=dict)


class Acknowledgement(_Payload):
    """An officer's answer to a message: seen, acted upon or declined (delivery has its own receipt)."""

    message_id: Short
    status: Literal["received", "actioned", "declined"] = "received"
    note: Text | None = None


class GroupMember(_Payload):
    name: Short
    fingerprint: Short


class GroupMembership(_Payload):
    """The owner's current list of a closed user group; sent to every member on each change."""

    group: Short
    owner: Short
    version: int = Field(ge=1)
    types: list[MessageType] = Field(min_length=1)
    profile: Short = "full"
    members: list[GroupMember] = Field(max_length=200)


class KeyUpdate(_Payload):
    """The sender's new identity document (after a key rotation or revocation, or a new endpoint).

    The envelope is signed with a key the receiver already trusts, and the document's new key must
    be endorsed by such a key: the receiver then takes it without an operator's step.
    """

    identity: dict[str, Any]


SCHEMAS: dict[tuple[MessageType, int], type[_Payload]] = {
    (MessageType.CARGO_REPORT, 1): CargoReport,
    (MessageType.ALERT, 1): Alert,
    (MessageType.SEIZURE_NOTICE, 1): SeizureNotice,
    (MessageType.RFI, 1): Rfi,
    (MessageType.RFI_REPLY, 1): RfiReply,
    (MessageType.ACKNOWLEDGEMENT, 1): Acknowledgement,
    (MessageType.GROUP_MEMBERSHIP, 1): GroupMembership,
    (MessageType.KEY_UPDATE, 1): KeyUpdate,
}
CURRENT_VERSION = 1


def parse_type(value: str) -> MessageType:
    try:
        return MessageType(value)
    except ValueError:
        known = ", ".join(t.value for t in MessageType)
        raise InvalidPayload(f"unknown message type {value!r}; known: {known}", where="type") from None


def validate_payload(message_type: str, version: int, payload: Any) -> _Payload:
    """The payload as its typed model, or InvalidPayload naming the first bad field."""
    kind = parse_type(message_type)
    model = SCHEMAS.get((kind, version))
    if model is None:
        raise InvalidPayload(f"{kind.value} version {version} is not supported", where="version")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = "payload" + "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in first["loc"])
        raise InvalidPayload(str(first["msg"]), where=where) from None


def payload_json_schemas() -> dict[str, Any]:
    return {
        f"{kind.value}/v{version}": model.model_json_schema() for (kind, version), model in SCHEMAS.items()
    }
