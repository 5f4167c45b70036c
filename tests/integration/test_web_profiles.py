"""Profile pages on the risk engine's service: list, view, live validation, test, save, permissions."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.accounts.models import AuditRow
from corridor.api.app import create_app
from corridor.risk.service import ensure_starter, profile_detail
from tests.e2e.seed import login, seed


def test_analyst_views_validates_tests_and_saves_a_profile(engine: Engine) -> None:
    seed(engine)
    ensure_starter(engine)
    client = TestClient(create_app(engine))
    csrf = login(client, "analyst")
    listing = client.get("/profiles")
    assert listing.status_code == 200 and "DRG-001" in listing.text
    assert client.get("/profiles/DRG-001").status_code == 200
    edit = client.get("/profiles/DRG-001/edit")
    text = html.unescape(
        re.search(r'<textarea id="profile-text"[^>]*>(.*?)</textarea>', edit.text, re.S).group(1)
    )
    ok = client.post("/profiles/validate", data={"text": text}, headers={"X-CSRF-Token": csrf})
    assert "Valid: DRG-001" in ok.text
    bad = client.post(
        "/profiles/validate",
        data={"text": text.replace("weight:", "wieght:")},
        headers={"X-CSRF-Token": csrf},
    )
    assert "did you mean" in bad.text and re.search(r"line \d+", bad.text)
    tested = client.post("/profiles/test", data={"text": text, "days": 30}, headers={"X-CSRF-Token": csrf})
    assert tested.status_code == 200 and "no stored consignments with outcomes" in tested.text
    refused = client.post("/profiles/DRG-001/edit", data={"text": "id: [", "csrf_token": csrf})
    assert refused.status_code == 422
    changed = re.sub(r"(?m)^weight: .*$", "weight: 0.6", text)
    saved = client.post(
        "/profiles/DRG-001/edit", data={"text": changed, "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    with Session(engine) as session:
        detail = profile_detail(session, "DRG-001")
        assert detail["document"]["weight"] == 0.6 and detail["versions"][-1]["author"] == "analyst"
        assert (
            session.scalars(select(AuditRow).where(AuditRow.action == "profile.save")).one().object_id
            == "DRG-001"
        )

    officer = TestClient(client.app)
    officer_csrf = login(officer, "officer")
    assert officer.get("/profiles").status_code == 200
    assert officer.get("/profiles/DRG-001/edit").status_code == 403
    assert (
        officer.post(
            "/profiles/validate", data={"text": text}, headers={"X-CSRF-Token": officer_csrf}
        ).status_code
        == 403
    )
