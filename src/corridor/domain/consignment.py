"""The consignment: what a pre-arrival cargo report or declaration says about one transport document.

These are the canonical types every reader produces and every other package consumes. Readers
normalise into them; validation adds warnings to them; storage keeps them as documents.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


class TransportMode(StrEnum):
    SEA = "sea"
    AIR = "air"
    ROAD = "road"
    RAIL = "rail"
    INLAND_WATER = "inland_water"
    POST = "post"
    MULTIMODAL = "multimodal"
    FIXED = "fixed"
    UNKNOWN = "unknown"


class DocumentType(StrEnum):
    BILL_OF_LADING = "BL"
    SEA_WAYBILL = "SWB"
    AIR_WAYBILL = "AWB"
    HOUSE_AIR_WAYBILL = "HAWB"
    HOUSE_BILL_OF_LADING = "HBL"
    CMR = "CMR"
    RAIL_WAYBILL = "CIM"
    DECLARATION = "DEC"
    MANIFEST = "MAN"
    OTHER = "OTHER"


class MessageFunction(StrEnum):
    ORIGINAL = "original"
    AMENDMENT = "amendment"
    CANCELLATION = "cancellation"


class PartyRole(StrEnum):
    CONSIGNOR = "consignor"
    CONSIGNEE = "consignee"
    NOTIFY = "notify"
    DECLARANT = "declarant"
    CARRIER = "carrier"
    IMPORTER = "importer"
    EXPORTER = "exporter"
    SELLER = "seller"
    BUYER = "buyer"
    FREIGHT_FORWARDER = "freight_forwarder"
    COURIER = "courier"
    OTHER = "other"


class FreightPayment(StrEnum):
    PREPAID = "prepaid"
    COLLECT = "collect"
    THIRD_PARTY = "third_party"
    UNKNOWN = "unknown"


class Lane(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    BLUE = "blue"


class StopRole(StrEnum):
    RECEIPT = "receipt"
    LOADING = "loading"
    TRANSIT = "transit"
    TRANSHIPMENT = "transhipment"
    DISCHARGE = "discharge"
    DELIVERY = "delivery"
    CUSTOMS_OFFICE = "customs_office"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=False)


# Case and whitespace are normalised inside pydantic's core: a Python validator per field costs
# more than the rest of the record at ingest rates.
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")]


class Identifier(_Model):
    scheme: str = Field(description="EORI, TIN, IMO, MMSI, LEI, KCS (source system id) ...")
    value: str = Field(min_length=1)


class RecordWarning(_Model):
    code: str = Field(description="stable machine code, e.g. unknown_locode, container_check_digit")
    field: str = Field(description="dotted path of the field concerned, e.g. equipment[0].number")
    message: str


class Money(_Model):
    amount: float = Field(ge=0)
    currency: CurrencyCode


class Party(_Model):
    role: PartyRole
    name: str | None = None
    address: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: CountryCode | None = None
    identifiers: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _named_or_identified(self) -> Party:
        if not self.name and not self.identifiers:
            raise ValueError("a party needs a name or an identifier")
        return self

    def key(self) -> str:
        """A stable key for the party across consignments: its first identifier, else its name."""
        if self.identifiers:
            ident = self.identifiers[0]
            return f"{ident.scheme}:{ident.value}".upper()
        return " ".join((self.name or "").upper().split())


class Place(_Model):
    locode: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z0-9]{3}$")
    name: str | None = None
    country: CountryCode | None = None

    @field_validator("locode", mode="before")
    @classmethod
    def _locode(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(" ", "").strip().upper()
            return value or None
        return value

    @model_validator(mode="before")
    @classmethod
    def _country_from_locode(cls, data: Any) -> Any:
        # Before validation: assigning after validation goes through pydantic's slower setattr.
        if isinstance(data, dict) and not data.get("country"):
            code = data.get("locode")
            if isinstance(code, str) and len(code.strip()) >= 2:
                data = {**data, "country": code.strip()[:2].upper()}
        return data


class ItineraryStop(_Model):
    sequence: int = Field(ge=0)
    role: StopRole
    place: Place
    arrival: datetime | None = None
    departure: datetime | None = None


class Conveyance(_Model):
    mode: TransportMode = TransportMode.UNKNOWN
    name: str | None = None
    imo: str | None = Field(default=None, pattern=r"^\d{7}$")
    mmsi: str | None = Field(default=None, pattern=r"^\d{9}$")
    call_sign: str | None = None
    flag: CountryCode | None = None
    registration: str | None = Field(default=None, description="truck plate, wagon or aircraft registration")
    trailer_registration: str | None = None
    journey_number: str | None = Field(default=None, description="voyage, flight or train number")


class Equipment(_Model):
    number: str = Field(min_length=1)
    size_type: str | None = Field(default=None, description="ISO 6346 size/type code, e.g. 22G1, 45G1")
    seals: list[str] = Field(default_factory=list)
    full: bool | None = None
    gross_kg: float | None = Field(default=None, ge=0)

    @field_validator("number", mode="before")
    @classmethod
    def _norm(cls, value: Any) -> Any:
        if isinstance(value, str):
            return "".join(value.split()).replace("-", "").upper()
        return value


class GoodsItem(_Model):
    sequence: int = Field(ge=1)
    hs_code: str | None = Field(
        default=None, pattern=r"^\d{4,14}$", description="HS code with national extension"
    )
    description: str | None = None
    packages: int | None = Field(default=None, ge=0)
    package_type: str | None = None
    gross_kg: float | None = Field(default=None, ge=0)
    net_kg: float | None = Field(default=None, ge=0)
    value: Money | None = None
    origin_country: CountryCode | None = None
    marks: str | None = None
    containers: list[str] = Field(default_factory=list)
    dangerous_goods_un: str | None = None

    @field_validator("hs_code", mode="before")
    @classmethod
    def _digits(cls, value: Any) -> Any:
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str):
            value = value.replace(".", "").replace(" ", "").strip()
            return value or None
        return value

    @property
    def hs6(self) -> str | None:
        return self.hs_code[:6] if self.hs_code and len(self.hs_code) >= 6 else None


class SourceOutcome(_Model):
    """An inspection outcome that arrived with the data itself (historical declarations)."""

    inspected: bool = True
    fraud: bool | None = None
    critical: bool | None = None
    result: str | None = Field(default=None, description="nothing_found, discrepancy or seizure")
    revenue_at_stake: Money | None = None


class Provenance(_Model):
    format: str
    file: str | None = None
    location: str | None = Field(default=None, description="line, row, segment or element path")
    sender: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class Consignment(_Model):
    document_type: DocumentType
    document_number: str = Field(min_length=1, max_length=70)
    master_document_number: str | None = None
    function: MessageFunction = MessageFunction.ORIGINAL
    mode: TransportMode = TransportMode.UNKNOWN
    carrier: Party | None = None
    conveyance: Conveyance | None = None
    office: str | None = Field(default=None, description="customs office / PCU of entry, code or LOCODE")
    filed_at: datetime | None = None
    departure_at: datetime | None = None
    eta: datetime | None = None
    arrival_at: datetime | None = None
    place_of_loading: Place | None = None
    place_of_discharge: Place | None = None
    place_of_delivery: Place | None = None
    itinerary: list[ItineraryStop] = Field(default_factory=list)
    origin_country: CountryCode | None = None
    departure_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    transit_countries: list[CountryCode] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    goods: list[GoodsItem] = Field(default_factory=list)
    equipment: list[Equipment] = Field(default_factory=list)
    freight_payment: FreightPayment = FreightPayment.UNKNOWN
    total_packages: int | None = Field(default=None, ge=0)
    total_gross_kg: float | None = Field(default=None, ge=0)
    outcome: SourceOutcome | None = None
    attributes: dict[str, str] = Field(
        default_factory=dict, description="format-specific fields kept as text"
    )
    warnings: list[RecordWarning] = Field(default_factory=list)
    provenance: Provenance | None = None

    @field_validator("filed_at", "departure_at", "eta", "arrival_at", mode="after")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return to_utc(value)

    @field_validator("document_number", mode="before")
    @classmethod
    def _docnum(cls, value: Any) -> Any:
        return " ".join(value.split()).upper() if isinstance(value, str) else value

    @property
    def key(self) -> str:
        """Natural key: amendments of the same document share it."""
        return f"{self.document_type.value}:{self.document_number}"

    def party(self, role: PartyRole) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)

    def warn(self, code: str, field: str, message: str) -> None:
        if not any(w.code == code and w.field == field for w in self.warnings):
            self.warnings.append(RecordWarning(code=code, field=field, message=message))

    def content_hash(self) -> str:
        """Hash of what the document says, ignoring where it came from and derived warnings."""
        data = self.model_dump(mode="json", exclude={"provenance", "warnings"}, exclude_none=True)
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def gross_kg(self) -> float | None:
        if self.total_gross_kg is not None:
            return self.total_gross_kg
        values = [g.gross_kg for g in self.goods if g.gross_kg is not None]
        return sum(values) if values else None


def to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
