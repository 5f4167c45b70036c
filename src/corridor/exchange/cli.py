"""`corridor node|partners|agreements|send|outbox|inbox|groups|audit ...`: the exchange from the shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from corridor.cli_support import EXIT_REJECTED, err, handles_errors, print_json, print_table
from corridor.domain.errors import InvalidInput

node_app = typer.Typer(help="This node's identity and keys.", no_args_is_help=True)
partners_app = typer.Typer(help="Partner nodes (other customs administrations).", no_args_is_help=True)
agreements_app = typer.Typer(help="What may be sent to and received from each partner.", no_args_is_help=True)
send_app = typer.Typer(
    help="Queue a signed, encrypted message for partners or a group.", no_args_is_help=True
)
outbox_app = typer.Typer(help="Messages sent: queued, delivered, dead.", no_args_is_help=True)
inbox_app = typer.Typer(help="Messages received, alerts, refusals.", no_args_is_help=True)
groups_app = typer.Typer(help="Closed user groups.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]


@contextmanager
def _session() -> Iterator[Session]:
    from corridor.db.ready import ready_engine

    with Session(ready_engine(), expire_on_commit=False) as session:
        yield session


def _node() -> Any:
    from corridor.exchange.identity import load
    from corridor.settings import get_settings

    return load(get_settings().data_dir)


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"no file {path}", where=str(path)) from None
    except ValueError as error:
        raise InvalidInput(f"{path} is not JSON: {error}", where=str(path)) from None


def _identity_rows(doc: dict[str, Any]) -> None:
    print_table(
        f"Node {doc['name']}",
        ["name", "agency", "country", "endpoint", "kid", "fingerprint"],
        [
            [
                doc["name"],
                doc.get("agency"),
                doc.get("country"),
                doc.get("endpoint"),
                doc["kid"],
                doc["fingerprint"],
            ]
        ],
    )


# --- node ------------------------------------------------------------------------------------------


@node_app.command("init")
@handles_errors
def node_init(
    name: Annotated[str, typer.Option(help="node name partners will know it by, e.g. AZ-SCS")],
    agency: Annotated[str | None, typer.Option(help="administration, e.g. 'State Customs Committee'")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2")] = None,
    endpoint: Annotated[str | None, typer.Option(help="base URL partners deliver to")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create this node's signing (Ed25519) and encryption (X25519) keys in the data directory."""
    from corridor.exchange.identity import init
    from corridor.settings import get_settings

    node = init(get_settings().data_dir, name, agency=agency, country=country, endpoint=endpoint)
    doc = node.public_document()
    if as_json:
        print_json(doc)
    else:
        _identity_rows(doc)
        err.print("Give partners `corridor node identity --json`; read the fingerprint to them out of band.")


@node_app.command("identity")
@handles_errors
def node_identity(
    as_json: JsonOpt = False,
    output: Annotated[Path | None, typer.Option("--out", help="write the JSON document to a file")] = None,
) -> None:
    """What a partner needs: name, endpoint, public keys and fingerprint (self-signed)."""
    doc = _node().public_document()
    if output:
        output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        err.print(f"wrote {output}")
    elif as_json:
        print_json(doc)
    else:
        _identity_rows(doc)


AnnounceOpt = Annotated[
    bool,
    typer.Option(
        "--announce/--no-announce",
        help="queue the new identity for every active partner (a signed key_update they apply themselves)",
    ),
]


def _announce(announce: bool) -> None:
    from corridor.exchange import service
    from corridor.settings import get_settings

    if not announce:
        err.print(
            "not announced: give partners `corridor node identity --json` for `corridor partners update`"
        )
        return
    with _session() as session:
        names = service.announce_identity(session, _node(), get_settings())
    if names:
        err.print(f"new identity queued for {', '.join(names)}; `corridor serve` delivers it")
    else:
        err.print("no active partners to tell")


@node_app.command("set-endpoint")
@handles_errors
def node_set_endpoint(
    url: Annotated[str, typer.Argument(help="base URL, e.g. https://node.customs.kz:8443")],
    announce: AnnounceOpt = True,
) -> None:
    """Change the endpoint announced to partners."""
    from corridor.exchange.identity import set_endpoint
    from corridor.settings import get_settings

    set_endpoint(get_settings().data_dir, url)
    err.print(f"endpoint set to {url}")
    _announce(announce)


@node_app.command("rotate-keys")
@handles_errors
def node_rotate(as_json: JsonOpt = False, announce: AnnounceOpt = True) -> None:
    """New keys; the old ones still decrypt and endorse the new identity for partners."""
    from corridor.exchange.identity import rotate
    from corridor.settings import get_settings

    doc = rotate(get_settings().data_dir).public_document()
    if as_json:
        print_json(doc)
    else:
        _identity_rows(doc)
    _announce(announce)


@node_app.command("revoke-key")
@handles_errors
def node_revoke(
    kid: Annotated[str, typer.Argument(help="key id of a previous key")], announce: AnnounceOpt = True
) -> None:
    """Retire an old key for good (its private keys are deleted)."""
    from corridor.exchange.identity import revoke
    from corridor.settings import get_settings

    revoke(get_settings().data_dir, kid)
    err.print(f"key {kid} revoked")
    _announce(announce)


@node_app.command("protect-keys")
@handles_errors
def node_protect_keys(
    change: Annotated[
        bool, typer.Option("--change", help="ask for a new passphrase and re-encrypt the keys with it")
    ] = False,
) -> None:
    """Encrypt the private keys on disk with CORRIDOR_NODE_KEY_PASSPHRASE (or change the passphrase)."""
    from corridor.exchange.identity import protect_keys, tls_key_path
    from corridor.settings import get_settings

    new: bytes | None = None
    if change:
        new = typer.prompt("new passphrase", hide_input=True, confirmation_prompt=True).encode("utf-8")
        if len(new) < 12:
            raise InvalidInput("a passphrase has at least 12 characters", where="passphrase")
    data_dir = get_settings().data_dir
    count = protect_keys(data_dir, new)
    tls = tls_key_path(data_dir)
    err.print(
        f"{count} key generation(s)"
        + (f" and the TLS key {tls}" if tls.is_file() else "")
        + " encrypted; `corridor serve` and every command now need CORRIDOR_NODE_KEY_PASSPHRASE"
        + (" set to the new passphrase" if change else "")
    )


@node_app.command("tls-cert")
@handles_errors
def node_tls_cert(
    host: Annotated[list[str], typer.Option(help="host name or IP address of the endpoint (repeatable)")],
) -> None:
    """A self-signed TLS certificate for `corridor serve --ssl-*`; partners pin it from the identity."""
    from corridor.exchange.identity import make_tls_certificate
    from corridor.settings import get_settings

    settings = get_settings()
    cert, key = make_tls_certificate(settings.data_dir, host)
    sealed = " (encrypted with CORRIDOR_NODE_KEY_PASSPHRASE)" if settings.node_key_passphrase else ""
    err.print(f"certificate {cert}, key {key}{sealed}: corridor serve --ssl-certfile {cert} --ssl-keyfile {key}")


# --- partners --------------------------------------------------------------------------------------


def _partners_out(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    print_table(
        "Partners",
        ["name", "agency", "country", "endpoint", "status", "fingerprint", "sent", "received"],
        [
            [
                r["name"],
                r["agency"],
                r["country"],
                r["endpoint"],
                r["status"],
                r["fingerprint"],
                r["sent"],
                r["received"],
            ]
            for r in rows
        ],
    )


@partners_app.command("add")
@handles_errors
def partners_add(
    file: Annotated[Path, typer.Argument(help="the partner's identity (corridor node identity --json)")],
    endpoint: Annotated[str | None, typer.Option(help="where the partner's node listens")] = None,
    fingerprint: Annotated[str | None, typer.Option(help="the fingerprint the partner read to you")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a partner node from its identity document."""
    from corridor.exchange import service

    with _session() as session:
        row = service.add_partner(
            session, _node(), _read_json(file), endpoint=endpoint, expect_fingerprint=fingerprint
        )
        _partners_out([p for p in service.list_partners(session) if p["name"] == row.name], as_json)


@partners_app.command("update")
@handles_errors
def partners_update(
    file: Annotated[Path, typer.Argument(help="the partner's new identity document")],
    endpoint: Annotated[str | None, typer.Option()] = None,
    force: Annotated[
        bool, typer.Option(help="accept an unendorsed new key (fingerprint checked out of band)")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Take a partner's rotated keys, revocations or new endpoint."""
    from corridor.exchange import service

    with _session() as session:
        row = service.update_partner(session, _read_json(file), endpoint=endpoint, force=force)
        _partners_out([p for p in service.list_partners(session) if p["name"] == row.name], as_json)


@partners_app.command("list")
@handles_errors
def partners_list(as_json: JsonOpt = False) -> None:
    """The partner directory with fingerprints."""
    from corridor.exchange import service

    with _session() as session:
        _partners_out(service.list_partners(session), as_json)


@partners_app.command("revoke")
@handles_errors
def partners_revoke(
    name: Annotated[str, typer.Argument()],
    key: Annotated[str | None, typer.Option(help="revoke only this key id")] = None,
) -> None:
    """Stop trusting a partner (or one of its keys): nothing is sent to it or accepted from it."""
    from corridor.exchange import service

    with _session() as session:
        service.revoke_partner(session, name, key=key)
    err.print(f"{'key ' + key + ' of ' if key else ''}{name} revoked")


@partners_app.command("tls-bundle")
@handles_errors
def partners_tls_bundle(
    output: Annotated[
        Path, typer.Option("--out", help="PEM file to write, e.g. /etc/corridor/tls/partners.pem")
    ],
) -> None:
    """The TLS certificates of all active partners in one PEM file, for a proxy's client-certificate check."""
    import os

    from cryptography import x509
    from sqlalchemy import select

    from corridor.exchange.models import PartnerRow

    with _session() as session:
        partners = list(
            session.scalars(select(PartnerRow).where(PartnerRow.status == "active").order_by(PartnerRow.name))
        )
    certified = [p for p in partners if p.tls_certificate]
    if not certified:
        raise InvalidInput(
            "no active partner has a TLS certificate in its identity: a partner makes one with "
            "`corridor node tls-cert --host HOST` and sends its identity again (`corridor partners update FILE`)",
            where="tls_certificate",
        )
    pems: list[str] = []
    for partner in certified:
        try:
            cert = x509.load_pem_x509_certificate(str(partner.tls_certificate).encode("ascii"))
        except ValueError as error:
            raise InvalidInput(
                f"the TLS certificate of {partner.name} is not a PEM certificate: {error}", where=partner.name
            ) from None
        pems.append(str(partner.tls_certificate).strip() + "\n")
        err.print(
            f"{partner.name}: {cert.subject.rfc4514_string()}, valid until {cert.not_valid_after_utc:%Y-%m-%d}"
        )
    # Written aside and renamed: a proxy reloading meanwhile reads the old bundle or the new one.
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text("".join(pems), encoding="ascii")
    os.replace(tmp, output)
    err.print(f"wrote {len(pems)} certificate(s) to {output}; reload the proxy (nginx -s reload)")
    missing = [p.name for p in partners if not p.tls_certificate]
    if missing:
        err.print(
            f"[yellow]without a TLS certificate, refused by a proxy that requires one:[/yellow] {', '.join(missing)}"
        )


# --- agreements ------------------------------------------------------------------------------------


def _agreements_out(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    print_table(
        "Agreements",
        ["partner", "direction", "type", "profile", "fields"],
        [
            [r["partner"], r["direction"], r["type"], r["profile"], ", ".join(r["fields"] or []) or "all"]
            for r in rows
        ],
    )


@agreements_app.command("allow")
@handles_errors
def agreements_allow(
    partner: Annotated[str, typer.Argument()],
    send: Annotated[
        list[str] | None, typer.Option(help="types this node may send (comma-separated or 'all')")
    ] = None,
    receive: Annotated[
        list[str] | None, typer.Option(help="types this node accepts from the partner")
    ] = None,
    profile: Annotated[
        str, typer.Option(help="full, no-personal-data, no-commercial-data or minimal")
    ] = "full",
    field: Annotated[
        list[str] | None, typer.Option("--field", help="allowed JSON Pointer (repeatable)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Allow message types to and from a partner, with the data that may go."""
    from corridor.exchange import service

    with _session() as session:
        service.allow(
            session,
            partner,
            send=_split(send),
            receive=_split(receive),
            profile=profile,
            fields=field or None,
        )
        _agreements_out(service.list_agreements(session, partner), as_json)


@agreements_app.command("revoke")
@handles_errors
def agreements_revoke(
    partner: Annotated[str, typer.Argument()],
    send: Annotated[list[str] | None, typer.Option()] = None,
    receive: Annotated[list[str] | None, typer.Option()] = None,
) -> None:
    """Withdraw permissions; queued messages already sealed still go."""
    from corridor.exchange import service

    with _session() as session:
        removed = service.disallow(session, partner, send=_split(send), receive=_split(receive))
    err.print(f"{removed} rule(s) removed")


@agreements_app.command("list")
@handles_errors
def agreements_list(partner: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
    """Every agreement (or one partner's)."""
    from corridor.exchange import service

    with _session() as session:
        _agreements_out(service.list_agreements(session, partner), as_json)


# --- send ------------------------------------------------------------------------------------------

ToOpt = Annotated[list[str] | None, typer.Option("--to", help="partner node (repeatable or comma-separated)")]
GroupOpt = Annotated[str | None, typer.Option("--group", help="closed user group: every other member")]


def _send(
    message_type: str, payload: dict[str, Any], to: list[str] | None, group: str | None, as_json: bool
) -> None:
    from corridor.exchange import service
    from corridor.settings import get_settings

    with _session() as session:
        sent = service.send(
            session, _node(), get_settings(), message_type, payload, to=_split(to), group=group
        )
    if as_json:
        print_json(sent.as_dict())
    else:
        err.print(f"queued {sent.message_type} {sent.message_id} for {', '.join(sent.recipients)}")


@send_app.command("alert")
@handles_errors
def send_alert(
    reason: Annotated[str, typer.Option(help="why partners should look")],
    to: ToOpt = None,
    group: GroupOpt = None,
    container: Annotated[str | None, typer.Option(help="container number (ISO 6346)")] = None,
    vessel_imo: Annotated[str | None, typer.Option()] = None,
    vessel_name: Annotated[str | None, typer.Option()] = None,
    party_name: Annotated[str | None, typer.Option()] = None,
    party_country: Annotated[str | None, typer.Option()] = None,
    route_from: Annotated[str | None, typer.Option(help="UN/LOCODE or country")] = None,
    route_to: Annotated[str | None, typer.Option(help="UN/LOCODE or country")] = None,
    action: Annotated[str, typer.Option(help="inspect, hold, monitor or inform")] = "inspect",
    severity: Annotated[str, typer.Option(help="low, medium or high")] = "medium",
    valid_days: Annotated[float | None, typer.Option(help="alert stays active this many days")] = None,
    reference: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """An alert on a container, vessel, party or route, with the action requested."""
    payload: dict[str, Any] = {"reason": reason, "action": action, "severity": severity}
    if container:
        payload["container"] = container
    if vessel_imo or vessel_name:
        payload["vessel"] = {k: v for k, v in (("imo", vessel_imo), ("name", vessel_name)) if v}
    if party_name:
        payload["party"] = {k: v for k, v in (("name", party_name), ("country", party_country)) if v}
    if route_from or route_to:
        payload["route"] = {"origin": route_from, "destination": route_to}
    if valid_days:
        payload["valid_until"] = (datetime.now(UTC) + timedelta(days=valid_days)).isoformat()
    if reference:
        payload["reference"] = reference
    _send("alert", payload, to, group, as_json)


@send_app.command("cargo")
@handles_errors
def send_cargo(
    file: Annotated[
        Path, typer.Argument(help="Corridor JSON: one consignment, a list, or {'consignments': [...]}")
    ],
    to: ToOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A pre-arrival cargo report (minimised per the agreement before encryption)."""
    data = _read_json(file)
    docs = data.get("consignments") if isinstance(data, dict) and "consignments" in data else data
    docs = docs if isinstance(docs, list) else [docs]
    _send("cargo_report", {"consignments": docs}, to, group, as_json)


@send_app.command("seizure")
@handles_errors
def send_seizure(
    reference: Annotated[str, typer.Option(help="your case or seizure reference")],
    goods: Annotated[list[str], typer.Option(help="description of goods seized (repeatable)")],
    to: ToOpt = None,
    group: GroupOpt = None,
    place: Annotated[str | None, typer.Option(help="UN/LOCODE")] = None,
    container: Annotated[str | None, typer.Option()] = None,
    document_number: Annotated[str | None, typer.Option()] = None,
    concealment: Annotated[str | None, typer.Option()] = None,
    summary: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """A seizure notice."""
    payload: dict[str, Any] = {
        "reference": reference,
        "seized_at": datetime.now(UTC).isoformat(),
        "goods": [{"description": g} for g in goods],
    }
    for key, value in (
        ("place", place),
        ("container", container),
        ("document_number", document_number),
        ("concealment", concealment),
        ("summary", summary),
    ):
        if value:
            payload[key] = value
    _send("seizure_notice", payload, to, group, as_json)


@send_app.command("rfi")
@handles_errors
def send_rfi(
    subject: Annotated[str, typer.Option()],
    question: Annotated[str, typer.Option()],
    to: ToOpt = None,
    container: Annotated[str | None, typer.Option()] = None,
    document_number: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """A request for information."""
    payload: dict[str, Any] = {"subject": subject, "question": question}
    if container:
        payload["container"] = container
    if document_number:
        payload["document_number"] = document_number
    _send("rfi", payload, to, None, as_json)


@send_app.command("reply")
@handles_errors
def send_reply(
    in_reply_to: Annotated[str, typer.Option(help="message id of the request")],
    answer: Annotated[str, typer.Option()],
    to: ToOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a partner's request for information."""
    _send("rfi_reply", {"in_reply_to": in_reply_to, "answer": answer}, to, None, as_json)


@send_app.command("ack")
@handles_errors
def send_ack(
    message_id: Annotated[str, typer.Option(help="the message acknowledged")],
    to: ToOpt = None,
    status: Annotated[str, typer.Option(help="received, actioned or declined")] = "received",
    note: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge a received message (officer's answer; delivery has its own signed receipt)."""
    payload: dict[str, Any] = {"message_id": message_id, "status": status}
    if note:
        payload["note"] = note
    _send("acknowledgement", payload, to, None, as_json)


@send_app.command("json")
@handles_errors
def send_json(
    message_type: Annotated[str, typer.Argument(help="message type, e.g. seizure_notice")],
    file: Annotated[Path, typer.Argument(help="the payload as JSON")],
    to: ToOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Any message type from a JSON payload file (see docs/exchange-protocol.md)."""
    payload = _read_json(file)
    if not isinstance(payload, dict):
        raise InvalidInput("a payload is a JSON object", where=str(file))
    _send(message_type, payload, to, group, as_json)


# --- outbox / inbox --------------------------------------------------------------------------------


@outbox_app.command("list")
@handles_errors
def outbox_list(
    status: Annotated[
        str | None, typer.Option(help="queued, delivered or dead (the dead-letter view)")
    ] = None,
    partner: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Messages sent, newest first."""
    from corridor.exchange import service

    with _session() as session:
        rows = service.outbox(session, status=status, partner=partner, limit=limit)
    if as_json:
        print_json(rows)
        return
    print_table(
        "Outbox",
        ["id", "to", "type", "seq", "status", "attempts", "summary", "error"],
        [
            [
                r["id"],
                r["to"],
                r["type"],
                r["sequence"],
                r["status"],
                r["attempts"],
                r["summary"],
                (r["last_error"] or {}).get("code"),
            ]
            for r in rows
        ],
    )


@outbox_app.command("deliver")
@handles_errors
def outbox_deliver(as_json: JsonOpt = False) -> None:
    """One delivery pass now (what `corridor serve` does in the background)."""
    from corridor.db.ready import ready_engine
    from corridor.exchange.delivery import deliver_once
    from corridor.settings import get_settings

    report = deliver_once(ready_engine(), _node(), get_settings())
    if as_json:
        print_json(report.as_dict())
    else:
        data = report.as_dict()
        print_table(
            "Delivery", list(data), [[v if not isinstance(v, list) else "; ".join(v) for v in data.values()]]
        )
    if report.dead:
        raise typer.Exit(EXIT_REJECTED)


@outbox_app.command("retry")
@handles_errors
def outbox_retry(outbox_id: Annotated[int, typer.Argument(help="id of a dead message")]) -> None:
    """Queue a dead message again (sealed anew)."""
    from corridor.exchange import service
    from corridor.settings import get_settings

    with _session() as session:
        row = service.retry_dead(session, _node(), get_settings(), outbox_id)
    err.print(f"message {row.message_id} queued again as sequence {row.sequence}")


@inbox_app.command("list")
@handles_errors
def inbox_list(
    message_type: Annotated[str | None, typer.Option("--type")] = None,
    partner: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option(help="received, applied or refused")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Messages received, newest first."""
    from corridor.exchange import service

    with _session() as session:
        rows = service.inbox(session, message_type=message_type, partner=partner, status=status, limit=limit)
    if as_json:
        print_json(rows)
        return
    print_table(
        "Inbox",
        ["id", "from", "type", "group", "seq", "status", "summary", "received_at"],
        [
            [
                r["id"],
                r["from"],
                r["type"],
                r["group"],
                r["sequence"],
                r["status"],
                r["summary"],
                r["received_at"],
            ]
            for r in rows
        ],
    )


@inbox_app.command("alerts")
@handles_errors
def inbox_alerts(
    open_only: Annotated[bool, typer.Option("--open", help="only open alerts")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Received alerts (the officers' alerts inbox)."""
    from corridor.exchange.alerts import list_received_alerts

    with _session() as session:
        rows = [a.as_dict() for a in list_received_alerts(session, only_open=open_only)]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Alerts",
        ["id", "from", "target", "action", "severity", "reason", "open"],
        [[r["id"], r["from"], r["target"], r["action"], r["severity"], r["reason"], r["open"]] for r in rows],
    )


@inbox_app.command("rejected")
@handles_errors
def inbox_rejected(limit: Annotated[int, typer.Option(min=1)] = 100, as_json: JsonOpt = False) -> None:
    """Messages refused before they could be attributed, with the reason."""
    from sqlalchemy import select

    from corridor.exchange.models import RejectionRow

    with _session() as session:
        rows = [
            {
                "at": r.at.isoformat(),
                "sender": r.claimed_sender,
                "message_id": r.message_id,
                "code": r.code,
                "detail": r.detail,
                "where": r.where,
                "remote": r.remote,
                "size": r.size,
            }
            for r in session.scalars(select(RejectionRow).order_by(RejectionRow.id.desc()).limit(limit))
        ]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Refused",
        ["at", "sender", "code", "detail"],
        [[r["at"], r["sender"], r["code"], r["detail"]] for r in rows],
    )


# --- groups ----------------------------------------------------------------------------------------


def _groups_out(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    print_table(
        "Groups",
        ["name", "owner", "version", "types", "profile", "members"],
        [
            [
                r["name"],
                r["owner"],
                r["version"],
                ", ".join(r["types"]),
                r["profile"],
                ", ".join(r["members"]),
            ]
            for r in rows
        ],
    )


@groups_app.command("create")
@handles_errors
def groups_create(
    name: Annotated[str, typer.Argument()],
    types: Annotated[list[str] | None, typer.Option(help="message types the group carries")] = None,
    profile: Annotated[str, typer.Option()] = "full",
    as_json: JsonOpt = False,
) -> None:
    """Create a closed user group owned by this node."""
    from corridor.exchange import service

    with _session() as session:
        service.create_group(session, _node(), name, types=_split(types) or ["alert"], profile=profile)
        _groups_out([g for g in service.list_groups(session) if g["name"] == name], as_json)


def _members(name: str, add: list[str], remove: list[str], as_json: bool) -> None:
    from corridor.exchange import service
    from corridor.settings import get_settings

    with _session() as session:
        service.change_membership(session, _node(), get_settings(), name, add=add, remove=remove)
        _groups_out([g for g in service.list_groups(session) if g["name"] == name], as_json)


@groups_app.command("add")
@handles_errors
def groups_add(
    name: Annotated[str, typer.Argument()],
    partners: Annotated[list[str], typer.Argument()],
    as_json: JsonOpt = False,
) -> None:
    """Add members (owner only); every member receives the new list."""
    _members(name, partners, [], as_json)


@groups_app.command("remove")
@handles_errors
def groups_remove(
    name: Annotated[str, typer.Argument()],
    partners: Annotated[list[str], typer.Argument()],
    as_json: JsonOpt = False,
) -> None:
    """Remove members (owner only)."""
    _members(name, [], partners, as_json)


@groups_app.command("list")
@handles_errors
def groups_list(as_json: JsonOpt = False) -> None:
    """Groups this node owns or belongs to."""
    from corridor.exchange import service

    with _session() as session:
        _groups_out(service.list_groups(session), as_json)


# --- audit -----------------------------------------------------------------------------------------


@handles_errors
def audit_verify(as_json: JsonOpt = False) -> None:
    """Recompute the hash chain; exit 1 when any entry was altered, inserted or removed."""
    from corridor.exchange.audit import verify

    with _session() as session:
        result = verify(session)
    if as_json:
        print_json(result.as_dict())
    elif result.ok:
        err.print(f"audit log intact: {result.entries} entries, head {result.head}")
    else:
        err.print(f"[red]audit log broken[/red] at entry {result.broken_at}: {result.reason}")
    if not result.ok:
        raise typer.Exit(EXIT_REJECTED)


@handles_errors
def audit_list(limit: Annotated[int, typer.Option(min=1)] = 50, as_json: JsonOpt = False) -> None:
    """The latest audit entries."""
    from corridor.exchange.audit import entries

    with _session() as session:
        rows = [
            {
                "seq": r.seq,
                "at": r.at.isoformat(),
                "event": r.event,
                "partner": r.partner,
                "message_id": r.message_id,
                "type": r.message_type,
                "hash": r.hash,
            }
            for r in entries(session, limit=limit)
        ]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Audit",
        ["seq", "at", "event", "partner", "type", "message_id"],
        [[r["seq"], r["at"], r["event"], r["partner"], r["type"], r["message_id"]] for r in rows],
    )


APPS: dict[str, typer.Typer] = {
    "node": node_app,
    "partners": partners_app,
    "agreements": agreements_app,
    "send": send_app,
    "outbox": outbox_app,
    "inbox": inbox_app,
    "groups": groups_app,
}


def register(app: typer.Typer) -> None:
    for name, sub in APPS.items():
        app.add_typer(sub, name=name)


__all__ = ["APPS", "register"]
