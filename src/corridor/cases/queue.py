"""The targeting queue: pre-arrival consignments of my offices, ranked by the latest assessment.

Rank by score (highest first), then ETA (soonest first); consignments not yet assessed sort last and
show "not assessed" — they are never given a score here. The latest assessment and the latest
decision per consignment are found with a window function, which SQLite and PostgreSQL both run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from corridor.accounts.models import OfficeRow, UserRow
from corridor.accounts.roles import Permission
from corridor.accounts.service import visible_offices
from corridor.cases.models import DecisionRow
from corridor.cases.service import require
from corridor.consignments.models import ConsignmentRow
from corridor.domain.errors import InvalidInput
from corridor.risk.models import AssessmentRow

WINDOWS = {"today": 1, "3d": 3, "7d": 7, "30d": 30}
STATUSES = ("undecided", "select", "release", "hold")
PAGE_SIZE = 50


@dataclass(slots=True)
class QueueFilter:
    window: str = "3d"
    office: str | None = None
    lane: str | None = None
    mode: str | None = None
    status: str | None = None
    q: str | None = None
    page: int = 1


@dataclass(slots=True)
class QueueItem:
    row: ConsignmentRow
    assessment: AssessmentRow | None
    decision: DecisionRow | None

    @property
    def top_reasons(self) -> list[dict[str, Any]]:
        if self.assessment is None:
            return []
        # Rules, alerts and the model's own probability hit rank the queue; the model's SHAP reasons
        # carry log-odds, not score weights, and belong on the consignment page, not here.
        scoring = [
            h
            for h in self.assessment.hits or []
            if not (h.get("source") == "model" and h.get("rule_id") != "model")
        ]
        return sorted(scoring, key=lambda h: -abs(float(h.get("weight") or 0)))[:3]


@dataclass(slots=True)
class Capacity:
    office: OfficeRow
    selected: int
    capacity: int

    @property
    def percent(self) -> int:
        if self.capacity <= 0:
            return 100 if self.selected else 0
        return min(100, round(100 * self.selected / self.capacity))

    @property
    def over(self) -> bool:
        return self.selected > self.capacity


@dataclass(slots=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int
    offices: list[OfficeRow]
    capacity: list[Capacity] = field(default_factory=list)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def latest_assessment_ids(among: Any = None) -> Any:
    """(id, consignment_id) of each consignment's latest assessment; `among`: a select of consignment ids
    to rank only those (the window function then reads their rows, not the whole table)."""
    ranked = select(
        AssessmentRow.id.label("id"),
        AssessmentRow.consignment_id.label("consignment_id"),
        func.row_number()
        .over(
            partition_by=AssessmentRow.consignment_id,
            order_by=(AssessmentRow.assessed_at.desc(), AssessmentRow.id.desc()),
        )
        .label("rn"),
    )
    if among is not None:
        ranked = ranked.where(AssessmentRow.consignment_id.in_(among))
    sub = ranked.subquery()
    return select(sub.c.id, sub.c.consignment_id).where(sub.c.rn == 1).subquery()


def latest_decision_ids(among: Any = None) -> Any:
    """Like latest_assessment_ids, for decisions."""
    ranked = select(
        DecisionRow.id.label("id"),
        DecisionRow.consignment_id.label("consignment_id"),
        func.row_number()
        .over(
            partition_by=DecisionRow.consignment_id,
            order_by=(DecisionRow.decided_at.desc(), DecisionRow.id.desc()),
        )
        .label("rn"),
    )
    if among is not None:
        ranked = ranked.where(DecisionRow.consignment_id.in_(among))
    sub = ranked.subquery()
    return select(sub.c.id, sub.c.consignment_id).where(sub.c.rn == 1).subquery()


def user_offices(session: Session, user: UserRow) -> list[OfficeRow]:
    scope = visible_offices(session, user)
    stmt = select(OfficeRow).order_by(OfficeRow.code)
    if scope is not None:
        stmt = stmt.where(OfficeRow.code.in_(list(scope)))
    return list(session.scalars(stmt))


def build_queue(session: Session, user: UserRow, flt: QueueFilter, *, today: date | None = None) -> QueuePage:
    require(user, Permission.VIEW_CONSIGNMENTS)
    if flt.window not in WINDOWS:
        raise InvalidInput(f"unknown window {flt.window!r}; use {', '.join(WINDOWS)}", where="window")
    if flt.status is not None and flt.status not in STATUSES:
        raise InvalidInput(f"unknown status {flt.status!r}; use {', '.join(STATUSES)}", where="status")
    if flt.lane is not None and flt.lane not in ("red", "yellow", "green", "blue", "none"):
        raise InvalidInput(f"unknown lane {flt.lane!r}", where="lane")
    if flt.page < 1:
        raise InvalidInput("page starts at 1", where="page")
    tz = ZoneInfo(user.timezone)
    today = today or datetime.now(tz).date()
    start, _ = day_bounds(today, tz)
    end = start + timedelta(days=WINDOWS[flt.window])

    scope = visible_offices(session, user)
    offices = user_offices(session, user)
    if flt.office and scope is not None and flt.office not in scope:
        # Not an error page: an office outside the scope simply has nothing to show.
        return QueuePage([], 0, 1, 1, offices)

    # Rank assessments and decisions of the consignments arriving in the window only: over the whole
    # table the two window functions dominated the page on PostgreSQL.
    window_filter = [ConsignmentRow.status == "active", ConsignmentRow.eta >= start, ConsignmentRow.eta < end]
    if scope is not None:
        window_filter.append(ConsignmentRow.office.in_(list(scope)))
    if flt.office:
        window_filter.append(ConsignmentRow.office == flt.office)
    candidates = select(ConsignmentRow.id).where(*window_filter)
    la = latest_assessment_ids(candidates)
    ld = latest_decision_ids(candidates)
    a = aliased(AssessmentRow)
    d = aliased(DecisionRow)
    stmt = (
        select(ConsignmentRow, a, d)
        .outerjoin(la, la.c.consignment_id == ConsignmentRow.id)
        .outerjoin(a, a.id == la.c.id)
        .outerjoin(ld, ld.c.consignment_id == ConsignmentRow.id)
        .outerjoin(d, d.id == ld.c.id)
        .where(
            ConsignmentRow.status == "active",
            ConsignmentRow.eta >= start,
            ConsignmentRow.eta < end,
        )
    )
    if scope is not None:
        stmt = stmt.where(ConsignmentRow.office.in_(list(scope)))
    if flt.office:
        stmt = stmt.where(ConsignmentRow.office == flt.office)
    if flt.lane == "none":
        stmt = stmt.where(a.id.is_(None))
    elif flt.lane:
        stmt = stmt.where(a.lane == flt.lane)
    if flt.mode:
        stmt = stmt.where(ConsignmentRow.mode == flt.mode)
    if flt.status == "undecided":
        stmt = stmt.where(d.id.is_(None))
    elif flt.status:
        stmt = stmt.where(d.action == flt.status)
    if flt.q and flt.q.strip():
        like = f"%{flt.q.strip().upper()}%"
        stmt = stmt.where(
            or_(
                ConsignmentRow.document_number.like(like),
                func.upper(ConsignmentRow.consignor_name).like(like),
                func.upper(ConsignmentRow.consignee_name).like(like),
                func.upper(ConsignmentRow.conveyance_name).like(like),
                func.upper(ConsignmentRow.carrier_name).like(like),
            )
        )
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    ordered = stmt.order_by(
        case((a.id.is_(None), 1), else_=0),
        a.score.desc(),
        ConsignmentRow.eta.asc(),
        ConsignmentRow.id.asc(),
    )
    rows = session.execute(ordered.limit(PAGE_SIZE).offset((flt.page - 1) * PAGE_SIZE)).all()
    items = [QueueItem(row=r[0], assessment=r[1], decision=r[2]) for r in rows]
    shown = [o for o in offices if not flt.office or o.code == flt.office]
    return QueuePage(items, total, flt.page, pages, offices, capacity_today(session, shown, today, tz))


def capacity_today(session: Session, offices: list[OfficeRow], today: date, tz: ZoneInfo) -> list[Capacity]:
    """Consignments whose decision in force is 'select', decided today, per office, vs. its capacity."""
    if not offices:
        return []
    start, end = day_bounds(today, tz)
    ld = latest_decision_ids()
    counts = dict(
        session.execute(
            select(DecisionRow.office, func.count())
            .join(ld, and_(ld.c.id == DecisionRow.id))
            .where(
                DecisionRow.action == "select",
                DecisionRow.decided_at >= start,
                DecisionRow.decided_at < end,
                DecisionRow.office.in_([o.code for o in offices]),
            )
            .group_by(DecisionRow.office)
        ).all()
    )
    return [Capacity(o, int(counts.get(o.code, 0)), o.daily_capacity) for o in offices]
