"""IATA Cargo-XML air waybills into consignments: XFWB (master, root `Waybill`) and XFZB (house,
root `HouseWaybill`).

Airports in Cargo-XML are IATA three-letter codes, not UN/LOCODEs, so they stay place names; the
country is filled in when exactly one UN/LOCODE airport carries that code. Weights come in kilograms
or pounds and are stored in kilograms. See docs/formats/wco-and-cargo-xml.md for the mapping table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corridor.domain.consignment import (
    Consignment,
    DocumentType,
    FreightPayment,
    MessageFunction,
    PartyRole,
    StopRole,
    TransportMode,
    to_utc,
)
from corridor.ingest.base import Parsed, ReadItem, ReadOptions, Rejection
from corridor.ingest.xmlsafe import (
    Element,
    RecordIssues,
    XmlRecord,
    XmlStream,
    attr,
    children,
    country_code,
    find,
    find_all,
    first,
    indexed,
    local_name,
    locode_or_none,
    one_line,
    parse_count,
    parse_datetime,
    parse_number,
    parse_weight_kg,
    text,
    texts,
    validation_rejection,
)
from corridor.reference import locations

PURPOSES = {
    "creation": MessageFunction.ORIGINAL,
    "update": MessageFunction.AMENDMENT,
    "deletion": MessageFunction.CANCELLATION,
}

PARTY_ELEMENTS = {
    "ConsignorParty": PartyRole.CONSIGNOR,
    "ConsigneeParty": PartyRole.CONSIGNEE,
    "FreightForwarderParty": PartyRole.FREIGHT_FORWARDER,
    "NotifyParty": PartyRole.NOTIFY,
}

# Customs note subject codes (Cargo-XML / Cargo-IMP OCI) that name a party of the consignment.
NOTE_SUBJECTS = {"SHP": PartyRole.CONSIGNOR, "CNE": PartyRole.CONSIGNEE, "NFY": PartyRole.NOTIFY}

_M3_PER_UNIT = {
    "MTQ": 1.0,
    "DMQ": 0.001,
    "LTR": 0.001,
    "CMQ": 0.000001,
    "FTQ": 0.0283168,
    "INQ": 0.0000163871,
}
_AWB = re.compile(r"^(\d{3})-?(\d{8})$")
_FLIGHT = re.compile(r"^([A-Z0-9]{2})\s?(\d{1,4}[A-Z]?)$")


class CargoXmlReader:
    format = "cargo_xml"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        stream = XmlStream(path, display_name, {"Waybill", "HouseWaybill"})
        for item in stream:
            if isinstance(item, Rejection):
                yield item
            else:
                yield from read_waybill(item, display_name, options)
        if stream.records == 0 and not stream.failed:
            yield Rejection(
                file=display_name,
                location="file",
                field=None,
                reason=f"expected an XFWB Waybill or XFZB HouseWaybill, the root element is {stream.root_name}",
                code="no_records",
            )


def read_waybill(record: XmlRecord, file: str, options: ReadOptions) -> Iterator[ReadItem]:
    is_house = local_name(record.element.tag) == "HouseWaybill"
    master = find(record.element, "MasterConsignment")
    if master is None:
        yield Rejection(
            file, record.path, "MasterConsignment", "the waybill has no MasterConsignment", "missing_field"
        )
        return
    if not is_house:
        yield _guarded(record, file, record.path, lambda: _Waybill(record, file, master, None).build(options))
        return
    houses = indexed(master, "IncludedHouseConsignment")
    if not houses:
        yield Rejection(
            file,
            record.path,
            "IncludedHouseConsignment",
            "the house waybill has no house consignment",
            "missing_field",
        )
    for position, house in houses:
        where = f"{record.path}/MasterConsignment/IncludedHouseConsignment[{position}]"
        yield _guarded(
            record,
            file,
            where,
            lambda h=house, w=where: _Waybill(record, file, master, h, w, len(houses)).build(options),
        )


def _guarded(record: XmlRecord, file: str, where: str, build: Any) -> ReadItem:
    try:
        result: ReadItem = build()
        return result
    except ValidationError as err:
        return validation_rejection(err, file=file, location=where)
    except Exception as err:  # the reader contract: bad input never escapes as an exception
        return Rejection(file, where, None, f"could not map the waybill: {err}", "reader_error")


@lru_cache(maxsize=1)
def _airport_countries() -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for code, loc in locations().items():
        if loc.is_airport:
            index.setdefault(code[2:], set()).add(code[:2])
    return index


def airport_country(iata: str) -> str | None:
    """The country of an IATA airport code, when exactly one UN/LOCODE airport has that code."""
    found = _airport_countries().get(iata.upper(), set())
    return next(iter(found)) if len(found) == 1 else None


def airport_place(code: str | None) -> dict[str, Any] | None:
    if code is None:
        return None
    compact = code.strip().upper()
    if locode := locode_or_none(compact):
        return {"locode": locode}
    place: dict[str, Any] = {"name": compact}
    if re.fullmatch(r"[A-Z]{3}", compact) and (found := airport_country(compact)):
        place["country"] = found
    return place


def awb_check_digit_ok(serial: str) -> bool:
    """The eighth digit of an air waybill serial is the first seven taken modulo 7."""
    return int(serial[:7]) % 7 == int(serial[7])


def _place_key(place: dict[str, Any] | None) -> str | None:
    if place is None:
        return None
    return str(place.get("locode") or place.get("name"))


class _Waybill:
    """The mapping of one master waybill, or of one house consignment of a house waybill."""

    def __init__(
        self,
        record: XmlRecord,
        file: str,
        master: Element,
        house: Element | None,
        where: str | None = None,
        house_count: int = 1,
    ) -> None:
        self.record = record
        self.file = file
        self.master = master
        self.house = house
        self.where = where or record.path
        self.house_count = house_count
        # The consignment this document describes: the master's own, or the house's.
        self.subject = house if house is not None else master
        self.issues = RecordIssues()
        self.attributes: dict[str, str] = {}
        self.data: dict[str, Any] = {}

    def build(self, options: ReadOptions) -> ReadItem:
        root = self.record.element
        header = find(root, "MessageHeaderDocument")
        business = find(root, "BusinessHeaderDocument")
        number = self._number(business)
        if number is None:
            field = "IncludedHouseConsignment/ID" if self.house is not None else "BusinessHeaderDocument/ID"
            return Rejection(
                self.file, self.where, field, "the waybill has no document number", "missing_field"
            )
        data = self.data
        data["document_type"] = (
            DocumentType.HOUSE_AIR_WAYBILL if self.house is not None else DocumentType.AIR_WAYBILL
        ).value
        data["document_number"] = number
        data["mode"] = TransportMode.AIR.value
        if self.house is not None:
            master_number = text(self.master, "TransportContractDocument/ID")
            data["master_document_number"] = master_number
            if master_number:
                self._check_awb(master_number, "master_document_number")
        else:
            self._check_awb(number, "document_number")
        data["function"] = self._function(text(header, "PurposeCode"))
        data["filed_at"] = parse_datetime(text(header, "IssueDateTime"), "filed_at", self.issues)
        if code := text(header, "TypeCode"):
            self.attributes["message_type"] = code
        if reference := text(business, "SenderAssignedID"):
            self.attributes["sender_reference"] = reference
        if business is not None and any(
            text(n, "ContentCode") == "C" for n in children(business, "IncludedHeaderNote")
        ):
            self.attributes["consolidation"] = "yes"

        self._route()
        self._parties()
        self._goods()
        self._totals()
        self._charges()
        self._handling()
        data["attributes"] = self.attributes
        data["provenance"] = {
            "format": "cargo_xml",
            "file": self.file,
            "location": self.where,
            "sender": text(header, "SenderParty/PrimaryID") if header is not None else None,
            "message_id": text(header, "ID") if header is not None else None,
        }
        if self.issues.problems and not options.lenient:
            return self.issues.rejection(self.file, self.where)
        data["warnings"] = [w.model_dump() for w in self.issues.as_warnings()]
        consignment = Consignment.model_validate({k: v for k, v in data.items() if v is not None})
        return Parsed(consignment, self.where)

    def _number(self, business: Element | None) -> str | None:
        if self.house is not None:
            own = text(self.house, "ID")
            # The business header names the house only when the message carries a single one.
            return own or (text(business, "ID") if self.house_count == 1 else None)
        return text(business, "ID") or text(self.master, "TransportContractDocument/ID")

    def _check_awb(self, number: str, field_path: str) -> None:
        match = _AWB.match(number.strip())
        if match is None:
            return
        prefix, serial = match.groups()
        self.attributes.setdefault("airline_prefix", prefix)
        if not awb_check_digit_ok(serial):
            self.issues.remark("awb_check_digit", field_path, f"{number} fails the air waybill check digit")

    def _function(self, purpose: str | None) -> str:
        if purpose is None:
            return MessageFunction.ORIGINAL.value
        function = PURPOSES.get(purpose.strip().lower())
        if function is None:
            self.issues.remark("unknown_purpose", "function", f"PurposeCode {purpose!r} read as an original")
            return MessageFunction.ORIGINAL.value
        return function.value

    # ------------------------------------------------------------------ route

    def _movements(self) -> list[Element]:
        found = [*find_all(self.subject, "SpecifiedLogisticsTransportMovement")]
        if self.house is not None:
            found.extend(find_all(self.master, "SpecifiedLogisticsTransportMovement"))
        keyed = [
            (parse_count(text(m, "SequenceNumeric"), "itinerary", self.issues) or position, m)
            for position, m in enumerate(found, start=1)
        ]
        return [m for _, m in sorted(keyed, key=lambda pair: pair[0])]

    def _event_time(self, event: Element | None, actual: str, field_path: str) -> datetime | None:
        if event is None:
            return None
        raw = text(event, actual) or text(event, "ScheduledOccurrenceDateTime")
        return parse_datetime(raw, field_path, self.issues)

    def _route(self) -> None:
        data = self.data
        origin = airport_place(text(self.subject, "OriginLocation/ID"))
        destination = airport_place(text(self.subject, "FinalDestinationLocation/ID"))
        master_destination = airport_place(text(self.master, "FinalDestinationLocation/ID"))
        if origin is None and self.house is not None:
            origin = airport_place(text(self.master, "OriginLocation/ID"))

        # Each stop: place, arrival, departure.
        stops: list[list[Any]] = []
        flights: list[str] = []
        carrier: dict[str, Any] | None = None
        for movement in self._movements():
            flight = text(movement, "ID")
            if flight:
                flights.append(flight)
            if carrier is None:
                carrier = self._carrier(movement, flight)
            departure_event = find(movement, "DepartureEvent")
            arrival_event = find(movement, "ArrivalEvent")
            leaves = airport_place(text(departure_event, "OccurrenceDepartureLocation/ID"))
            leaves_at = self._event_time(departure_event, "DepartureOccurrenceDateTime", "departure_at")
            arrives = airport_place(text(arrival_event, "OccurrenceArrivalLocation/ID"))
            arrives_at = self._event_time(arrival_event, "ArrivalOccurrenceDateTime", "eta")
            if leaves is not None:
                if stops and _place_key(stops[-1][0]) == _place_key(leaves):
                    stops[-1][2] = stops[-1][2] or leaves_at
                else:
                    stops.append([leaves, None, leaves_at])
            if arrives is not None:
                stops.append([arrives, arrives_at, None])
        if origin is not None and (not stops or _place_key(stops[0][0]) != _place_key(origin)):
            stops.insert(0, [origin, None, None])
        roles: list[StopRole] = [StopRole.TRANSHIPMENT] * len(stops)
        end = master_destination if self.house is not None else destination
        if end is not None and (not stops or _place_key(stops[-1][0]) != _place_key(end)):
            stops.append([end, None, None])
            roles.append(StopRole.TRANSHIPMENT)
        if self.house is not None and destination is not None and _place_key(destination) != _place_key(end):
            stops.append([destination, None, None])
            roles.append(StopRole.DELIVERY)
        if stops:
            roles[0] = StopRole.LOADING
            last_leg = len(stops) - 1 - (1 if roles[-1] is StopRole.DELIVERY else 0)
            if last_leg > 0:
                roles[last_leg] = StopRole.DISCHARGE
        data["itinerary"] = [
            {
                "sequence": i,
                "role": role.value,
                "place": place,
                "arrival": to_utc(arrival),
                "departure": to_utc(departure),
            }
            for i, ((place, arrival, departure), role) in enumerate(zip(stops, roles, strict=True))
        ]

        data["place_of_loading"] = origin
        data["place_of_discharge"] = end
        if self.house is not None and _place_key(destination) != _place_key(end):
            data["place_of_delivery"] = destination
        data["departure_at"] = stops[0][2] if stops else None
        discharge = next((s for s, r in zip(stops, roles, strict=True) if r is StopRole.DISCHARGE), None)
        data["eta"] = discharge[1] if discharge else None
        data["departure_country"] = (origin or {}).get("country")
        data["destination_country"] = (destination or end or {}).get("country")
        ends = {data["departure_country"], data["destination_country"]}
        middle = [
            s[0].get("country") for s, r in zip(stops, roles, strict=True) if r is StopRole.TRANSHIPMENT
        ]
        data["transit_countries"] = list(dict.fromkeys(c for c in middle if c and c not in ends))

        if flights:
            self.attributes["flights"] = " ".join(flights)
        data["carrier"] = carrier
        conveyance: dict[str, Any] = {"mode": TransportMode.AIR.value}
        if flights:
            conveyance["journey_number"] = flights[0]
        data["conveyance"] = conveyance

    def _carrier(self, movement: Element, flight: str | None) -> dict[str, Any] | None:
        means = find(movement, "UsedLogisticsTransportMeans")
        name = one_line(text(means, "Name")) if means is not None else None
        code = text(movement, "CarrierParty/PrimaryID")
        if code is None and flight and (match := _FLIGHT.match(flight.replace(" ", "").upper())):
            code = match.group(1)
        if name is None and code is None:
            return None
        carrier: dict[str, Any] = {"role": PartyRole.CARRIER.value, "name": name or code}
        if code:
            carrier["identifiers"] = [{"scheme": "IATA", "value": code}]
        return carrier

    # ------------------------------------------------------------------ parties

    def _address(self, party: Element) -> Element | None:
        return next((c for c in party if local_name(c.tag).endswith("Address")), None)

    def _party(self, element: Element, role: PartyRole, field_path: str) -> dict[str, Any] | None:
        party: dict[str, Any] = {"role": role.value, "name": one_line(text(element, "Name"))}
        identifiers: list[dict[str, str]] = []
        if primary := text(element, "PrimaryID"):
            identifiers.append(
                {"scheme": attr(find(element, "PrimaryID"), "schemeID") or "ID", "value": primary}
            )
        if account := text(element, "AccountID"):
            identifiers.append({"scheme": "ACCOUNT", "value": account})
        if agent := text(element, "CargoAgentID"):
            identifiers.append({"scheme": "IATA_AGENT", "value": agent})
        party["identifiers"] = identifiers
        address = self._address(element)
        if address is not None:
            lines = [", ".join(v.split("\n")) for v in texts(address, "StreetName")]
            lines.extend(texts(address, "PostOfficeBox"))
            party["address"] = one_line(", ".join(line.strip() for line in lines)) if lines else None
            party["city"] = one_line(text(address, "CityName"))
            party["postcode"] = text(address, "PostcodeCode")
            party["country"] = country_code(text(address, "CountryID"), f"{field_path}.country", self.issues)
        if not party["name"] and not identifiers:
            return None
        return {k: v for k, v in party.items() if v is not None}

    def _parties(self) -> None:
        parties: list[dict[str, Any]] = []
        holders = [self.subject] if self.house is None else [self.house, self.master]
        for holder in holders:
            for element_name, role in PARTY_ELEMENTS.items():
                if any(p["role"] == role.value for p in parties):
                    continue
                for element in children(holder, element_name):
                    party = self._party(element, role, f"parties[{len(parties)}]")
                    if party is not None:
                        parties.append(party)
            for element in children(holder, "AssociatedParty"):
                role_code = (text(element, "RoleCode") or "").upper()
                role = PartyRole.NOTIFY if role_code in ("NI", "N1", "NOTIFY") else PartyRole.OTHER
                party = self._party(element, role, f"parties[{len(parties)}]")
                if party is not None:
                    parties.append(party)
        self._customs_notes(parties)
        self.data["parties"] = parties

    def _customs_notes(self, parties: list[dict[str, Any]]) -> None:
        notes: dict[str, list[str]] = {}
        for note in children(self.subject, "IncludedCustomsNote"):
            code = (text(note, "ContentCode") or "").upper()
            subject = (text(note, "SubjectCode") or "").upper()
            content = text(note, "Content")
            if content is None:
                continue
            role = NOTE_SUBJECTS.get(subject)
            if code == "T" and role is not None:
                party = next((p for p in parties if p["role"] == role.value), None)
                if party is None:
                    party = {"role": role.value, "identifiers": []}
                    parties.append(party)
                identifier = {"scheme": "TIN", "value": content}
                if identifier not in party.setdefault("identifiers", []):
                    party["identifiers"].append(identifier)
                continue
            key = f"customs_note.{subject or 'any'}.{code or 'any'}"
            if content not in notes.setdefault(key, []):
                notes[key].append(content)
        self.attributes.update({key: "; ".join(values) for key, values in notes.items()})

    # ------------------------------------------------------------------ goods

    def _item_elements(self) -> list[Element]:
        if self.house is not None:
            return children(self.house, "IncludedHouseConsignmentItem")
        ratings = children(self.master, "ApplicableRating")
        freight = [r for r in ratings if text(r, "TypeCode") in (None, "F")] or ratings
        return [i for r in freight for i in children(r, "IncludedMasterConsignmentItem")]

    def _goods(self) -> None:
        goods: list[dict[str, Any]] = []
        equipment: list[dict[str, Any]] = []
        for position, element in enumerate(self._item_elements(), start=1):
            at = f"goods[{len(goods)}]"
            sequence = (
                parse_count(text(element, "SequenceNumeric"), f"{at}.sequence", self.issues) or position
            )
            item: dict[str, Any] = {"sequence": sequence}
            codes: list[str] = []
            for raw in texts(element, "TypeCode"):
                digits = re.sub(r"\D", "", raw)
                if 4 <= len(digits) <= 14:
                    codes.append(digits)
                else:
                    self.issues.remark("invalid_hs", f"{at}.hs_code", f"{raw!r} is not a harmonised code")
            if codes:
                item["hs_code"] = codes[0]
                if len(codes) > 1:
                    self.attributes[f"{at}.hs_codes"] = ",".join(codes)
            description = one_line(text(element, "NatureIdentificationTransportCargo/Identification"))
            if description is None and self.house is not None:
                description = one_line(text(self.house, "SummaryDescription"))
            item["description"] = description
            item["gross_kg"] = parse_weight_kg(
                find(element, "GrossWeightMeasure"), f"{at}.gross_kg", self.issues
            )
            pieces = text(element, "PieceQuantity") or text(element, "PackageQuantity")
            item["packages"] = parse_count(pieces, f"{at}.packages", self.issues)
            ulds = [self._uld(u) for u in children(element, "AssociatedUnitLoadTransportEquipment")]
            item["containers"] = [u for u in ulds if u]
            for number in item["containers"]:
                if all(e["number"] != number for e in equipment):
                    equipment.append({"number": number, "size_type": "ULD"})
            volume = self._volume(find(element, "GrossVolumeMeasure"), f"{at}.volume")
            if volume is not None:
                self.attributes[f"{at}.volume_m3"] = f"{volume:g}"
            goods.append({k: v for k, v in item.items() if v is not None})
        for unit in children(self.subject, "UtilizedUnitLoadTransportEquipment"):
            number = self._uld(unit)
            if number and all(e["number"] != number for e in equipment):
                equipment.append({"number": number, "size_type": "ULD"})
        self.data["goods"] = goods
        self.data["equipment"] = equipment

    def _uld(self, unit: Element) -> str | None:
        """A ULD number as written on the unit: type, serial, owner (e.g. PMC1337XX)."""
        ident = text(unit, "ID")
        if ident is None:
            return None
        kind = text(unit, "CharacteristicCode") or ""
        owner = text(unit, "OperatingParty/PrimaryID") or ""
        compact = ident.replace(" ", "").upper()
        if kind and not compact.startswith(kind.upper()):
            compact = kind.upper() + compact
        if owner and not compact.endswith(owner.upper()):
            compact += owner.upper()
        return compact

    def _volume(self, element: Element | None, field_path: str) -> float | None:
        value = parse_number(text(element), field_path, self.issues) if element is not None else None
        if value is None:
            return None
        factor = _M3_PER_UNIT.get((attr(element, "unitCode") or "MTQ").upper())
        if factor is None:
            self.issues.remark(
                "unknown_unit", field_path, f"volume unit {attr(element, 'unitCode')!r} not known"
            )
            return None
        return round(value * factor, 6)

    # ------------------------------------------------------------------ totals, charges, handling

    def _totals(self) -> None:
        subject, issues = self.subject, self.issues
        weight = first(find(subject, "IncludedTareGrossWeightMeasure"), find(subject, "GrossWeightMeasure"))
        self.data["total_gross_kg"] = parse_weight_kg(weight, "total_gross_kg", issues)
        total = parse_count(text(subject, "TotalPieceQuantity"), "total_packages", issues)
        self.data["total_packages"] = total
        volume = self._volume(find(subject, "GrossVolumeMeasure"), "attributes.volume_m3")
        if volume is not None:
            self.attributes["volume_m3"] = f"{volume:g}"
        if self.house is not None:
            master_weight = parse_weight_kg(
                find(self.master, "IncludedTareGrossWeightMeasure"), "attributes.master_gross_kg", issues
            )
            if master_weight is not None:
                self.attributes["master_gross_kg"] = f"{master_weight:g}"
            if pieces := text(self.master, "TotalPieceQuantity"):
                self.attributes["master_pieces"] = pieces
        counts = [g.get("packages") for g in self.data.get("goods", [])]
        if total is not None and counts and None not in counts:
            added = sum(c for c in counts if c is not None)
            if added != total:
                issues.remark(
                    "package_count_mismatch",
                    "total_packages",
                    f"TotalPieceQuantity is {total}, the items add up to {added} pieces",
                )

    def _amount(self, element: Element | None) -> str | None:
        raw = text(element)
        if element is None or raw is None:
            return None
        currency = attr(element, "currencyID")
        return f"{raw} {currency}" if currency else raw

    def _charges(self) -> None:
        subject = self.subject
        indicator = text(subject, "TotalChargePrepaidIndicator") or text(
            self.master, "ApplicableTotalRating/ApplicablePrepaidCollectMonetarySummation/PrepaidIndicator"
        )
        payment = FreightPayment.UNKNOWN
        if indicator is not None:
            payment = FreightPayment.PREPAID if indicator.lower() in ("true", "1") else FreightPayment.COLLECT
        self.data["freight_payment"] = payment.value
        for element, key in (
            ("DeclaredValueForCustomsAmount", "declared_value_customs"),
            ("DeclaredValueForCarriageAmount", "declared_value_carriage"),
            ("InsuranceValueAmount", "insurance_value"),
            ("TotalPrepaidChargeAmount", "total_prepaid"),
            ("TotalCollectChargeAmount", "total_collect"),
        ):
            if amount := self._amount(find(subject, element)):
                self.attributes[key] = amount
        if self.house is None:
            summary = "ApplicableTotalRating/ApplicablePrepaidCollectMonetarySummation/GrandTotalAmount"
            if amount := self._amount(find(self.master, summary)):
                self.attributes["total_charges"] = amount
        if currency := text(subject, "ApplicableOriginCurrencyExchange/SourceCurrencyCode"):
            self.attributes["currency"] = currency

    def _handling(self) -> None:
        subject = self.subject
        codes = texts(subject, "HandlingSPHInstructions/DescriptionCode")
        if codes:
            self.attributes["special_handling"] = ",".join(dict.fromkeys(codes))
        osi = [one_line(v) or "" for v in texts(subject, "HandlingOSIInstructions/Description")]
        if osi:
            self.attributes["other_service_information"] = "; ".join(osi)
        if status := text(subject, "AssociatedConsignmentCustomsProcedure/GoodsStatusCode"):
            self.attributes["goods_status"] = status
