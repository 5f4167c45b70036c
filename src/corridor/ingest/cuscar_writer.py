"""Consignments -> a UN/EDIFACT CUSCAR D95B interchange, one UNH message per consignment.

It streams: the interchange comes out as strings (the UNA/UNB header, one string per message, then the
UNZ), so a benchmark file of hundreds of thousands of consignments never sits in memory. Encode the
strings with `edifact.codec_for(syntax)`: the default UNOW (syntax version 4) is UTF-8, which carries
Azerbaijani, Cyrillic or Persian names; syntax="UNOC:3" gives a Latin-1 syntax-3 interchange for
partners that only take those.

What CUSCAR carries, and so what reads back equal through `CuscarReader`, is listed in
docs/formats/cuscar.md; goods value, a second party identifier and secondary vessel ids are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from corridor.domain.consignment import (
    Consignment,
    DocumentType,
    FreightPayment,
    GoodsItem,
    Identifier,
    MessageFunction,
    Party,
    Place,
    StopRole,
    to_utc,
)
from corridor.ingest.cuscar_codes import (
    DOCUMENT_QUALIFIERS,
    FREIGHT_CODES,
    MODE_CODES,
    PARTY_QUALIFIERS,
    STOP_QUALIFIERS,
)
from corridor.ingest.edifact import Delimiters

FUNCTION_CODES = {
    MessageFunction.ORIGINAL: "9",
    MessageFunction.AMENDMENT: "5",
    MessageFunction.CANCELLATION: "1",
}
SCHEME_CODES = {"GLN": ("", "9"), "DUNS": ("", "16"), "CARRIER": ("172", ""), "EDI": ("", "")}
NAME_WIDTH = 35
TEXT_WIDTH = 70


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text


def _chunks(text: str, width: int) -> list[str]:
    # Cut at exactly `width` so the reader, which joins full-width chunks without a space, gets the text back.
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def _moment(value: datetime) -> tuple[str, str]:
    utc = to_utc(value)
    assert utc is not None
    if utc.second or utc.microsecond:
        return utc.strftime("%Y%m%d%H%M%S"), "204"
    return utc.strftime("%Y%m%d%H%M"), "203"


class _Writer:
    def __init__(self, delimiters: Delimiters, newline: bool) -> None:
        self.d = delimiters
        pattern = delimiters.escaper()
        release = delimiters.release or ""
        self._sub = pattern.sub
        # A template (not a function) keeps the substitution in C, which matters for 100,000+ messages.
        self._replacement = release.replace("\\", "\\\\") + r"\g<0>"
        self.end = delimiters.segment + ("\n" if newline else "")
        self.el = delimiters.element
        self.co = delimiters.component

    def esc(self, text: str | None) -> str:
        if not text:
            return ""
        if "\n" in text or "\r" in text:
            # Line breaks are not in the EDIFACT character repertoires; a space keeps the words apart.
            text = " ".join(text.replace("\r", "\n").split("\n"))
        return self._sub(self._replacement, text)

    def seg(self, tag: str, *elements: str | list[str]) -> str:
        parts = [tag]
        for element in elements:
            if isinstance(element, list):
                end = len(element)
                while end and not element[end - 1]:
                    end -= 1
                parts.append(self.co.join(element[:end]))
            else:
                parts.append(element)
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        return self.el.join(parts) + self.end

    def dtm(self, qualifier: str, value: datetime) -> str:
        text, fmt = _moment(value)
        return self.seg("DTM", [qualifier, text, fmt])

    def place(self, qualifier: str, place: Place) -> str:
        if place.locode:
            return self.seg("LOC", qualifier, [place.locode, "139", "6", self.esc(place.name)])
        return self.seg("LOC", qualifier, ["", "", "", self.esc(place.name)])

    def identifier(self, ident: Identifier) -> list[str]:
        code_list, agency = SCHEME_CODES.get(ident.scheme.upper(), (ident.scheme, ""))
        return [self.esc(ident.value), self.esc(code_list), agency]

    def party(self, qualifier: str, party: Party) -> str:
        ident = self.identifier(party.identifiers[0]) if party.identifiers else [""]
        name = [self.esc(c) for c in _chunks(party.name or "", NAME_WIDTH)]
        street = [self.esc(c) for c in _chunks(party.address or "", NAME_WIDTH)]
        return self.seg(
            "NAD", qualifier, ident, "", name, street, self.esc(party.city), "", self.esc(party.postcode),
            party.country or "",
        )

    def goods(self, item: GoodsItem) -> list[str]:
        out = [self.seg("GID", str(item.sequence),
                        ["" if item.packages is None else str(item.packages), self.esc(item.package_type)])]
        if item.description:
            chunks = [self.esc(c) for c in _chunks(item.description, TEXT_WIDTH)]
            for i in range(0, len(chunks), 5):
                out.append(self.seg("FTX", "AAA", "", "", chunks[i : i + 5]))
        if item.hs_code:
            out.append(self.seg("PIA", "5", [item.hs_code, "HS"]))
        if item.origin_country:
            out.append(self.seg("LOC", "27", item.origin_country))
        if item.gross_kg is not None:
            out.append(self.seg("MEA", "AAE", "G", ["KGM", _number(item.gross_kg)]))
        if item.net_kg is not None:
            out.append(self.seg("MEA", "AAE", "N", ["KGM", _number(item.net_kg)]))
        if item.marks:
            out.append(self.seg("PCI", "24", [self.esc(c) for c in _chunks(item.marks, NAME_WIDTH)]))
        for container in item.containers:
            out.append(self.seg("SGP", self.esc(container)))
        if item.dangerous_goods_un:
            out.append(self.seg("DGS", "IMD", "", self.esc(item.dangerous_goods_un)))
        return out

    def message(self, reference: str, c: Consignment) -> list[str]:
        out = [
            self.seg("UNH", reference, ["CUSCAR", "D", "95B", "UN"]),
            self.seg("BGM", "85", self.esc(c.document_number), FUNCTION_CODES[c.function]),
        ]
        if c.filed_at:
            out.append(self.dtm("137", c.filed_at))
        for qualifier, moment in (("132", c.eta), ("133", c.departure_at), ("178", c.arrival_at)):
            if moment is not None:
                out.append(self.dtm(qualifier, moment))
        if c.carrier is not None:
            out.append(self.party("CA", c.carrier))
        conveyance = c.conveyance
        mode_code = MODE_CODES.get(c.mode, "")
        if conveyance is not None or mode_code:
            ident: list[str] = [""]
            if conveyance is not None:
                if conveyance.imo:
                    ident = [conveyance.imo, "146"]
                elif conveyance.call_sign:
                    ident = [self.esc(conveyance.call_sign), "103"]
                elif conveyance.registration:
                    ident = [self.esc(conveyance.registration), "ZZZ"]
                ident = ident + [""] * (3 - len(ident)) + [self.esc(conveyance.name), conveyance.flag or ""]
            journey = self.esc(conveyance.journey_number) if conveyance else ""
            out.append(self.seg("TDT", "20", journey, mode_code, "", "", "", "", ident))
        for equipment in c.equipment:
            full = "" if equipment.full is None else ("5" if equipment.full else "4")
            out.append(self.seg("EQD", "CN", self.esc(equipment.number), self.esc(equipment.size_type), "", "",
                                full))
            if equipment.gross_kg is not None:
                out.append(self.seg("MEA", "AAE", "G", ["KGM", _number(equipment.gross_kg)]))
            out.extend(self.seg("SEL", self.esc(seal)) for seal in equipment.seals)

        out.append(self.seg("CNI", "1", self.esc(c.document_number)))
        qualifier = DOCUMENT_QUALIFIERS.get(c.document_type, "AAS")
        out.append(self.seg("RFF", [qualifier, self.esc(c.document_number)]))
        if c.master_document_number:
            master = "MWB" if c.document_type in (DocumentType.AIR_WAYBILL, DocumentType.HOUSE_AIR_WAYBILL) else "MB"
            out.append(self.seg("RFF", [master, self.esc(c.master_document_number)]))
        if c.total_gross_kg is not None:
            out.append(self.seg("CNT", ["7", _number(c.total_gross_kg), "KGM"]))
        if c.total_packages is not None:
            out.append(self.seg("CNT", ["11", str(c.total_packages)]))
        out.extend(self.route(c))
        if c.office:
            out.append(self.seg("LOC", "41", self.esc(c.office)))
        for qualifier, country in (("27", c.origin_country), ("35", c.departure_country),
                                   ("28", c.destination_country)):
            if country:
                out.append(self.seg("LOC", qualifier, country))
        out.extend(self.seg("LOC", "49", country) for country in c.transit_countries)
        if c.freight_payment != FreightPayment.UNKNOWN:
            out.append(self.seg("TOD", "", FREIGHT_CODES[c.freight_payment]))
        for party in c.parties:
            out.append(self.party(PARTY_QUALIFIERS[party.role], party))
        for item in c.goods:
            out.extend(self.goods(item))
        out.append(self.seg("UNT", str(len(out) + 1), reference))
        return out

    def route(self, c: Consignment) -> list[str]:
        out: list[str] = []
        stops = list(c.itinerary)
        mains = [(StopRole.LOADING, c.place_of_loading), (StopRole.DISCHARGE, c.place_of_discharge),
                 (StopRole.DELIVERY, c.place_of_delivery)]
        for role, place in mains:
            if place is None:
                continue
            out.append(self.place(STOP_QUALIFIERS[role], place))
            match = next((s for s in stops if s.role == role and s.place == place), None)
            if match is not None:
                stops.remove(match)
                out.extend(self.stop_dates(match.arrival, match.departure))
        for stop in stops:
            out.append(self.place(STOP_QUALIFIERS[stop.role], stop.place))
            out.extend(self.stop_dates(stop.arrival, stop.departure))
        return out

    def stop_dates(self, arrival: datetime | None, departure: datetime | None) -> list[str]:
        out = []
        if arrival is not None:
            out.append(self.dtm("132", arrival))
        if departure is not None:
            out.append(self.dtm("133", departure))
        return out


def write_cuscar(
    consignments: Iterable[Consignment],
    *,
    sender: str,
    recipient: str,
    interchange_ref: str,
    prepared: datetime,
    syntax: str = "UNOW:4",
    newline: bool = True,
) -> Iterator[str]:
    """The interchange as strings: header, one per message, trailer. Join or write them in order."""
    version = syntax.split(":", 1)[1] if ":" in syntax else "3"
    # Syntax version 4 uses the repetition separator in the UNA's reserved position and four-digit years.
    delimiters = Delimiters(reserved="*") if version == "4" else Delimiters()
    writer = _Writer(delimiters, newline)
    utc = to_utc(prepared)
    assert utc is not None
    date = utc.strftime("%Y%m%d" if version == "4" else "%y%m%d")
    charset = syntax.split(":", 1)[0]
    yield delimiters.una() + ("\n" if newline else "") + writer.seg(
        "UNB", [charset, version], writer.esc(sender), writer.esc(recipient), [date, utc.strftime("%H%M")],
        writer.esc(interchange_ref),
    )
    count = 0
    for consignment in consignments:
        count += 1
        yield "".join(writer.message(str(count), consignment))
    yield writer.seg("UNZ", str(count), writer.esc(interchange_ref))

