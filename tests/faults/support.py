"""What the fault tests share: an API token, consignments with known references, a retrying client,
and the check that every accepted record is stored exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token
from corridor.consignments.models import ConsignmentRow, ConsignmentVersionRow
from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade

BATCH = 5


def admin_token(database_url: str) -> str:
    """Migrate the database and issue an administrator's API token (all offices) for the client."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            ensure_agency(session, "FAULTS", "Fault-injection customs")
            user = create_user(
                session, NewUser("faults-admin", "faults-admin-password", "administrator", "FAULTS")
            )
            token = issue_api_token(session, user, "faults")
            session.commit()
        return token
    finally:
        engine.dispose()


def document(number: str) -> dict[str, Any]:
    return {
        "document_type": "CMR",
        "document_number": number,
        "mode": "road",
        "office": "AZ-ASTARA-BP",
        "eta": "2026-11-25T09:00:00+04:00",
        "place_of_loading": {"locode": "IRTBZ"},
        "place_of_discharge": {"locode": "AZAST"},
        "parties": [
            {"role": "consignor", "name": "Tabriz Fresh Fruit Co.", "country": "IR"},
            {"role": "consignee", "name": "Astara Meyve MMC", "country": "AZ"},
        ],
        "goods": [{"sequence": 1, "hs_code": "080810", "description": "fresh apples", "gross_kg": 19500}],
    }


def batch_numbers(prefix: str, index: int, size: int = BATCH) -> list[str]:
    return [f"{prefix}-{index:04d}-{j}" for j in range(size)]


@dataclass
class Outcome:
    """What the client saw: the final report of each batch and every failed attempt's status."""

    reports: dict[int, dict[str, Any]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    bad_bodies: list[str] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.reports)


class RetryingIngestor:
    """Sends batch after batch, re-sending a batch on 5xx or a cut connection until it is accepted.

    Re-sending is safe because ingest is idempotent by document reference: a batch stored before the
    answer was lost comes back as duplicates, not as new rows.
    """

    def __init__(self, url: str, token: str, prefix: str, batches: int, *, pause: float = 0.0) -> None:
        self.url = url
        self.token = token
        self.prefix = prefix
        self.batches = batches
        self.pause = pause
        self.outcome = Outcome()
        self._thread = threading.Thread(target=self._run, name=f"ingest-{prefix}", daemon=True)

    def start(self) -> RetryingIngestor:
        self._thread.start()
        return self

    def join(self, timeout: float) -> Outcome:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the client did not finish within {timeout} s"
        return self.outcome

    def send(self, client: httpx.Client, index: int, *, give_up_after: float = 60.0) -> bool:
        docs = [document(n) for n in batch_numbers(self.prefix, index)]
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            try:
                response = client.post("/consignments", json={"consignments": docs})
            except httpx.TransportError as error:
                self.outcome.statuses[type(error).__name__] += 1
                time.sleep(0.2)
                continue
            if response.status_code == 200:
                self.outcome.reports[index] = response.json()
                return True
            self.outcome.statuses[str(response.status_code)] += 1
            if response.status_code != 503 or not unavailable_body(response):
                self.outcome.bad_bodies.append(f"{response.status_code} {response.text[:300]}")
            if response.status_code < 500:
                break
            time.sleep(0.2)
        self.outcome.gave_up.append(index)
        return False

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, headers=auth(self.token), timeout=30) as client:
            for index in range(self.batches):
                self.send(client, index)
                if self.pause:
                    time.sleep(self.pause)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def unavailable_body(response: httpx.Response) -> bool:
    """The promised 503: a JSON error body with the stable code and a Retry-After, no traceback."""
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        response.status_code == 503
        and body.get("error", {}).get("code") == "database_unavailable"
        and response.headers.get("retry-after", "").isdigit()
        and "Traceback" not in response.text
    )


@dataclass
class Tally:
    sent: int
    accepted: int
    present: int
    lost: list[str]
    duplicated: list[str]

    def line(self, test: str, faults: int) -> str:
        return (
            f"{test}: faults injected {faults}, records sent {self.sent}, accepted {self.accepted}, "
            f"present {self.present}, lost {len(self.lost)}, duplicated {len(self.duplicated)}"
        )


def stored_numbers(engine: Engine, prefix: str) -> set[str]:
    with Session(engine) as session:
        return set(
            session.scalars(
                select(ConsignmentRow.document_number).where(
                    ConsignmentRow.document_number.like(f"{prefix}-%")
                )
            )
        )


def unassessed(engine: Engine, prefix: str) -> int:
    """Stored consignments of the prefix that the risk engine never scored (their queue lane is unknown)."""
    from corridor.risk.models import AssessmentRow

    with Session(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ConsignmentRow)
                .where(ConsignmentRow.document_number.like(f"{prefix}-%"))
                .where(
                    ~select(AssessmentRow.id)
                    .where(AssessmentRow.consignment_id == ConsignmentRow.id)
                    .exists()
                )
            )
            or 0
        )


def tally(engine: Engine, prefix: str, accepted: list[int], sent: int, size: int = BATCH) -> Tally:
    """Every consignment of an accepted batch is stored once, with one version (no re-applied copy)."""
    expected = [n for i in accepted for n in batch_numbers(prefix, i, size)]
    with Session(engine) as session:
        rows = session.execute(
            select(ConsignmentRow.document_number, func.count(ConsignmentVersionRow.id))
            .join(ConsignmentVersionRow, ConsignmentVersionRow.consignment_id == ConsignmentRow.id)
            .where(ConsignmentRow.document_number.like(f"{prefix}-%"))
            .group_by(ConsignmentRow.id, ConsignmentRow.document_number)
        ).all()
    stored: dict[str, int] = dict(rows)
    numbers = Counter(number for number, _ in rows)
    lost = [n for n in expected if n not in stored]
    duplicated = sorted({n for n, c in numbers.items() if c > 1} | {n for n, v in stored.items() if v > 1})
    return Tally(sent=sent, accepted=len(expected), present=len(stored), lost=lost, duplicated=duplicated)


def assert_each_accepted_once(outcome: Outcome, result: Tally, not_scored: int, sent: int) -> None:
    """After a fault: every batch accepted in the end, only clean 503s on the way, each consignment
    stored once and assessed, and each batch's report adding up (new + duplicates = its size)."""
    assert outcome.gave_up == [], f"batches never accepted: {outcome.gave_up}"
    assert outcome.bad_bodies == [], f"failures other than a clean 503: {outcome.bad_bodies[:5]}"
    assert set(outcome.statuses) <= {"503"}, outcome.statuses
    assert sum(outcome.statuses.values()) > 0, "no request met the fault: it did not bite"
    assert result.lost == [] and result.duplicated == []
    assert result.present == result.accepted == sent
    assert not_scored == 0, f"{not_scored} consignments stored but never assessed"
    for index, report in outcome.reports.items():
        assert report["accepted"] + report["duplicates"] == BATCH, (index, report)
