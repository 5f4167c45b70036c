"""HTTP of the exchange: the node-to-node endpoint (authenticated by signatures, not by users) and
the management API for liaison officers and administrators.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from corridor.api.deps import EngineDep, SessionDep
from corridor.domain.errors import Forbidden
from corridor.exchange import alerts, audit, identity, service
from corridor.exchange.errors import Malformed, Oversized, Refused
from corridor.exchange.inbox import apply_pending, receive, receive_batch, record_refusal
from corridor.exchange.messages import payload_json_schemas
from corridor.exchange.schemas import (
    AgreementIn,
    CloseIn,
    GroupIn,
    MembersIn,
    PartnerIn,
    PartnerUpdateIn,
    SendIn,
    SendManyIn,
)
from corridor.settings import Settings, get_settings

node_router = APIRouter(prefix="/exchange/v1", tags=["exchange protocol"])
router = APIRouter(prefix="/exchange", tags=["exchange"])

EXCHANGE_ROLES = frozenset({"liaison_officer", "administrator"})


def exchange_guard(request: Request, session: SessionDep) -> None:
    """Managing the exchange is the liaison officer's (and the administrator's) job."""
    from corridor.accounts.deps import api_auth

    auth = api_auth(request, session)
    if auth.user.role not in EXCHANGE_ROLES:
        raise Forbidden(f"a {auth.user.role.replace('_', ' ')} may not manage the exchange", where="role")


def _node(settings: Settings) -> identity.NodeIdentity:
    return identity.load(settings.data_dir)


async def _read_limited(request: Request, limit: int) -> bytes:
    """The body, refused as oversized before it is all read, let alone parsed."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Oversized(f"the request has {declared} bytes; this node accepts at most {limit}", where="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Oversized(f"the request exceeds {limit} bytes", where="body")
        chunks.append(chunk)
    return b"".join(chunks)


@node_router.get("/identity")
def node_identity() -> dict[str, Any]:
    """This node's public identity (to compare with the one exchanged out of band)."""
    return _node(get_settings()).public_document()


@node_router.get("/schemas")
def message_schemas() -> dict[str, Any]:
    """JSON Schemas of every message type and version this node accepts."""
    return payload_json_schemas()


@node_router.post("/messages")
async def receive_messages(
    request: Request, engine: EngineDep, background: BackgroundTasks
) -> dict[str, Any]:
    """Receive one envelope (application/json) or a batch (application/x-ndjson, one per line).

    A single envelope is refused with its error status and {"error": {...}}; a batch answers 200
    with one result per line, in order: a signed receipt, an error, or "skipped" after a retryable
    error (so that the sender keeps its order).
    """
    settings = get_settings()
    node = _node(settings)
    remote = request.client.host if request.client else None
    ndjson = request.headers.get("content-type", "").startswith("application/x-ndjson")
    limit = settings.exchange_max_batch_bytes if ndjson else settings.exchange_max_message_bytes
    try:
        raw = await _read_limited(request, limit)
    except Oversized as too_big:
        size = int(request.headers.get("content-length") or 0)
        # Logged and kept in the rejection table like every other refusal, then answered with 413.
        refused = await run_in_threadpool(
            record_refusal, engine, too_big, raw_size=size, remote=remote, sender=None, message_id=None
        )
        raise refused from None
    if not ndjson:
        received = await run_in_threadpool(receive, engine, node, settings, raw, remote=remote)
        if received.needs_apply:
            background.add_task(apply_pending, engine)
        return {"receipt": received.receipt}
    lines = [line for line in raw.split(b"\n") if line.strip()]
    if not lines:
        raise Malformed("the batch is empty", where="body")

    def process() -> tuple[list[dict[str, Any]], bool]:
        results: list[dict[str, Any]] = []
        pending = False
        for got in receive_batch(engine, node, settings, lines, remote=remote):
            if got is None:
                results.append({"skipped": True})
            elif isinstance(got, Refused):
                results.append({**got.to_body(), "retryable": got.retryable})
            else:
                results.append({"receipt": got.receipt})
                pending = pending or got.needs_apply
        return results, pending

    results, pending = await run_in_threadpool(process)
    if pending:
        background.add_task(apply_pending, engine)
    return {"results": results}


# --- management ------------------------------------------------------------------------------------


@router.get("/node")
def get_node() -> dict[str, Any]:
    return _node(get_settings()).public_document()


@router.get("/partners")
def get_partners(session: SessionDep) -> list[dict[str, Any]]:
    return service.list_partners(session)


@router.post("/partners")
def post_partner(body: PartnerIn, session: SessionDep) -> dict[str, Any]:
    row = service.add_partner(
        session,
        _node(get_settings()),
        body.identity,
        endpoint=body.endpoint,
        expect_fingerprint=body.fingerprint,
    )
    return next(p for p in service.list_partners(session) if p["name"] == row.name)


@router.put("/partners")
def put_partner(body: PartnerUpdateIn, session: SessionDep) -> dict[str, Any]:
    row = service.update_partner(session, body.identity, endpoint=body.endpoint, force=body.force)
    return next(p for p in service.list_partners(session) if p["name"] == row.name)


@router.post("/partners/{name}/revoke")
def revoke_partner(name: str, session: SessionDep, kid: str | None = None) -> dict[str, Any]:
    service.revoke_partner(session, name, key=kid)
    return next(p for p in service.list_partners(session) if p["name"] == name)


@router.get("/agreements")
def get_agreements(session: SessionDep, partner: str | None = None) -> list[dict[str, Any]]:
    return service.list_agreements(session, partner)


@router.post("/agreements")
def post_agreement(body: AgreementIn, session: SessionDep) -> list[dict[str, Any]]:
    service.allow(
        session, body.partner, send=body.send, receive=body.receive, profile=body.profile, fields=body.fields
    )
    return service.list_agreements(session, body.partner)


@router.get("/groups")
def get_groups(session: SessionDep) -> list[dict[str, Any]]:
    return service.list_groups(session)


@router.post("/groups")
def post_group(body: GroupIn, session: SessionDep) -> dict[str, Any]:
    service.create_group(session, _node(get_settings()), body.name, types=body.types, profile=body.profile)
    return next(g for g in service.list_groups(session) if g["name"] == body.name)


@router.post("/groups/{name}/members")
def post_members(name: str, body: MembersIn, session: SessionDep) -> dict[str, Any]:
    settings = get_settings()
    service.change_membership(session, _node(settings), settings, name, add=body.add, remove=body.remove)
    return next(g for g in service.list_groups(session) if g["name"] == name)


@router.post("/send")
def post_send_many(body: SendManyIn, session: SessionDep, request: Request) -> dict[str, Any]:
    """Queue several messages in one transaction; each result is the message queued or its error."""
    settings = get_settings()
    results = service.send_many(
        session,
        _node(settings),
        settings,
        [service.Outgoing(m.type, m.payload, m.to, m.group) for m in body.messages],
    )
    deliverer = getattr(request.app.state, "exchange_deliverer", None)
    if deliverer is not None:
        deliverer.wake()
    return {
        "queued": sum(1 for r in results if isinstance(r, service.Sent)),
        "refused": sum(1 for r in results if not isinstance(r, service.Sent)),
        "results": [
            r.as_dict() if isinstance(r, service.Sent) else {"index": i, **r.to_body()}
            for i, r in enumerate(results)
        ],
    }


@router.post("/send/{message_type}")
def post_send(message_type: str, body: SendIn, session: SessionDep, request: Request) -> dict[str, Any]:
    settings = get_settings()
    sent = service.send(
        session, _node(settings), settings, message_type, body.payload, to=body.to, group=body.group
    )
    deliverer = getattr(request.app.state, "exchange_deliverer", None)
    if deliverer is not None:
        deliverer.wake()
    return sent.as_dict()


@router.get("/outbox")
def get_outbox(
    session: SessionDep,
    status: str | None = None,
    partner: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return service.outbox(session, status=status, partner=partner, limit=limit)


@router.post("/outbox/{outbox_id}/retry")
def retry_outbox(outbox_id: int, session: SessionDep) -> dict[str, Any]:
    settings = get_settings()
    row = service.retry_dead(session, _node(settings), settings, outbox_id)
    return {"id": row.id, "status": row.status, "sequence": row.sequence}


@router.get("/inbox")
def get_inbox(
    session: SessionDep,
    type: str | None = None,  # noqa: A002 - the query parameter is called type in the protocol docs
    partner: str | None = None,
    status: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return service.inbox(session, message_type=type, partner=partner, status=status, limit=limit)


@router.get("/alerts")
def get_alerts(
    session: SessionDep, open_only: bool = False, limit: int = Query(default=200, ge=1, le=1000)
) -> list[dict[str, Any]]:
    return [a.as_dict() for a in alerts.list_received_alerts(session, only_open=open_only, limit=limit)]


@router.post("/alerts/{alert_id}/close")
def close_alert(alert_id: int, body: CloseIn, session: SessionDep) -> dict[str, Any]:
    return alerts.close_alert(session, alert_id, body.note).as_dict()


@router.get("/audit")
def get_audit(session: SessionDep, limit: int = Query(default=100, ge=1, le=1000)) -> list[dict[str, Any]]:
    return [
        {
            "seq": r.seq,
            "at": r.at.isoformat(),
            "event": r.event,
            "partner": r.partner,
            "message_id": r.message_id,
            "type": r.message_type,
            "digest": r.digest,
            "detail": r.detail,
            "hash": r.hash,
        }
        for r in audit.entries(session, limit=limit)
    ]


@router.get("/audit/verify")
def verify_audit(session: SessionDep) -> dict[str, Any]:
    return audit.verify(session).as_dict()


def install(app: FastAPI, engine: Engine) -> None:
    """Mount the exchange and run the outbox deliverer for the life of the app when configured."""
    from corridor.exchange.delivery import Deliverer
    from corridor.ops.leader import LeaderJob, run_for_app_lifetime

    app.include_router(node_router)
    app.include_router(router, dependencies=[Depends(exchange_guard)])

    def delivery(app_: FastAPI) -> LeaderJob[Deliverer] | None:
        settings = get_settings()
        node_ready = (identity.exchange_dir(settings.data_dir) / identity.IDENTITY_FILE).exists()
        if not (settings.exchange_deliver and node_ready):
            return None

        def begin() -> Deliverer:
            deliverer = Deliverer(engine, settings, lambda: identity.load(settings.data_dir))
            deliverer.start()
            app_.state.exchange_deliverer = deliverer
            return deliverer

        def end(deliverer: Deliverer) -> None:
            app_.state.exchange_deliverer = None
            deliverer.stop()

        # One deliverer among the workers of `serve --workers N`, so that each partner channel
        # is sent in sequence order; the others' sends are picked up at its next pass.
        return LeaderJob("exchange-deliverer", settings.data_dir, settings.workers, begin, end)

    run_for_app_lifetime(app, delivery)
