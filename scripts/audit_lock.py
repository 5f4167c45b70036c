"""Audit requirements.lock against PyPI's vulnerability advisories; exit 1 on a finding or a gap.

Where PyPI's per-release JSON API answers (https://pypi.org/pypi/NAME/VERSION/json), this runs pip-audit
itself in strict mode, which checks every pin and fails when it cannot. Some networks (this project's
build machines among them) reach only PyPI's per-project API, which lists the advisories of a project's
*latest* release. There a pin equal to the latest release is audited exactly from that list; an older pin
cannot be audited at all: it is reported as NOT AUDITED and fails the run only with --strict (`make
audit-strict`, for a release), unless it is named in --unauditable with a reason in the Makefile (a
release held back on purpose, e.g. because newer ones need a newer Python). A known vulnerability always
fails. Nothing is ever skipped silently: every pin is reported as audited, vulnerable, ignored or not
audited.

    python scripts/audit_lock.py requirements.lock [--ignore-vuln ID ...] [--unauditable NAME ...]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PYPI = "https://pypi.org/pypi"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)
TIMEOUT = 30.0


@dataclass
class Finding:
    name: str
    version: str
    advisory: str
    aliases: list[str]
    fixed_in: list[str]


@dataclass
class Report:
    audited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ignored: list[Finding] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    accepted_unaudited: list[str] = field(default_factory=list)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lock: Path) -> list[tuple[str, str]]:
    pins = [(canonical(n), v) for n, v in PIN.findall(lock.read_text(encoding="utf-8"))]
    if not pins:
        raise SystemExit(f"{lock}: no `name==version` pins found; regenerate it with scripts/lock.sh")
    return pins


def fetch_json(url: str) -> dict[str, Any] | None:
    """The document, or None on 404; any other failure is fatal (the audit must not pass unchecked)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            data: dict[str, Any] = json.load(response)
            return data
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise SystemExit(
            f"audit: {url} answered HTTP {error.code}; the vulnerability data is unavailable"
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SystemExit(
            f"audit: cannot reach {url} ({error}); the vulnerability data is unavailable"
        ) from error


def per_release_api_works(name: str, version: str) -> bool:
    return fetch_json(f"{PYPI}/{name}/{version}/json") is not None


def run_pip_audit(lock: Path, ignores: list[str]) -> int:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "-r",
        str(lock),
        "--require-hashes",
        "--disable-pip",
        "--strict",
        "--vulnerability-service",
        "pypi",
        "--progress-spinner",
        "off",
    ]
    for advisory in ignores:
        command += ["--ignore-vuln", advisory]
    print("audit: " + " ".join(command[2:]), file=sys.stderr)
    return subprocess.call(command)


def audit_latest(pins: list[tuple[str, str]], ignores: set[str], unauditable: set[str]) -> Report:
    report = Report()
    # A handful of parallel requests: one per pin, about a hundred in all.
    with ThreadPoolExecutor(max_workers=8) as pool:
        projects = list(pool.map(lambda pin: fetch_json(f"{PYPI}/{pin[0]}/json"), pins))
    for (name, version), project in zip(pins, projects, strict=True):
        if project is None:
            raise SystemExit(f"audit: {name} is not on PyPI ({PYPI}/{name}/json is 404); is the lock right?")
        latest = str(project["info"]["version"])
        if latest != version:
            label = f"{name}=={version} (latest {latest})"
            (report.accepted_unaudited if name in unauditable else report.unaudited).append(label)
            continue
        report.audited.append(f"{name}=={version}")
        for vuln in project.get("vulnerabilities") or []:
            if vuln.get("withdrawn"):
                continue
            finding = Finding(
                name,
                version,
                str(vuln["id"]),
                list(vuln.get("aliases") or []),
                list(vuln.get("fixed_in") or []),
            )
            ids = {finding.advisory, *finding.aliases}
            (report.ignored if ids & ignores else report.findings).append(finding)
    return report


def print_report(report: Report) -> None:
    out = sys.stderr
    print(f"audit: {len(report.audited)} pins audited against PyPI's advisories", file=out)
    for f in report.ignored:
        print(
            f"  IGNORED (see Makefile AUDIT_IGNORE): {f.name}=={f.version} {f.advisory} {f.aliases}", file=out
        )
    for label in report.accepted_unaudited:
        print(f"  NOT AUDITED (held back on purpose, see Makefile AUDIT_UNAUDITABLE): {label}", file=out)
    for f in report.findings:
        fix = ", ".join(f.fixed_in) or "no fixed release"
        print(f"  VULNERABLE: {f.name}=={f.version} {f.advisory} {f.aliases}; fixed in: {fix}", file=out)
    for label in report.unaudited:
        print(
            f"  NOT AUDITED: {label}: advisories of an older release cannot be read from this network; "
            f"re-lock it (scripts/lock.sh --upgrade-package NAME) or run the audit where pip-audit works",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path)
    parser.add_argument(
        "--ignore-vuln", action="append", default=[], help="advisory id to accept (justify it)"
    )
    parser.add_argument(
        "--unauditable", action="append", default=[], help="package whose older pin is accepted"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also fail when a pin cannot be audited (an upstream release newer than the lock appeared)",
    )
    args = parser.parse_args(argv)
    pins = read_pins(args.lock)
    if per_release_api_works(*pins[0]):
        return run_pip_audit(args.lock, args.ignore_vuln)
    print(
        f"audit: PyPI's per-release API ({PYPI}/NAME/VERSION/json) is unreachable from here; "
        "auditing each pin against the advisories of PyPI's latest release instead",
        file=sys.stderr,
    )
    report = audit_latest(pins, set(args.ignore_vuln), {canonical(n) for n in args.unauditable})
    print_report(report)
    # A pin that PyPI has since superseded cannot be audited from here; that happens whenever any of
    # the ~120 locked projects publishes a release, so it fails only a --strict (release) audit, and
    # is reported loudly otherwise. A known vulnerability always fails.
    if report.findings or (args.strict and report.unaudited):
        print("audit: FAILED", file=sys.stderr)
        return 1
    if report.unaudited:
        print(
            f"audit: WARNING: {len(report.unaudited)} pin(s) not audited (newer releases exist); "
            "no known vulnerabilities in the audited pins",
            file=sys.stderr,
        )
        return 0
    print("audit: no known vulnerabilities in the audited pins", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
