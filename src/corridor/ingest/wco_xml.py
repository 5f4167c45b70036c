"""WCO Data Model 3.x declaration XML (DEC, e.g. HMRC CDS "DMS" declarations) into consignments.

One consignment per `Declaration`, whether the file holds a bare `Declaration`, an `md:MetaData`
envelope or several declarations. The mapping follows the data elements (DE n/n) of the Union
Customs Code as HMRC documents them; see docs/formats/wco-and-cargo-xml.md for the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corridor.domain.consignment import (
    Consignment,
    FreightPayment,
    MessageFunction,
    PartyRole,
    TransportMode,
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
from corridor.reference import country

# UN/ECE Recommendation 19 transport mode codes, as used in DE 7/4 and 7/5.
MODES = {
    "1": TransportMode.SEA,
    "2": TransportMode.RAIL,
    "3": TransportMode.ROAD,
    "4": TransportMode.AIR,
    "5": TransportMode.POST,
    "7": TransportMode.FIXED,
    "8": TransportMode.INLAND_WATER,
    "9": TransportMode.UNKNOWN,
}

PARTY_ELEMENTS = {
    "Declarant": PartyRole.DECLARANT,
    "Exporter": PartyRole.EXPORTER,
    "Consignor": PartyRole.CONSIGNOR,
    "Importer": PartyRole.IMPORTER,
    "Consignee": PartyRole.CONSIGNEE,
    "Buyer": PartyRole.BUYER,
    "Seller": PartyRole.SELLER,
    "Notify": PartyRole.NOTIFY,
    "NotifyParty": PartyRole.NOTIFY,
    "Agent": PartyRole.OTHER,
}

# Classification IdentificationTypeCode values that carry the commodity code itself; the CDS
# "TSP" code is the 8-digit Combined Nomenclature code, kept whole as the national extension.
COMMODITY_SCHEMES = ("TSP", "CN", "CV", "HS", "HTS")
CLASSIFICATION_ATTRIBUTES = {"TRC": "taric", "TRA": "taric_additional", "GN": "national_additional"}

# Previous-document types worth naming on their own: the trader's consignment references.
PREVIOUS_DOCUMENT_NAMES = {"DCR": "ducr", "MCR": "mucr"}

# Which consignment place an Incoterms 2020 named place stands for.
INCOTERM_PLACE = {
    "FAS": "place_of_loading",
    "FOB": "place_of_loading",
    "CFR": "place_of_discharge",
    "CIF": "place_of_discharge",
    "CPT": "place_of_delivery",
    "CIP": "place_of_delivery",
    "DAP": "place_of_delivery",
    "DPU": "place_of_delivery",
    "DAT": "place_of_delivery",
    "DDP": "place_of_delivery",
}

OFFICE_ELEMENTS = ("PresentationOffice", "ExitOffice", "CustomsOffice", "SupervisingOffice")

_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")
_EMPTY = Element("Empty")


class WcoXmlReader:
    format = "wco"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        stream = XmlStream(path, display_name, {"Declaration"})
        for item in stream:
            if isinstance(item, Rejection):
                yield item
            else:
                yield read_declaration(item, display_name, options)
        if stream.records == 0 and not stream.failed:
            yield Rejection(
                file=display_name,
                location="file",
                field=None,
                reason=f"no WCO Declaration element found (the root element is {stream.root_name})",
                code="no_records",
            )


def read_declaration(record: XmlRecord, file: str, options: ReadOptions) -> ReadItem:
    try:
        return _Declaration(record, file).build(options)
    except ValidationError as err:
        return validation_rejection(err, file=file, location=record.path)
    except Exception as err:  # the reader contract: bad input never escapes as an exception
        return Rejection(file, record.path, None, f"could not map the declaration: {err}", "reader_error")


def looks_like_eori(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    prefix = compact[:2]
    known_prefix = prefix in ("XI", "EU") or country(prefix) is not None
    return bool(_EORI.match(compact)) and known_prefix and any(c.isdigit() for c in compact)


def _money_text(raw: str | None, currency: str | None) -> str | None:
    if raw is None:
        return None
    return f"{raw} {currency}" if currency else raw


class _Declaration:
    """The mapping state of one declaration: built up element by element, validated once at the end."""

    def __init__(self, record: XmlRecord, file: str) -> None:
        self.record = record
        self.file = file
        self.decl = record.element
        self.shipment = _or_empty(find(self.decl, "GoodsShipment"))
        self.consignments = [
            e for e in (find(self.decl, "Consignment"), find(self.shipment, "Consignment")) if e is not None
        ]
        self.issues = RecordIssues()
        self.attributes: dict[str, str] = {}
        self.data: dict[str, Any] = {}

    # ------------------------------------------------------------------ whole declaration

    def build(self, options: ReadOptions) -> ReadItem:
        decl = self.decl
        number = text(decl, "FunctionalReferenceID") or text(decl, "ID")
        if number is None:
            return Rejection(
                self.file,
                self.record.path,
                "FunctionalReferenceID",
                "the declaration has neither a FunctionalReferenceID (LRN, DE 2/5) nor an ID (MRN)",
                "missing_field",
            )
        mrn = text(decl, "ID")
        if mrn and mrn != number:
            self.attributes["mrn"] = mrn
        self._metadata()
        type_code = text(decl, "TypeCode")
        direction = self._direction(type_code)
        data = self.data
        data.update(
            document_type="DEC",
            document_number=number,
            function=self._function(text(decl, "FunctionCode"), type_code),
        )
        data["filed_at"] = self._datetime(find(decl, "AcceptanceDateTime"), "filed_at") or self._datetime(
            find(decl, "IssueDateTime"), "filed_at"
        )
        self._transport()
        self._parties()
        self._countries(direction)
        self._places(direction)
        self._goods()
        self._equipment()
        self._totals()
        self._references()
        data["office"] = self._office()
        data["freight_payment"] = self._freight()
        data["attributes"] = self.attributes
        data["provenance"] = {
            "format": "wco",
            "file": self.file,
            "location": self.record.path,
            "sender": text(decl, "Submitter/ID") or text(decl, "Declarant/ID"),
            "message_id": mrn or number,
        }
        if self.issues.problems and not options.lenient:
            return self.issues.rejection(self.file, self.record.path)
        data["warnings"] = [w.model_dump() for w in self.issues.as_warnings()]
        consignment = Consignment.model_validate({k: v for k, v in data.items() if v is not None})
        return Parsed(consignment, self.record.path)

    def _metadata(self) -> None:
        root = self.record.root
        for element, key in (
            ("WCODataModelVersionCode", "wco_version"),
            ("ResponsibleCountryCode", "responsible_country"),
            ("ResponsibleAgencyName", "responsible_agency"),
            ("AgencyAssignedCustomizationVersionCode", "customization_version"),
        ):
            value = text(root, element) if root is not self.decl else None
            if value:
                self.attributes[key] = value

    def _direction(self, type_code: str | None) -> str | None:
        if type_code is None:
            return None
        self.attributes["declaration_type"] = type_code
        kind = type_code[:2].upper()
        direction = {"IM": "import", "EX": "export", "CO": "special_fiscal_territories"}.get(kind)
        if direction:
            self.attributes["direction"] = direction
            if len(type_code) > 2:
                self.attributes["additional_declaration_type"] = type_code[2:]
        return direction

    def _function(self, code: str | None, type_code: str | None) -> str:
        if code in (None, "9", "6"):
            return MessageFunction.ORIGINAL.value
        self.attributes["function_code"] = code or ""
        # CDS sends amendments and cancellations both as function 13, told apart by TypeCode COR/INV.
        if code in ("1", "3") or (code == "13" and type_code == "INV"):
            return MessageFunction.CANCELLATION.value
        if code in ("4", "5", "13"):
            return MessageFunction.AMENDMENT.value
        self.issues.remark("unknown_function_code", "function", f"FunctionCode {code} read as an original")
        return MessageFunction.ORIGINAL.value

    def _datetime(self, element: Element | None, field_path: str) -> datetime | None:
        if element is None:
            return None
        raw = text(element, "DateTimeString") or text(element)
        return parse_datetime(raw, field_path, self.issues)

    # ------------------------------------------------------------------ transport

    def _mode(self, code: str | None, field_path: str) -> TransportMode | None:
        if code is None:
            return None
        mode = MODES.get(code.strip())
        if mode is None:
            self.issues.remark(
                "unknown_mode", field_path, f"transport mode code {code} is not UN/ECE Rec. 19"
            )
        return mode

    def _transport(self) -> None:
        border = find(self.decl, "BorderTransportMeans")
        means: list[tuple[str, Element]] = [("border", border)] if border is not None else []
        for consignment in self.consignments:
            for tag, label in (
                ("ArrivalTransportMeans", "arrival"),
                ("DepartureTransportMeans", "departure"),
            ):
                means.extend((label, e) for e in children(consignment, tag))
        border_mode = self._mode(text(border, "ModeCode"), "mode")
        inland_mode: TransportMode | None = None
        for label, element in means:
            if label != "border" and inland_mode is None:
                inland_mode = self._mode(text(element, "ModeCode"), "attributes.inland_mode")
        if inland_mode is not None:
            self.attributes["inland_mode"] = inland_mode.value
        mode = border_mode or inland_mode or TransportMode.UNKNOWN
        self.data["mode"] = mode.value

        conveyance: dict[str, Any] = {"mode": mode.value}
        for label, element in means:
            self._conveyance_id(
                conveyance, label, text(element, "ID"), text(element, "IdentificationTypeCode")
            )
            name = text(element, "Name")
            if name and "name" not in conveyance:
                conveyance["name"] = name
            flag = country_code(text(element, "RegistrationNationalityCode"), "conveyance.flag", self.issues)
            if flag and "flag" not in conveyance:
                conveyance["flag"] = flag
            journey = text(element, "JourneyID") or text(element, "ConveyanceReferenceNumber")
            if journey and "journey_number" not in conveyance:
                conveyance["journey_number"] = journey
        if len(conveyance) > 1:
            self.data["conveyance"] = conveyance
        for holder in (border, *self.consignments):
            if holder is None:
                continue
            eta = self._datetime(find(holder, "ArrivalDateTime"), "eta")
            departure = self._datetime(find(holder, "DepartureDateTime"), "departure_at")
            self.data["eta"] = self.data.get("eta") or eta
            self.data["departure_at"] = self.data.get("departure_at") or departure

    def _conveyance_id(
        self, conveyance: dict[str, Any], label: str, ident: str | None, kind: str | None
    ) -> None:
        """Place a means-of-transport identity by its type (EU code list for DE 7/7, 7/9, 7/14)."""
        if ident is None:
            return
        self.attributes[f"{label}_transport_means"] = f"{kind or '?'}:{ident}"
        slot = {
            "10": "imo",
            "11": "name",
            "81": "name",
            "20": "registration",
            "30": "registration",
            "41": "registration",
            "80": "registration",
            "31": "trailer_registration",
            "21": "journey_number",
            "40": "journey_number",
        }.get(kind or "")
        if slot == "imo":
            digits = ident.upper().removeprefix("IMO").strip()
            if re.fullmatch(r"\d{7}", digits):
                conveyance.setdefault("imo", digits)
            else:
                self.issues.remark(
                    "invalid_imo",
                    "conveyance.imo",
                    f"{ident!r} is given as an IMO number but is not 7 digits",
                )
        elif slot is not None:
            conveyance.setdefault(slot, ident)

    # ------------------------------------------------------------------ parties

    def _party(self, element: Element, role: PartyRole, field_path: str) -> dict[str, Any] | None:
        ident = text(element, "ID")
        name = one_line(text(element, "Name"))
        if not ident and not name:
            return None
        party: dict[str, Any] = {"role": role.value, "name": name}
        if ident:
            scheme = "EORI" if looks_like_eori(ident) else "ID"
            party["identifiers"] = [
                {"scheme": scheme, "value": ident.replace(" ", "") if scheme == "EORI" else ident}
            ]
        address = find(element, "Address")
        if address is not None:
            lines = texts(address, "Line")
            party["address"] = ", ".join(lines) if lines else None
            party["city"] = text(address, "CityName")
            party["postcode"] = text(address, "PostcodeID")
            party["country"] = country_code(
                text(address, "CountryCode"), f"{field_path}.country", self.issues
            )
        if role is PartyRole.OTHER and (status := text(element, "FunctionCode")):
            self.attributes["representative_status"] = status
        return {k: v for k, v in party.items() if v is not None}

    def _parties(self) -> None:
        holders = [self.decl, *self.consignments, self.shipment]
        holders.extend(find_all(self.shipment, "GovernmentAgencyGoodsItem"))
        parties: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for holder in holders:
            for element_name, role in PARTY_ELEMENTS.items():
                for element in children(holder, element_name):
                    party = self._party(element, role, f"parties[{len(parties)}]")
                    if party is None:
                        continue
                    idents = party.get("identifiers") or []
                    key = (role.value, idents[0]["value"] if idents else party.get("name", ""))
                    if key not in seen:
                        seen.add(key)
                        parties.append(party)
            for element in children(holder, "Carrier"):
                carrier = self._party(element, PartyRole.CARRIER, "carrier")
                if carrier is not None and "carrier" not in self.data:
                    self.data["carrier"] = carrier
        if (agent := find(self.decl, "Agent")) is not None and (status := text(agent, "FunctionCode")):
            self.attributes["representative_status"] = status
        self.data["parties"] = parties
        holders_text = [
            f"{text(h, 'CategoryCode') or '?'}:{text(h, 'ID') or '?'}"
            for h in children(self.decl, "AuthorisationHolder")
        ]
        if holders_text:
            self.attributes["authorisations"] = ", ".join(holders_text)

    # ------------------------------------------------------------------ countries and places

    def _countries(self, direction: str | None) -> None:
        items = find_all(self.shipment, "GovernmentAgencyGoodsItem")
        export = text(self.shipment, "ExportCountry/ID") or text(self.decl, "ExportCountry/ID")
        export = export or next((v for i in items if (v := text(i, "ExportCountry/ID"))), None)
        destination = text(self.shipment, "Destination/CountryCode") or text(
            self.decl, "Destination/CountryCode"
        )
        destination = destination or next(
            (v for i in items if (v := text(i, "Destination/CountryCode"))), None
        )
        # A declaration lodged in a country is an import into it or an export from it.
        responsible = self.attributes.get("responsible_country")
        if destination is None and direction == "import" and responsible:
            destination = responsible
        if export is None and direction == "export" and responsible:
            export = responsible
        self.data["departure_country"] = country_code(export, "departure_country", self.issues)
        self.data["destination_country"] = country_code(destination, "destination_country", self.issues)

        routing: list[tuple[int, str]] = []
        for consignment in self.consignments:
            for position, stop in indexed(consignment, "Itinerary"):
                code = country_code(text(stop, "RoutingCountryCode"), "transit_countries", self.issues)
                sequence = parse_count(text(stop, "SequenceNumeric"), "transit_countries", self.issues)
                if code:
                    routing.append((sequence if sequence is not None else position, code))
        routing.sort(key=lambda pair: pair[0])
        if routing:
            self.attributes["routing"] = " ".join(code for _, code in routing)
            ends = {self.data["departure_country"], self.data["destination_country"]}
            transit = [code for _, code in routing if code not in ends]
            self.data["transit_countries"] = list(dict.fromkeys(transit))

    def _place(self, code: str | None, country_hint: str | None) -> dict[str, Any] | None:
        if code is None:
            return None
        locode = locode_or_none(code)
        if locode:
            return {"locode": locode}
        hint = country_code(country_hint, "place.country", self.issues) if country_hint else None
        return {"name": code, "country": hint} if hint else {"name": code}

    def _set_place(self, slot: str, place: dict[str, Any] | None) -> None:
        if place is not None and self.data.get(slot) is None:
            self.data[slot] = place

    def _places(self, direction: str | None) -> None:
        for consignment in self.consignments:
            for element, slot in (
                ("LoadingLocation", "place_of_loading"),
                ("UnloadingLocation", "place_of_discharge"),
            ):
                found = find(consignment, element)
                if found is None:
                    continue
                if locode := locode_or_none(text(found, "ID"), known_only=False):
                    self._set_place(slot, {"locode": locode})
                else:
                    code = text(found, "ID") or text(found, "Name")
                    self._set_place(slot, self._place(code, text(found, "Address/CountryCode")))
        terms = find(self.shipment, "TradeTerms")
        if terms is not None:
            condition = text(terms, "ConditionCode")
            where = text(terms, "LocationID") or text(terms, "LocationName")
            self.attributes["trade_terms"] = " ".join(v for v in (condition, where) if v)
            incoterm_slot = INCOTERM_PLACE.get((condition or "").upper())
            if incoterm_slot and (locode := locode_or_none(where)):
                self._set_place(incoterm_slot, {"locode": locode})
        for consignment in self.consignments:
            goods_location = find(consignment, "GoodsLocation")
            if goods_location is None:
                continue
            code = text(goods_location, "Name") or text(goods_location, "ID")
            kind = text(goods_location, "TypeCode")
            if code is None:
                continue
            self.attributes["goods_location"] = code
            if kind:
                self.attributes["goods_location_type"] = kind + (
                    text(goods_location, "Address/TypeCode") or ""
                )
            place = self._place(code, text(goods_location, "Address/CountryCode"))
            # A designated frontier location (type A) is where goods cross; inland ones are not.
            if direction == "import":
                self._set_place("place_of_discharge" if kind == "A" else "place_of_delivery", place)
            elif direction == "export" and kind == "A":
                self._set_place("place_of_loading", place)

    def _office(self) -> str | None:
        office: str | None = None
        for name in OFFICE_ELEMENTS:
            for holder in (self.decl, self.shipment):
                code = text(holder, f"{name}/ID")
                if code:
                    self.attributes[f"office.{name}"] = code
                    office = office or code
        return office

    # ------------------------------------------------------------------ goods

    def _default_currency(self) -> str | None:
        return (
            attr(find(self.decl, "InvoiceAmount"), "currencyID")
            or text(self.decl, "CurrencyExchange/CurrencyTypeCode")
            or text(self.shipment, "CurrencyExchange/CurrencyTypeCode")
        )

    def _goods(self) -> None:
        goods: list[dict[str, Any]] = []
        for position, element in indexed(self.shipment, "GovernmentAgencyGoodsItem"):
            goods.append(self._item(element, position, len(goods)))
        self.data["goods"] = goods
        origins = {g.get("origin_country") for g in goods}
        if len(origins) == 1 and None not in origins:
            self.data["origin_country"] = origins.pop()

    def _item(self, element: Element, position: int, index: int) -> dict[str, Any]:
        at = f"goods[{index}]"
        issues = self.issues
        commodity = _or_empty(find(element, "Commodity"))
        sequence = parse_count(text(element, "SequenceNumeric"), f"{at}.sequence", issues) or position
        item: dict[str, Any] = {"sequence": sequence, "description": text(commodity, "Description")}

        national: list[str] = []
        for classification in children(commodity, "Classification"):
            code, scheme = text(classification, "ID"), (text(classification, "IdentificationTypeCode") or "")
            if code is None:
                continue
            if scheme.upper() in COMMODITY_SCHEMES and "hs_code" not in item:
                digits = code.replace(".", "").replace(" ", "")
                if digits.isdigit() and 4 <= len(digits) <= 14:
                    item["hs_code"] = digits
                else:
                    issues.problem(f"{at}.hs_code", f"commodity code {code!r} is not 4 to 14 digits")
            elif scheme.upper() == "GN":
                national.append(code)
            elif scheme.upper() in CLASSIFICATION_ATTRIBUTES:
                self.attributes[f"{at}.{CLASSIFICATION_ATTRIBUTES[scheme.upper()]}"] = code
            else:
                self.attributes[f"{at}.classification.{scheme or 'unknown'}"] = code
        if national:
            self.attributes[f"{at}.national_additional"] = ",".join(national)

        measure = first(find(commodity, "GoodsMeasure"), find(element, "GoodsMeasure"))
        if measure is not None:
            item["gross_kg"] = parse_weight_kg(find(measure, "GrossMassMeasure"), f"{at}.gross_kg", issues)
            item["net_kg"] = parse_weight_kg(find(measure, "NetNetWeightMeasure"), f"{at}.net_kg", issues)

        item["value"] = self._item_value(element, commodity, at)

        origins = children(element, "Origin")
        non_preferential = [o for o in origins if text(o, "TypeCode") in (None, "1")]
        chosen = (non_preferential or origins)[:1]
        for chosen_origin in chosen:
            item["origin_country"] = country_code(
                text(chosen_origin, "CountryCode"), f"{at}.origin_country", issues
            )
        for origin in origins:
            if text(origin, "TypeCode") == "2" and (code := text(origin, "CountryCode")):
                self.attributes[f"{at}.preferential_origin"] = code

        packages = 0
        counted = False
        kinds: list[str] = []
        marks: list[str] = []
        for packaging in children(element, "Packaging"):
            count = parse_count(text(packaging, "QuantityQuantity"), f"{at}.packages", issues)
            if count is not None:
                packages += count
                counted = True
            if (kind := text(packaging, "TypeCode")) and kind not in kinds:
                kinds.append(kind)
            if mark := text(packaging, "MarksNumbersID"):
                marks.append(mark)
        item["packages"] = packages if counted else None
        item["package_type"] = kinds[0] if kinds else None
        if len(kinds) > 1:
            self.attributes[f"{at}.package_types"] = ",".join(kinds)
        item["marks"] = "; ".join(marks) or None

        containers = [*texts(commodity, "TransportEquipment/ID"), *texts(element, "TransportEquipment/ID")]
        item["containers"] = list(dict.fromkeys(_equipment_number(c) for c in containers))
        item["dangerous_goods_un"] = text(commodity, "DangerousGoods/UNDGID")

        procedures = children(element, "GovernmentProcedure")
        main = [p for p in procedures if text(p, "PreviousCode")]
        if main:
            self.attributes[f"{at}.procedure"] = (text(main[0], "CurrentCode") or "") + (
                text(main[0], "PreviousCode") or ""
            )
        additional = [c for p in procedures if p not in main and (c := text(p, "CurrentCode"))]
        if additional:
            self.attributes[f"{at}.additional_procedures"] = ",".join(additional)
        documents = [
            f"{text(d, 'CategoryCode') or ''}{text(d, 'TypeCode') or ''} {text(d, 'ID') or ''}".strip()
            for d in children(element, "AdditionalDocument")
        ]
        if documents:
            self.attributes[f"{at}.documents"] = "; ".join(documents)
        return {k: v for k, v in item.items() if v is not None}

    def _item_value(self, element: Element, commodity: Element, at: str) -> dict[str, Any] | None:
        statistical = find(element, "StatisticalValueAmount")
        if statistical is not None:
            cur = attr(statistical, "currencyID")
            self.attributes[f"{at}.statistical_value"] = _money_text(text(statistical), cur) or ""
        for candidate in (find(commodity, "InvoiceLine/ItemChargeAmount"), statistical):
            raw = text(candidate)
            if candidate is None or raw is None:
                continue
            amount = parse_number(raw, f"{at}.value.amount", self.issues)
            currency = attr(candidate, "currencyID") or self._default_currency()
            if amount is None:
                return None
            if currency is None:
                self.issues.remark(
                    "missing_currency", f"{at}.value", f"amount {raw} has no currency; not kept"
                )
                return None
            return {"amount": amount, "currency": currency}
        return None

    # ------------------------------------------------------------------ equipment, totals, references

    def _equipment(self) -> None:
        equipment: list[dict[str, Any]] = []
        numbers: set[str] = set()
        for consignment in self.consignments:
            for unit in children(consignment, "TransportEquipment"):
                ident = text(unit, "ID")
                if ident is None:
                    continue
                number = _equipment_number(ident)
                if number in numbers:
                    continue
                numbers.add(number)
                entry: dict[str, Any] = {"number": number, "seals": texts(unit, "Seal/ID")}
                if size_type := text(unit, "CharacteristicCode"):
                    entry["size_type"] = size_type
                equipment.append(entry)
        for item in self.data.get("goods", []):
            for number in item.get("containers", []):
                if number not in numbers:
                    numbers.add(number)
                    equipment.append({"number": number})
        self.data["equipment"] = equipment
        codes = [c for consignment in self.consignments if (c := text(consignment, "ContainerCode"))]
        if codes:
            self.attributes["containerised"] = "yes" if codes[0] == "1" else "no"

    def _totals(self) -> None:
        decl, issues = self.decl, self.issues
        total_packages = parse_count(text(decl, "TotalPackageQuantity"), "total_packages", issues)
        self.data["total_packages"] = total_packages
        gross = first(
            *(find(h, "TotalGrossMassMeasure") for h in (decl, self.shipment, *self.consignments)), None
        )
        self.data["total_gross_kg"] = parse_weight_kg(gross, "total_gross_kg", issues)
        goods = self.data.get("goods", [])
        declared_items = parse_count(
            text(decl, "GoodsItemQuantity"), "attributes.goods_item_quantity", issues
        )
        if declared_items is not None and declared_items != len(goods):
            issues.remark(
                "goods_count_mismatch",
                "goods",
                f"GoodsItemQuantity says {declared_items} items, the declaration has {len(goods)}",
            )
        counts = [g.get("packages") for g in goods]
        if total_packages is not None and counts and None not in counts:
            total = sum(c for c in counts if c is not None)
            if total != total_packages:
                issues.remark(
                    "package_count_mismatch",
                    "total_packages",
                    f"TotalPackageQuantity is {total_packages}, the goods items add up to {total}",
                )
        if (invoice := find(decl, "InvoiceAmount")) is not None and (raw := text(invoice)):
            self.attributes["invoice_amount"] = _money_text(raw, attr(invoice, "currencyID")) or raw

    def _references(self) -> None:
        refs: list[str] = []
        for holder in (self.shipment, *find_all(self.shipment, "GovernmentAgencyGoodsItem")):
            for doc in children(holder, "PreviousDocument"):
                ident, kind = text(doc, "ID"), text(doc, "TypeCode") or ""
                if ident is None:
                    continue
                refs.append(f"{text(doc, 'CategoryCode') or ''}{kind} {ident}")
                name = PREVIOUS_DOCUMENT_NAMES.get(kind.upper())
                if name and name not in self.attributes:
                    self.attributes[name] = ident
        if refs:
            self.attributes["previous_documents"] = "; ".join(dict.fromkeys(refs))

    def _freight(self) -> str:
        for consignment in self.consignments:
            code = text(consignment, "Freight/PaymentMethodCode")
            if code:
                self.attributes["freight_payment_method"] = code
                # DE 4/2: Z is "not prepaid"; every other method is a payment already made.
                return (FreightPayment.COLLECT if code.upper() == "Z" else FreightPayment.PREPAID).value
        return FreightPayment.UNKNOWN.value


def _or_empty(element: Element | None) -> Element:
    return _EMPTY if element is None else element


def _equipment_number(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").upper()
