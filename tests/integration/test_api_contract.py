"""The API keeps the contract it publishes: schemathesis against the OpenAPI of a real server.

A real `corridor serve` on 127.0.0.1 (a free port; SQLite seeded with the small workbench world:
consignments in two offices, assessments, partner alerts, maritime events, a watch list, the starter
profiles) is called for every operation of its /openapi.json, authenticated with an API token of each
role in turn. Every answer must be no server error, carry a status the document lists for the
operation, and match the documented response schema (errors included: {"error": {...}}).

Bounded and repeatable: hypothesis derandomized, a few examples per operation and role, no shrinking.
The numbers of operations and cases are printed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.accounts.models import UserRow
from corridor.accounts.service import issue_api_token
from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade
from corridor.risk.service import ensure_starter
from tests.e2e.seed import seed, seed_alerts, seed_watchlist

ROOT = Path(__file__).resolve().parents[2]
ROLES = {
    "targeting_officer": "officer",
    "risk_analyst": "analyst",
    "liaison_officer": "liaison",
    "supervisor": "supervisor",
    "administrator": "admin",
}
EXAMPLES = 3  # valid requests per operation and role
INVALID_EXAMPLES = 2  # invalid requests per operation, sent as the administrator (who passes every guard)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@dataclass
class Server:
    base: str
    tokens: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("contract")
    engine = make_engine(f"sqlite:///{data / 'corridor.sqlite3'}")
    upgrade(engine)
    seed(engine)
    seed_alerts(engine)
    seed_watchlist(engine, data)
    ensure_starter(engine)
    with Session(engine, expire_on_commit=False) as session:
        tokens = {
            role: issue_api_token(
                session, session.scalars(select(UserRow).where(UserRow.username == name)).one(), "contract"
            )
            for role, name in ROLES.items()
        }
    engine.dispose()
    port = _free_port()
    env = {
        "CORRIDOR_DATA_DIR": str(data),
        "CORRIDOR_EXCHANGE_DELIVER": "false",
        "PATH": "/usr/bin:/bin",
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
    }
    log = data / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):  # polls while the server imports and migrates; ends when it answers
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
            yield Server(base, tokens, log)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@dataclass
class Tally:
    cases: int = 0
    failures: list[str] | None = None


def _exercise(
    operation: Any, base: str, headers: dict[str, str], tally: Tally, mode: GenerationMode, examples: int
) -> str | None:
    """Run the bounded property test of one operation; the first failure's text, or None."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure as found
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        tally.cases += 1
        case.call_and_validate(base_url=base, headers=headers, checks=CHECKS, timeout=60)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing invalid can be sent (no parameters, or any string is valid)
    except (Exception, BaseExceptionGroup) as failure:  # a check failed (several: a FailureGroup)
        return f"{operation.label} ({mode.value}): {type(failure).__name__}: {str(failure)[:1500]}"
    return None


def test_every_operation_keeps_its_contract_for_every_role(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    document = httpx.get(f"{server.base}/openapi.json").json()
    undocumented = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation["responses"].get("4XX", {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/Error"}
    ]
    assert not undocumented, f"operations without the error body: {undocumented}"
    schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 90, "the document lists the whole API"
    tally = Tally()
    failures: list[str] = []
    # Invalid requests where there is something to get wrong: a body, or query parameters.
    with_input = [op for op in operations if len(op.body) or len(op.query)]
    runs = [(role, GenerationMode.POSITIVE, EXAMPLES, operations) for role in server.tokens]
    runs.append(("administrator", GenerationMode.NEGATIVE, INVALID_EXAMPLES, with_input))
    for role, mode, examples, chosen in runs:
        headers = {"Authorization": f"Bearer {server.tokens[role]}"}
        for operation in chosen:
            failed = _exercise(operation, server.base, headers, tally, mode, examples)
            if failed is not None:
                failures.append(f"[{role}] {failed}")
    with capsys.disabled():
        sys.stdout.write(
            f"\nAPI contract: {len(operations)} operations × {len(server.tokens)} roles (valid requests)"
            f" + invalid requests to {len(with_input)} as the administrator: {tally.cases} cases,"
            f" {len(failures)} failing operation runs\n"
        )
    assert not failures, "\n\n".join(failures) + f"\n(server log: {server.log})"
