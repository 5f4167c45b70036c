"""Copy the workbench's browser assets from node_modules (installed by `npm ci`) into the package.

The workbench never loads JavaScript or CSS from a CDN: customs networks are often offline. The npm
registry is the source at install time; this script copies the few dist files the templates use into
src/corridor/web/static/vendor/ (git-ignored) and fails loudly when `npm ci` has not been run.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "corridor" / "web" / "static" / "vendor"

# (source under node_modules, destination under vendor/)
FILES = [
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images/marker-icon.png", "leaflet/images/marker-icon.png"),
    ("leaflet/dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"),
    ("leaflet/dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"),
    ("leaflet/dist/images/layers.png", "leaflet/images/layers.png"),
    ("leaflet/dist/images/layers-2x.png", "leaflet/images/layers-2x.png"),
]
LICENSES = [("htmx.org/LICENSE", "htmx.LICENSE"), ("leaflet/LICENSE", "leaflet/LICENSE")]


def main() -> int:
    missing = [src for src, _ in FILES if not (MODULES / src).is_file()]
    if missing:
        print(
            f"missing {', '.join(missing)} under {MODULES}: run `npm ci` at the repository root first",
            file=sys.stderr,
        )
        return 1
    for src, dst in FILES + LICENSES:
        source = MODULES / src
        if not source.is_file():
            continue
        target = VENDOR / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    print(f"copied {len(FILES)} web asset files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
