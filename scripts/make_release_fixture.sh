#!/usr/bin/env bash
# Build tests/fixtures/release-<version>/ from a release tag: the databases exactly as that release left
# them, which tests/integration/test_release_upgrade.py upgrades to today's heads.
#
#   scripts/make_release_fixture.sh v0.1.0 [COUNT]
#
# The tag's code runs from a scratch git worktree (`corridor demo setup --count COUNT`, default 200) once
# on SQLite and once on a fresh PostgreSQL database; the fixture keeps
#   corridor.sqlite3.gz   the SQLite file (VACUUMed)        postgresql.sql.gz  plain `pg_dump` of the other
#   data-dir.tar.gz       the data directory's files (model files; not the DB, not the demo input)
#   manifest.json         tag, commit, revisions and row count of every table, per database
# RELEASE_PYTHON: an interpreter whose packages suit the tag (default .venv/bin/python; for an old tag,
# a venv installed from that tag's requirements.lock). CORRIDOR_TEST_PG_URL: the PostgreSQL server.
set -euo pipefail

TAG="${1:?usage: scripts/make_release_fixture.sh TAG [COUNT]}"
COUNT="${2:-200}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${RELEASE_PYTHON:-$ROOT/.venv/bin/python}"
VERSION="${TAG#v}"
OUT="$ROOT/tests/fixtures/release-$VERSION"
PG_URL="${CORRIDOR_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
PG_ADMIN="${PG_URL/+psycopg/}"
PG_DB="corridor_release_fixture_$$"
PG_RELEASE="${PG_URL%/*}/$PG_DB"
COMMIT="$(git -C "$ROOT" rev-parse --verify "$TAG^{commit}")"
WORK="$(mktemp -d /tmp/corridor-release-XXXXXX)"
TREE="$WORK/tree"

cleanup() {
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  git -C "$ROOT" worktree remove --force "$TREE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

git -C "$ROOT" worktree add --quiet --detach "$TREE" "$COMMIT"
# The demo screens against the shared sanctions lists when it finds them; 100 rows of OFAC's SDN list
# (a US government work, public domain) exercise the screening tables and keep the fixture small.
SHARED="${CORRIDOR_SHARED_DATA:-$ROOT/../shared/data}"
mkdir -p "$WORK/shared/sanctions"
if [[ -f "$SHARED/sanctions/ofac_sdn_2024-05-03.csv" ]]; then
  head -n 100 "$SHARED/sanctions/ofac_sdn_2024-05-03.csv" >"$WORK/shared/sanctions/ofac_sdn_2024-05-03.csv"
fi
# PYTHONPATH puts the tag's package ahead of the editable install of today's code.
release_corridor() {
  PYTHONPATH="$TREE/src" CORRIDOR_SHARED_DATA="$WORK/shared" \
    "$PY" -c 'import sys; from corridor.cli import main; sys.argv[0] = "corridor"; main()' "$@"
}
release_corridor --help >/dev/null
"$PY" -c "import sys; sys.path.insert(0, '$TREE/src'); import corridor; assert corridor.__file__.startswith('$TREE'), corridor.__file__"

echo "== $TAG ($COMMIT): demo set-up on SQLite" >&2
CORRIDOR_DATA_DIR="$WORK/sqlite" CORRIDOR_AUTO_MIGRATE=true release_corridor demo setup --count "$COUNT"

echo "== $TAG: demo set-up on PostgreSQL ($PG_DB)" >&2
psql -q "$PG_ADMIN" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
CORRIDOR_DATA_DIR="$WORK/pg" CORRIDOR_DATABASE_URL="$PG_RELEASE" release_corridor demo setup --count "$COUNT"

mkdir -p "$OUT"
rm -f "$OUT"/corridor.sqlite3.gz "$OUT"/postgresql.sql.gz "$OUT"/data-dir.tar.gz "$OUT"/manifest.json
pg_dump --no-owner --no-privileges "${PG_RELEASE/+psycopg/}" | gzip -9n >"$OUT/postgresql.sql.gz"
"$PY" - "$WORK/sqlite/corridor.sqlite3" "$WORK/corridor.sqlite3" <<'EOF'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
source.execute("VACUUM INTO ?", (sys.argv[2],))
source.close()
EOF
gzip -9n <"$WORK/corridor.sqlite3" >"$OUT/corridor.sqlite3.gz"
tar -C "$WORK/sqlite" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@0" \
  --exclude='corridor.sqlite3*' --exclude='demo-*.jsonl' -czf "$OUT/data-dir.tar.gz" .

"$PY" - "$OUT/manifest.json" "$TAG" "$COMMIT" "$COUNT" "$WORK/corridor.sqlite3" "$PG_RELEASE" <<'EOF'
import json, sys
from sqlalchemy import create_engine, inspect, text

out, tag, commit, count, sqlite_file, pg_url = sys.argv[1:]


def describe(url: str) -> dict[str, object]:
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables if t != "alembic_version"}
        revisions = sorted(r for (r,) in conn.execute(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return {"revisions": revisions, "row_counts": counts}


manifest = {
    "tag": tag,
    "commit": commit,
    "made_by": f"scripts/make_release_fixture.sh {tag} {count}",
    "demo_count": int(count),
    "sqlite": describe(f"sqlite:///{sqlite_file}"),
    "postgresql": describe(pg_url),
}
with open(out, "w", encoding="utf-8") as fh:
    json.dump(manifest, fh, indent=2, sort_keys=True)
    fh.write("\n")
EOF
du -ch "$OUT"/* >&2
