"""A targeting officer's day in a real headless Chromium against a real server on 127.0.0.1.

Log in (after a refused wrong password), see the queue, open the riskiest consignment, read its reasons,
select it for X-ray, record a seizure with a photo, see it on the dashboard and the map, switch to
Russian; an officer of another office cannot see it; an expired session and a forged form are refused;
the administrator finds every step in the audit log. Screenshots go to test-artifacts/e2e/.

The tests of this module share one server and run in order (the audit test reads what the officer
did); `make test` keeps a module on one worker with `--dist loadfile`.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright
from sqlalchemy import Engine, update

from corridor.accounts.models import SessionRow
from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade
from corridor.risk.service import ensure_starter
from tests.e2e.seed import PASSWORDS, Alerts, World, seed, seed_alerts, seed_watchlist

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG (a red-brown gradient) standing in for a seizure photo."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((180, 60 + (x * 2) % 120, 40)) for x in range(width)) for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.engine: Engine = make_engine(f"sqlite:///{data_dir / 'corridor.sqlite3'}")
        upgrade(self.engine)
        self.world: World = seed(self.engine)
        self.alerts: Alerts = seed_alerts(self.engine)  # partner alerts and maritime events
        seed_watchlist(self.engine, data_dir)  # a national list; consignments screened
        ensure_starter(self.engine)  # the risk engine's starter profiles, for the profile pages
        env = {
            "CORRIDOR_DATA_DIR": str(data_dir),
            "PATH": "/usr/bin:/bin",
            "CORRIDOR_SESSION_IDLE_MINUTES": "30",
        }
        self.log = (data_dir / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, (data_dir / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start in 30 s"
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        self.engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (ROOT / "src/corridor/web/static/vendor/htmx.min.js").is_file():
        pytest.fail("web assets missing: run `make install` (npm ci + scripts/build_web_assets.py)")
    srv = Server(tmp_path_factory.mktemp("e2e-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


def _browser(pw: Playwright, tmp: Path, locale: str = "en-GB") -> BrowserContext:
    return pw.chromium.launch_persistent_context(
        str(tmp),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1366, "height": 768},
        locale=locale,
    )


def _shot(page: Page, name: str, full: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def _login(page: Page, base: str, username: str, password: str | None = None) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()


def test_a_day_of_targeting(server: Server, playwright: Playwright, tmp_path: Path) -> None:
    world, base = server.world, server.base
    context = _browser(playwright, tmp_path / "officer")
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # A wrong password is refused
    _login(page, base, "officer", "not-my-password")
    expect(page.get_by_role("alert")).to_contain_text("wrong username or password")
    _shot(page, "01-login-refused")

    # Log in and see the queue, riskiest first
    _login(page, base, "officer")
    expect(page).to_have_url(f"{base}/queue")
    expect(page.get_by_role("heading", name="Pre-arrival queue")).to_be_visible()
    first = page.locator("#queue-rows tbody tr").first
    expect(first).to_contain_text("AKT-RISK-001")
    expect(first).to_contain_text("Declared value far below the HS unit value")
    expect(page.locator("#queue-rows")).not_to_contain_text("CMR-AST-005")
    expect(page.get_by_text("0 of 25 inspections selected today")).to_be_visible()
    _shot(page, "02-queue")

    # htmx filter: only red lanes, without reloading the page
    page.get_by_label("Lane").select_option("red")
    expect(page.locator("#queue-rows")).not_to_contain_text("AKT-GREEN-003")
    page.get_by_label("Lane").select_option("")
    expect(page.locator("#queue-rows")).to_contain_text("AKT-GREEN-003")

    # Open the riskiest consignment and read its reasons
    page.get_by_role("link", name="BL AKT-RISK-001").click()
    expect(page.get_by_role("heading", name="Why this score")).to_be_visible()
    for reason in (
        "Declared value far below the HS unit value",
        "Consignor first seen 6 days ago",
        "Consignee name matches watch list entry 114",
    ):
        expect(page.get_by_text(reason)).to_be_visible()
    expect(page.get_by_text("AKT-OLD-000")).to_be_visible()  # history of the same consignor
    # the route line and its two ends, drawn over the offline base map
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(3)
    _shot(page, "03-consignment")

    # Select it for X-ray
    page.get_by_label("Select for inspection").check()
    page.get_by_label("Inspection method").select_option("xray")
    expect(page.locator("#decide-check")).to_contain_text("Ready to record.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status").filter(has_text="Decision recorded.")).to_be_visible()

    # Record the inspection result: a seizure, with its form and a photo
    page.get_by_role("link", name="Record inspection result").click()
    page.get_by_label("Seizure").check()
    page.get_by_label("Notes").fill("False floor in the container, 24 packages")
    _shot(page, "04-inspection")
    page.get_by_role("button", name="Record result").click()
    expect(page.get_by_role("heading", name="Seizure: BL AKT-RISK-001")).to_be_visible()
    page.get_by_label("Commodity category").select_option("narcotics")
    page.get_by_label("What exactly").fill("Heroin in 24 vacuum packs")
    page.get_by_label("Quantity").fill("12.4")
    page.get_by_label("Unit").select_option("kg")
    page.get_by_label("Concealment").select_option("false_compartment")
    photo = tmp_path / "seizure.png"
    photo.write_bytes(_png())
    page.get_by_label("Photos").set_input_files(str(photo))
    _shot(page, "05-seizure-form")
    page.get_by_role("button", name="Record seizure").click()
    expect(page.get_by_role("status").filter(has_text="Seizure recorded.")).to_be_visible()
    expect(page.get_by_role("link", name="photo 1")).to_be_visible()
    _shot(page, "06-consignment-after-seizure")

    # The capacity bar counts it; the dashboard and the map show it
    page.goto(f"{base}/queue")
    expect(page.get_by_text("1 of 25 inspections selected today")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#h-recent").locator("..")).to_contain_text("AKT-RISK-001")
    expect(page.locator("#h-rates").locator("..")).to_contain_text(
        "Declared value far below the HS unit value"
    )
    expect(page.locator("#h-seiz").locator("..")).to_contain_text("Narcotics")
    _shot(page, "07-dashboard")
    page.get_by_role("link", name="Map").click()
    expect(page.locator("#overview path.leaflet-interactive").first).to_be_attached()
    page.wait_for_timeout(300)
    _shot(page, "08-map")

    # A forged form (wrong CSRF token) is refused and changes nothing
    page.goto(f"{base}/consignment/{world.medium}")
    page.locator("#decide-form input[name=csrf_token]").evaluate("e => e.value = 'forged-token'")
    page.get_by_label("Release").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", name="Cannot show this (403)")).to_be_visible()
    _shot(page, "09-forged-form-refused")

    # Russian, switched by the officer and kept for the next log-in
    page.goto(f"{base}/queue")
    page.get_by_label("Language").select_option("ru")
    expect(page.get_by_role("heading", name="Очередь предварительной информации")).to_be_visible()
    _shot(page, "10-queue-ru")
    page.goto(f"{base}/consignment/{world.riskiest}")
    expect(page.get_by_role("heading", name="Почему такой балл")).to_be_visible()
    _shot(page, "11-consignment-ru")

    # An expired session is refused: back to the log-in page with a notice
    with server.engine.begin() as conn:
        conn.execute(update(SessionRow).values(last_seen_at=datetime.now(UTC) - timedelta(hours=2)))
    page.goto(f"{base}/queue")
    expect(page).to_have_url(f"{base}/login?next=/queue&expired=1")
    expect(page.get_by_role("status")).to_contain_text("Сеанс истёк")
    _shot(page, "12-session-expired")
    assert errors == [], errors
    assert outside == [], f"requests left the server: {outside}"
    context.close()


def test_another_office_cannot_see_it_and_the_audit_log_has_everything(
    server: Server, playwright: Playwright, tmp_path: Path
) -> None:
    world, base = server.world, server.base
    context = _browser(playwright, tmp_path / "astara")
    page = context.new_page()
    _login(page, base, "astara")
    expect(page.locator("#queue-rows")).to_contain_text("CMR-AST-005")
    expect(page.locator("#queue-rows")).not_to_contain_text("AKT-RISK-001")
    response = page.goto(f"{base}/consignment/{world.riskiest}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("not in your offices")
    _shot(page, "13-other-office-404")
    context.close()

    context = _browser(playwright, tmp_path / "admin")
    page = context.new_page()
    _login(page, base, "admin")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("User", exact=True).fill("officer")
    page.get_by_role("button", name="Filter").click()
    table = page.locator("table")
    for action in ("consignment.view", "decision.select", "inspection.seizure", "seizure.record", "login"):
        expect(table).to_contain_text(action)
    _shot(page, "14-audit-officer")
    page.goto(f"{base}/audit?outcome=refused")
    expect(page.locator("table")).to_contain_text("astara")
    _shot(page, "15-audit-refused")
    page.get_by_role("link", name="Users").click()
    expect(page.locator("table").first).to_contain_text("officer.ru")
    _shot(page, "16-users")
    context.close()


def test_analyst_edits_a_profile_with_live_validation(
    server: Server, playwright: Playwright, tmp_path: Path
) -> None:
    context = _browser(playwright, tmp_path / "analyst")
    page = context.new_page()
    _login(page, server.base, "analyst")
    page.get_by_role("link", name="Profiles").click()
    expect(page.locator("table")).to_contain_text("DRG-001")
    _shot(page, "17-profiles")
    page.get_by_role("link", name="DRG-001").click()
    page.get_by_role("link", name="Edit").click()
    editor = page.get_by_label("Profile (YAML, see the profile language reference)")
    expect(page.locator("#profile-check")).to_contain_text("Valid: DRG-001")
    editor.press("Control+Home")
    editor.type("bogus: 1\n")
    expect(page.locator("#profile-check")).to_contain_text("bogus")
    _shot(page, "18-profile-invalid")
    context.close()


def _switch(page: Page, locale: str) -> None:
    with page.expect_navigation():
        page.select_option("#locale-switch", locale)


def test_liaison_closes_a_received_alert(server: Server, playwright: Playwright, tmp_path: Path) -> None:
    context = _browser(playwright, tmp_path / "liaison")
    page = context.new_page()
    _login(page, server.base, "liaison")
    page.get_by_role("link", name="Alerts").click()
    card = page.locator(f"#exchange-{server.alerts.container_alert}")
    expect(card).to_contain_text("Same container carried undeclared cigarettes")
    expect(card).to_contain_text("AKT-RISK-001")  # matched on the container, in the liaison's office
    expect(page.locator(f"#maritime-{server.alerts.gap_event}")).to_contain_text("61.2 km")
    _shot(page, "19-alerts", full=False)
    for locale in ("ru", "az"):
        _switch(page, locale)
        _shot(page, f"19-alerts-{locale}", full=False)
    _switch(page, "en")
    card = page.locator(f"#exchange-{server.alerts.container_alert}")
    card.get_by_label("Note (required)").fill("Container X-rayed at Alat on arrival: nothing found")
    card.get_by_role("button", name="Close alert").click()
    expect(page.locator(".flash-ok")).to_contain_text("Alert closed")
    expect(page.locator(f"#exchange-{server.alerts.container_alert}")).to_have_count(0)
    page.goto(f"{server.base}/alerts?status=closed")
    expect(page.locator(f"#exchange-{server.alerts.container_alert}")).to_contain_text("nothing found")
    context.close()


def test_analyst_screens_a_name_on_the_watch_lists(
    server: Server, playwright: Playwright, tmp_path: Path
) -> None:
    context = _browser(playwright, tmp_path / "analyst-wl")
    page = context.new_page()
    _login(page, server.base, "analyst")
    page.get_by_role("link", name="Watch lists").click()
    expect(page.locator("#h-lists").locator("..")).to_contain_text("az-national")
    page.get_by_label("Name", exact=True).fill("Baku Motors")
    page.get_by_role("button", name="Screen", exact=True).click()
    expect(page.locator("#screen-results")).to_contain_text("AZ-114")
    page.locator("#screen-results details").first.click()
    _shot(page, "20-watchlists", full=False)
    for locale in ("ru", "az"):
        _switch(page, locale)
        _shot(page, f"20-watchlists-{locale}", full=False)
    _switch(page, "en")
    context.close()
