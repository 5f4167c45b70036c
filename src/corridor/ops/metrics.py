"""Prometheus metrics: HTTP traffic counted in-process, domain totals read from the database per scrape.

Domain figures (consignments ingested, assessments by lane, exchange queues, refused log-ins) are
counted in the database at scrape time rather than in process memory: they survive restarts, agree
across several server processes and with the CLI, and need no hook inside the domain packages.
Each app has its own registry, so two apps in one process (tests) never share counters.

HTTP counters are per process: under `serve --workers N` a scrape is answered by one worker and
shows that worker's traffic only; corridor_worker_info names it (pid), so series from different
workers are not mistaken for one counter that went backwards. The database figures are whole.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from corridor import __version__
from corridor.domain.consignment import Lane
from corridor.settings import get_settings

log = logging.getLogger("corridor.ops.metrics")
# The *_created series double the exposition and no Corridor dashboard reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Request durations from a cached page (a few ms) to a large upload being ingested (minutes).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class DatabaseCollector(Collector):
    """Totals and queue depths counted in the database when Prometheus scrapes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("corridor_db_up", "1 when the database answered the metrics queries")
        try:
            families = list(self._families())
        except Exception as error:  # a scrape reports the database as down instead of failing
            log.warning("metrics: database queries failed: %s", error.__class__.__name__)
            up.add_metric([], 0)
            yield up
            yield from self._pool()
            return
        up.add_metric([], 1)
        yield up
        yield from families
        yield from self._pool()

    def _families(self) -> Iterator[Metric]:
        from corridor.accounts.models import AuditRow
        from corridor.consignments.models import IngestBatchRow
        from corridor.exchange.models import InboxRow, OutboxRow
        from corridor.exchange.models import RejectionRow as ExchangeRejectionRow
        from corridor.risk.models import AssessmentRow

        with Session(self.engine) as session:
            ingest = session.execute(
                select(
                    func.coalesce(func.sum(IngestBatchRow.accepted), 0),
                    func.coalesce(func.sum(IngestBatchRow.amended), 0),
                    func.coalesce(func.sum(IngestBatchRow.duplicates), 0),
                    func.coalesce(func.sum(IngestBatchRow.rejected), 0),
                )
            ).one()
            lanes = session.execute(
                select(AssessmentRow.lane, func.count()).group_by(AssessmentRow.lane)
            ).all()
            outbox = session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
            inbox = session.execute(select(InboxRow.status, func.count()).group_by(InboxRow.status)).all()
            unattributed = session.scalar(select(func.count()).select_from(ExchangeRejectionRow)) or 0
            failed_logins = (
                session.scalar(
                    select(func.count())
                    .select_from(AuditRow)
                    .where(AuditRow.action == "login", AuditRow.outcome == "refused")
                )
                or 0
            )

        consignments = CounterMetricFamily(
            "corridor_ingest_consignments",
            "Consignment records ingested, by outcome (accepted, amended, duplicate, rejected)",
            labels=["outcome"],
        )
        for outcome, value in zip(("accepted", "amended", "duplicate", "rejected"), ingest, strict=True):
            consignments.add_metric([outcome], float(value))
        yield consignments

        assessed = CounterMetricFamily(
            "corridor_assessments", "Risk assessments made, by lane", labels=["lane"]
        )
        # Every lane is exposed from the start, so that a rate over a lane never starts from nothing.
        lane_counts = {lane.value: 0 for lane in Lane} | dict(lanes)
        for lane, count in sorted(lane_counts.items()):
            assessed.add_metric([lane], float(count))
        yield assessed

        queue = GaugeMetricFamily(
            "corridor_exchange_outbox_messages",
            "Outbox messages by status: queued (pending), delivered, dead (dead letters)",
            labels=["status"],
        )
        counts = dict(outbox)
        for status in sorted({"queued", "delivered", "dead", *counts}):
            queue.add_metric([status], float(counts.get(status, 0)))
        yield queue

        received = CounterMetricFamily(
            "corridor_exchange_inbox_messages",
            "Messages received from partners, by status (received, applied, refused)",
            labels=["status"],
        )
        in_counts = dict(inbox)
        for status in sorted({"received", "applied", "refused", *in_counts}):
            received.add_metric([status], float(in_counts.get(status, 0)))
        yield received

        refused = CounterMetricFamily(
            "corridor_exchange_rejections",
            "Messages refused before they could be attributed (bad signature, malformed, unknown sender)",
        )
        refused.add_metric([], float(unattributed))
        yield refused

        logins = CounterMetricFamily("corridor_login_failures", "Refused log-in attempts (audit log)")
        logins.add_metric([], float(failed_logins))
        yield logins

    def _pool(self) -> Iterator[Metric]:
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):
            return
        for name, help_text, value in (
            ("corridor_db_pool_size", "Connections the pool keeps open", pool.size()),
            ("corridor_db_pool_checked_out", "Connections in use by requests", pool.checkedout()),
            ("corridor_db_pool_checked_in", "Idle connections in the pool", pool.checkedin()),
            ("corridor_db_pool_overflow", "Connections beyond the pool size", pool.overflow()),
        ):
            family = GaugeMetricFamily(name, help_text)
            family.add_metric([], float(value))
            yield family


class Metrics:
    """The registry of one app: HTTP metrics fed by the request middleware, database collector."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "corridor_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "corridor_http_request_duration_seconds",
            "HTTP request duration by method and route template",
            ["method", "route"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "corridor_http_requests_in_progress", "HTTP requests being served", registry=self.registry
        )
        info = Gauge("corridor_build_info", "Corridor version", ["version"], registry=self.registry)
        info.labels(version=__version__).set(1)
        worker = Gauge(
            "corridor_worker_info",
            "The server process that answered this scrape: pid, and the workers of `serve`",
            ["pid", "workers"],
            registry=self.registry,
        )
        worker.labels(pid=str(os.getpid()), workers=str(get_settings().workers)).set(1)
        self.registry.register(DatabaseCollector(engine))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method=method, route=route, status=str(status)).inc()
        self.duration.labels(method=method, route=route).observe(seconds)
