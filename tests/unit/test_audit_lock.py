"""scripts/audit_lock.py: every pin ends up audited, vulnerable, ignored or not audited; never skipped."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_lock.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_lock", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_lock"] = module
    spec.loader.exec_module(module)
    return module


audit = load()

PYPI: dict[str, dict[str, Any]] = {
    "fastapi": {"info": {"version": "1.0.0"}, "vulnerabilities": []},
    "jinja2": {
        "info": {"version": "3.1.6"},
        "vulnerabilities": [
            {"id": "PYSEC-1", "aliases": ["CVE-2099-1"], "fixed_in": []},
            {"id": "GHSA-old", "aliases": [], "fixed_in": ["3.1.5"], "withdrawn": "2025-01-01"},
        ],
    },
    "numpy": {"info": {"version": "2.5.5"}, "vulnerabilities": []},
}


@pytest.fixture(autouse=True)
def fake_pypi(monkeypatch: pytest.MonkeyPatch) -> None:
    def fetch(url: str) -> dict[str, Any] | None:
        parts = url.removeprefix(audit.PYPI + "/").split("/")
        if len(parts) == 3:  # the per-release API, unreachable like on the build machines
            return None
        return PYPI.get(parts[0])

    monkeypatch.setattr(audit, "fetch_json", fetch)


def write_lock(tmp_path: Path, pins: list[str]) -> Path:
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# made by scripts/lock.sh\n"
        + "".join(f"{pin} \\\n    --hash=sha256:{'0' * 64}\n    # via corridor\n" for pin in pins),
        encoding="utf-8",
    )
    return lock


def test_latest_pins_are_audited_and_a_live_advisory_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = write_lock(tmp_path, ["fastapi==1.0.0", "Jinja2==3.1.6"])
    assert audit.main([str(lock)]) == 1
    err = capsys.readouterr().err
    assert "2 pins audited" in err and "VULNERABLE: jinja2==3.1.6 PYSEC-1" in err and "GHSA-old" not in err


def test_an_ignored_advisory_passes_by_its_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = write_lock(tmp_path, ["fastapi==1.0.0", "jinja2==3.1.6"])
    assert audit.main([str(lock), "--ignore-vuln", "CVE-2099-1"]) == 0
    assert "IGNORED" in capsys.readouterr().err


def test_an_older_pin_is_reported_and_fails_a_strict_audit_unless_declared_unauditable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = write_lock(tmp_path, ["fastapi==1.0.0", "numpy==2.4.6"])
    assert audit.main([str(lock), "--strict"]) == 1
    assert "NOT AUDITED: numpy==2.4.6 (latest 2.5.5)" in capsys.readouterr().err
    # Without --strict (make test): a superseded pin is a loud warning, not a failure.
    assert audit.main([str(lock)]) == 0
    err = capsys.readouterr().err
    assert "NOT AUDITED: numpy==2.4.6" in err and "WARNING: 1 pin(s) not audited" in err
    assert audit.main([str(lock), "--strict", "--unauditable", "numpy"]) == 0
    assert "NOT AUDITED (held back on purpose" in capsys.readouterr().err


def test_a_package_unknown_to_pypi_stops_the_audit(tmp_path: Path) -> None:
    lock = write_lock(tmp_path, ["fastapi==1.0.0", "not-on-pypi==1.0"])
    with pytest.raises(SystemExit, match="not-on-pypi is not on PyPI"):
        audit.main([str(lock)])
