"""Dashboard figures over the user's scope: volumes, lanes, inspections, hit rate per profile, seizures.

Hit rate per profile = of the inspected consignments on which a profile fired (in the assessment the
decision was made on), the share where something was found (discrepancy or seizure).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from corridor.accounts.models import UserRow
from corridor.accounts.roles import Permission
from corridor.accounts.service import visible_offices
from corridor.cases.models import DecisionRow, InspectionRow, SeizureRow
from corridor.cases.queue import day_bounds, latest_assessment_ids
from corridor.cases.service import require
from corridor.consignments.models import ConsignmentRow
from corridor.risk.models import AssessmentRow


@dataclass(slots=True)
class ProfileRate:
    source: str
    rule_id: str
    title: str
    inspected: int = 0
    found: int = 0

    @property
    def rate(self) -> float:
        return self.found / self.inspected if self.inspected else 0.0


@dataclass(slots=True)
class Dashboard:
    days: list[tuple[date, dict[str, int]]]
    modes: list[str]
    lanes: dict[str, int]
    inspections: dict[str, int]
    methods: dict[str, int]
    decisions: dict[str, int]
    overrides: int
    profile_rates: list[ProfileRate]
    seizures_by_month: list[tuple[str, int]]
    seizures_by_commodity: dict[str, int]
    recent_seizures: list[tuple[SeizureRow, ConsignmentRow]] = field(default_factory=list)

    @property
    def max_day(self) -> int:
        return max([sum(v.values()) for _, v in self.days] or [0]) or 1


def build_dashboard(
    session: Session, user: UserRow, *, today: date | None = None, past_days: int = 14, next_days: int = 7
) -> Dashboard:
    require(user, Permission.VIEW_DASHBOARD)
    tz = ZoneInfo(user.timezone)
    today = today or datetime.now(tz).date()
    start, _ = day_bounds(today - timedelta(days=past_days - 1), tz)
    end, _ = day_bounds(today + timedelta(days=next_days + 1), tz)
    scope = visible_offices(session, user)

    def scoped(stmt: Any, column: Any) -> Any:
        return stmt if scope is None else stmt.where(column.in_(list(scope)))

    # Volumes by local arrival day and mode (ETA converted in Python: time zones differ per database).
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    modes: set[str] = set()
    for eta, mode in session.execute(
        scoped(
            select(ConsignmentRow.eta, ConsignmentRow.mode).where(
                ConsignmentRow.eta >= start, ConsignmentRow.eta < end
            ),
            ConsignmentRow.office,
        )
    ):
        local = _aware(eta).astimezone(tz).date()
        per_day[local][mode] += 1
        modes.add(mode)
    span = (end - start).days
    days = [
        (start.date() + timedelta(days=i), dict(per_day.get(start.date() + timedelta(days=i), {})))
        for i in range(span)
    ]

    la = latest_assessment_ids()
    a = aliased(AssessmentRow)
    lanes = dict(
        session.execute(
            scoped(
                select(a.lane, func.count())
                .join(la, la.c.id == a.id)
                .join(ConsignmentRow, ConsignmentRow.id == a.consignment_id)
                .where(ConsignmentRow.eta >= start, ConsignmentRow.eta < end)
                .group_by(a.lane),
                ConsignmentRow.office,
            )
        ).all()
    )

    decisions = dict(
        session.execute(
            scoped(select(DecisionRow.action, func.count()).group_by(DecisionRow.action), DecisionRow.office)
        ).all()
    )
    overrides = int(
        session.scalar(scoped(select(func.count()).where(DecisionRow.override.is_(True)), DecisionRow.office))
        or 0
    )
    inspections = dict(
        session.execute(
            scoped(
                select(InspectionRow.result, func.count()).group_by(InspectionRow.result),
                InspectionRow.office,
            )
        ).all()
    )
    methods = dict(
        session.execute(
            scoped(
                select(InspectionRow.method, func.count()).group_by(InspectionRow.method),
                InspectionRow.office,
            )
        ).all()
    )

    rates: dict[tuple[str, str], ProfileRate] = {}
    found_by_consignment: dict[int, bool] = {}
    hits_by_consignment: dict[int, list[dict[str, Any]]] = {}
    for insp, hits in session.execute(
        scoped(
            select(InspectionRow, AssessmentRow.hits)
            .join(DecisionRow, DecisionRow.id == InspectionRow.decision_id)
            .outerjoin(AssessmentRow, AssessmentRow.id == DecisionRow.assessment_id)
            .order_by(InspectionRow.inspected_at),
            InspectionRow.office,
        )
    ):
        # One consignment counts once: its latest inspection result.
        found_by_consignment[insp.consignment_id] = insp.result in ("discrepancy", "seizure")
        hits_by_consignment[insp.consignment_id] = list(hits or [])
    for cid, hits in hits_by_consignment.items():
        seen: set[tuple[str, str]] = set()
        for hit in hits:
            key = (str(hit.get("source", "")), str(hit.get("rule_id", "")))
            if key in seen:
                continue
            seen.add(key)
            rate = rates.setdefault(key, ProfileRate(key[0], key[1], str(hit.get("title") or key[1])))
            rate.inspected += 1
            rate.found += int(found_by_consignment[cid])
    profile_rates = sorted(rates.values(), key=lambda r: (-r.inspected, r.rule_id))

    months: Counter[str] = Counter()
    commodities: Counter[str] = Counter()
    for seized_at, commodity in session.execute(
        scoped(select(SeizureRow.seized_at, SeizureRow.commodity), SeizureRow.office)
    ):
        months[_aware(seized_at).astimezone(tz).strftime("%Y-%m")] += 1
        commodities[commodity] += 1
    recent = [
        (s, c)
        for s, c in session.execute(
            scoped(
                select(SeizureRow, ConsignmentRow)
                .join(ConsignmentRow, ConsignmentRow.id == SeizureRow.consignment_id)
                .order_by(SeizureRow.seized_at.desc())
                .limit(10),
                SeizureRow.office,
            )
        ).all()
    ]
    return Dashboard(
        days=days,
        modes=sorted(modes),
        lanes={str(k): int(v) for k, v in lanes.items()},
        inspections={str(k): int(v) for k, v in inspections.items()},
        methods={str(k): int(v) for k, v in methods.items() if k},
        decisions={str(k): int(v) for k, v in decisions.items()},
        overrides=overrides,
        profile_rates=profile_rates,
        seizures_by_month=sorted(months.items()),
        seizures_by_commodity=dict(commodities.most_common()),
        recent_seizures=recent,
    )


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
