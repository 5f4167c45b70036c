"""Store-and-forward delivery of the outbox: per partner, in sequence order, with retries and back-off.

A message stays `queued` until the partner returns a receipt signed with its key; only then is it
`delivered`. A crash anywhere in between means the message is sent again and the partner answers
"duplicate" with a receipt, so nothing is lost and nothing is applied twice. A channel waits while
its oldest message is backing off, so that a partner sees one sender's messages in order. Refusals
that cannot succeed later go to the dead-letter view (`corridor outbox list --status dead`).
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.exchange import audit, crypto
from corridor.exchange.identity import NodeIdentity, exchange_dir
from corridor.exchange.inbox import apply_pending
from corridor.exchange.models import OutboxRow, PartnerKeyRow, PartnerRow
from corridor.settings import Settings

log = logging.getLogger("corridor.exchange.delivery")

NDJSON = "application/x-ndjson"


@dataclass(slots=True)
class PassReport:
    delivered: int = 0
    duplicates: int = 0
    dead: int = 0
    retrying: int = 0
    applied: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "duplicates": self.duplicates,
            "dead": self.dead,
            "retrying": self.retrying,
            "applied": self.applied,
            "errors": self.errors,
        }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def backoff(settings: Settings, attempts: int) -> timedelta:
    # Exponential with ±20 % jitter, so that partners recovering from an outage are not hit in step.
    delay = min(settings.exchange_retry_max, settings.exchange_retry_base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


class ClientCertificateError(RuntimeError):
    """This node's TLS certificate or key cannot be loaded: delivery waits, nothing is lost."""


def client_certificate(settings: Settings) -> tuple[Path, Path] | None:
    """This node's TLS certificate and key (`corridor node tls-cert`), when it has both."""
    folder = exchange_dir(settings.data_dir) / "tls"
    cert, key = folder / "cert.pem", folder / "key.pem"
    return (cert, key) if cert.is_file() and key.is_file() else None


class Transport:
    """HTTP clients per partner; a partner whose identity carries a TLS certificate is pinned to it.

    When this node has a TLS certificate of its own, every client presents it as its client
    certificate, so that a partner's front proxy can refuse non-partners at the TLS layer
    (`corridor partners tls-bundle`, deploy/nginx-corridor.conf).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._clients: dict[tuple[int, str | None, int | None], httpx.Client] = {}

    def _own(self) -> tuple[Path, Path, int] | None:
        found = client_certificate(self.settings)
        if found is None:
            return None
        cert, key = found
        # The modification times are part of the client's key: a certificate made anew by
        # `corridor node tls-cert` while the node runs is presented from the next pass on.
        return cert, key, cert.stat().st_mtime_ns ^ key.stat().st_mtime_ns

    def _passphrase(self) -> bytes:
        secret = self.settings.node_key_passphrase
        if secret is None:
            # A callback instead of None: OpenSSL would otherwise prompt on the terminal of a daemon.
            raise ClientCertificateError(
                "the node's TLS key is encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE to its passphrase"
            )
        return secret.get_secret_value().encode("utf-8")

    def _context(self, partner: PartnerRow, own: tuple[Path, Path, int]) -> ssl.SSLContext:
        context = (
            ssl.create_default_context(cadata=partner.tls_certificate)
            if partner.tls_certificate
            else httpx.create_ssl_context()  # what httpx trusts by default (certifi, SSL_CERT_FILE)
        )
        cert, key, _ = own
        try:
            context.load_cert_chain(cert, key, password=self._passphrase)
        except (ssl.SSLError, OSError) as error:
            raise ClientCertificateError(
                f"cannot load this node's TLS client certificate {cert} with key {key}: {error} "
                "(a key encrypted with another passphrase than CORRIDOR_NODE_KEY_PASSPHRASE, or a key "
                "that does not match the certificate)"
            ) from error
        return context

    def client(self, partner: PartnerRow) -> httpx.Client:
        own = self._own()
        key = (partner.id, partner.tls_certificate, own[2] if own else None)
        if key not in self._clients:
            for stale in [k for k in self._clients if k[0] == partner.id]:
                self._clients.pop(stale).close()
            verify: ssl.SSLContext | bool = True
            if own is not None:
                verify = self._context(partner, own)
            elif partner.tls_certificate:
                verify = ssl.create_default_context(cadata=partner.tls_certificate)
            self._clients[key] = httpx.Client(timeout=self.settings.exchange_timeout, verify=verify)
        return self._clients[key]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _verify_receipt(
    keys: dict[str, PartnerKeyRow | None], partner: PartnerRow, row: OutboxRow, receipt: Any
) -> str | None:
    """None when the receipt is the partner's signed word for this very envelope, else why not."""
    if not isinstance(receipt, dict):
        return "no receipt"
    key = keys.get(str(receipt.get("kid")))
    if key is None or key.status == "revoked":
        return f"receipt signed with unknown key {receipt.get('kid')}"
    body = {k: v for k, v in receipt.items() if k != "signature"}
    try:
        crypto.verify(
            crypto.b64d(key.signing_key, size=32), str(receipt.get("signature")), crypto.canonical(body)
        )
    except crypto.CryptoFailure:
        return "receipt signature does not verify"
    if receipt.get("message_id") != row.message_id or receipt.get("receiver") != partner.name:
        return "receipt is for another message"
    return None


def _fail(
    session: Session,
    settings: Settings,
    partner: PartnerRow,
    row: OutboxRow,
    error: dict[str, Any],
    *,
    permanent: bool,
    report: PassReport,
) -> None:
    row.attempts += 1
    row.last_error = error
    now = datetime.now(UTC)
    if permanent or row.attempts >= settings.exchange_max_attempts:
        row.status = "dead"
        report.dead += 1
        audit.append(
            session,
            "dead",
            partner=partner.name,
            message_id=row.message_id,
            message_type=row.message_type,
            detail={"sequence": row.sequence, "attempts": row.attempts, "error": error},
        )
        log.warning("message %s to %s is dead: %s", row.message_id, partner.name, error)
    else:
        row.next_attempt_at = now + backoff(settings, row.attempts)
        report.retrying += 1
        log.info("message %s to %s: retry %d after %s", row.message_id, partner.name, row.attempts, error)


def _deliver_channel(
    engine: Engine, settings: Settings, transport: Transport, partner_id: int, report: PassReport
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        partner = session.get(PartnerRow, partner_id)
        if partner is None:
            return
        rows = list(
            session.scalars(
                select(OutboxRow)
                .where(OutboxRow.partner_id == partner_id, OutboxRow.status == "queued")
                .order_by(OutboxRow.sequence)
                .limit(settings.exchange_batch_size)
            )
        )
        if not rows or _aware(rows[0].next_attempt_at) > datetime.now(UTC):
            return
        if partner.status != "active" or not partner.endpoint:
            for row in rows:
                reason = "partner revoked" if partner.status != "active" else "partner has no endpoint"
                _fail(
                    session,
                    settings,
                    partner,
                    row,
                    {"code": "undeliverable", "detail": reason},
                    permanent=partner.status != "active",
                    report=report,
                )
                if partner.status == "active":
                    break
            session.commit()
            return
        batch: list[OutboxRow] = []
        size = 0
        for row in rows:
            if batch and size + row.size + 1 > settings.exchange_max_batch_bytes:
                break
            batch.append(row)
            size += row.size + 1
        body = "\n".join(r.envelope for r in batch).encode("utf-8")
        try:
            response = transport.client(partner).post(
                f"{partner.endpoint}/exchange/v1/messages", content=body, headers={"content-type": NDJSON}
            )
        except (httpx.HTTPError, ClientCertificateError) as error:
            # A certificate that cannot be loaded is the operator's to fix: retried like a network
            # failure, with the reason in `corridor outbox list`.
            code = "client_certificate" if isinstance(error, ClientCertificateError) else "transport"
            _fail(
                session,
                settings,
                partner,
                batch[0],
                {"code": code, "detail": str(error) or type(error).__name__},
                permanent=False,
                report=report,
            )
            report.errors.append(f"{partner.name}: {error}")
            session.commit()
            return
        if response.status_code != 200:
            try:
                error_body = response.json().get("error") or {}
            except (ValueError, AttributeError):
                error_body = {}
            refusal = {
                "code": error_body.get("code", f"http_{response.status_code}"),
                "detail": error_body.get("detail", response.text[:300]),
            }
            # A whole-request failure (gateway error, server busy) is retried: the envelopes in it
            # were refused one by one only when the answer is a 200 with results.
            _fail(session, settings, partner, batch[0], refusal, permanent=False, report=report)
            report.errors.append(f"{partner.name}: HTTP {response.status_code} {refusal['code']}")
            session.commit()
            return
        results = response.json().get("results", [])
        moment = datetime.now(UTC)
        keys: dict[str, PartnerKeyRow | None] = {
            k.kid: k
            for k in session.scalars(select(PartnerKeyRow).where(PartnerKeyRow.partner_id == partner.id))
        }
        delivered: list[audit.Entry] = []
        for row, result in zip(batch, results, strict=False):
            if "receipt" in result:
                problem = _verify_receipt(keys, partner, row, result["receipt"])
                if problem is not None:
                    _fail(
                        session,
                        settings,
                        partner,
                        row,
                        {"code": "bad_receipt", "detail": problem},
                        permanent=False,
                        report=report,
                    )
                    break
                row.status = "delivered"
                row.delivered_at = moment
                row.receipt = result["receipt"]
                row.attempts += 1
                row.last_error = None
                duplicate = result["receipt"].get("status") == "duplicate"
                report.duplicates += duplicate
                report.delivered += 1
                delivered.append(
                    audit.Entry(
                        "delivered",
                        partner=partner.name,
                        message_id=row.message_id,
                        message_type=row.message_type,
                        digest=result["receipt"].get("digest"),
                        detail={"sequence": row.sequence, "duplicate": duplicate},
                    )
                )
            elif "error" in result:
                refusal = result["error"]
                _fail(
                    session,
                    settings,
                    partner,
                    row,
                    refusal,
                    permanent=not result.get("retryable", False),
                    report=report,
                )
                if result.get("retryable", False):
                    break
            else:
                break  # skipped by the receiver after a retryable failure: next pass, same order
        audit.append_many(session, delivered)
        session.commit()


def deliver_once(
    engine: Engine, identity: NodeIdentity, settings: Settings, transport: Transport | None = None
) -> PassReport:
    """One pass: apply what the inbox left pending, then one batch per partner channel that is due."""
    report = PassReport()
    report.applied = apply_pending(engine)
    own = transport or Transport(settings)
    try:
        with Session(engine) as session:
            partner_ids = list(
                session.scalars(
                    select(OutboxRow.partner_id)
                    .where(OutboxRow.status == "queued")
                    .group_by(OutboxRow.partner_id)
                )
            )
        for partner_id in partner_ids:
            try:
                _deliver_channel(engine, settings, own, partner_id, report)
            except Exception as error:  # one bad channel must not stop the others
                log.exception("delivery to partner %s failed", partner_id)
                report.errors.append(f"partner {partner_id}: {error}")
    finally:
        if transport is None:
            own.close()
    return report


def queued_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "queued"))
            or 0
        )


class Deliverer:
    """The background deliverer of `corridor serve`: a thread that runs passes until stopped."""

    def __init__(self, engine: Engine, settings: Settings, load_identity: Any) -> None:
        self.engine = engine
        self.settings = settings
        self.load_identity = load_identity
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="corridor-exchange-deliverer", daemon=True)
        self.transport = Transport(settings)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.transport.close()

    def _run(self) -> None:
        log.info("exchange deliverer started (every %.2f s)", self.settings.exchange_deliver_interval)
        while not self._stop.is_set():
            busy = False
            try:
                identity = self.load_identity()
                report = deliver_once(self.engine, identity, self.settings, self.transport)
                busy = report.delivered > 0 or report.applied > 0
            except Exception:  # keep delivering after a bad pass; the reason is in the log
                log.exception("exchange delivery pass failed")
            if not busy:
                self._wake.wait(self.settings.exchange_deliver_interval)
                self._wake.clear()
