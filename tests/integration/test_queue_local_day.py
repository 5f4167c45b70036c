"""The queue's day is the officer's local day, on both databases, even when it is not the UTC day.

Between 20:00 and 24:00 UTC it is already tomorrow in Baku: consignments arriving in those hours
belong to the Baku day that has begun. SQLite once compared the local midnight as if it were UTC
and dropped them from the queue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.accounts.models import UserRow
from corridor.cases.queue import QueueFilter, build_queue, day_bounds
from corridor.consignments.models import ConsignmentRow
from tests.e2e.seed import seed

# 20:30 UTC on 22 November is 00:30 on 23 November in Baku (UTC+4).
NOW = datetime(2026, 11, 22, 20, 30, tzinfo=UTC)
BAKU_DAY = date(2026, 11, 23)


@pytest.mark.parametrize("window", ["today", "7d"])
def test_consignments_arriving_before_utc_midnight_are_in_the_baku_day(engine: Engine, window: str) -> None:
    world = seed(engine, now=NOW)
    with Session(engine) as session:
        officer = session.scalars(select(UserRow).where(UserRow.username == "officer")).one()
        assert officer.timezone == "Asia/Baku"
        ids = [i.row.id for i in build_queue(session, officer, QueueFilter(window=window), today=BAKU_DAY).items]
    # the unassessed one arrives at 22:30 UTC (02:30 in Baku): inside the Baku day, listed last
    assert ids == [world.riskiest, world.medium, world.green, world.unassessed]


def test_stored_times_compare_by_instant_not_wall_clock(engine: Engine) -> None:
    world = seed(engine, now=NOW)
    start, end = day_bounds(BAKU_DAY, ZoneInfo("Asia/Baku"))
    assert start == datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    with Session(engine) as session:
        inside = set(
            session.scalars(
                select(ConsignmentRow.id).where(ConsignmentRow.eta >= start, ConsignmentRow.eta < end)
            )
        )
        # one minute before the Baku midnight is the previous Baku day
        before = set(
            session.scalars(
                select(ConsignmentRow.id).where(ConsignmentRow.eta < start - timedelta(minutes=1))
            )
        )
    assert world.unassessed in inside and world.astara in inside
    assert world.previous in before and world.unassessed not in before
