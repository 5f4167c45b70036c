#!/usr/bin/env bash
# Regenerate requirements.lock from pyproject.toml: exact pins with hashes of every runtime and `dev`
# dependency, for CPython 3.11 on Linux x86_64 (the machines Corridor is tested and deployed on).
# Run it after any change to [project].dependencies or the `dev` extra: `make lock` or scripts/lock.sh.
# Upgrading everything to the newest allowed releases: scripts/lock.sh --upgrade
set -euo pipefail
cd "$(dirname "$0")/.."

UV="${UV:-}"
if [[ -z "$UV" ]]; then
  if [[ -x .venv/bin/uv ]]; then UV=.venv/bin/uv
  elif command -v uv >/dev/null 2>&1; then UV=uv
  else
    echo "scripts/lock.sh: uv not found: run 'make install' (uv is a dev dependency) or 'pip install uv'" >&2
    exit 2
  fi
fi

# PyPI only: the lock must not depend on wheels that lie on one machine's disk.
"$UV" pip compile pyproject.toml \
  --extra dev \
  --python-version 3.11 \
  --python-platform x86_64-unknown-linux-gnu \
  --index-url https://pypi.org/simple \
  --no-config \
  --generate-hashes \
  --custom-compile-command "scripts/lock.sh" \
  --output-file requirements.lock \
  --quiet \
  "$@"
echo "requirements.lock: $(grep -c '^[a-zA-Z0-9]' requirements.lock) packages pinned" >&2
