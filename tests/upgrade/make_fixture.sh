#!/usr/bin/env bash
# The upgrade test's fixture (tests/test_upgrade.py): the demo as the previous release made it, from its commit.
#
#   tests/upgrade/make_fixture.sh [COMMIT]      # default ae94d08, the release of 2026-12-05
#
# In a temporary worktree of COMMIT, with that release's own requirements, it runs `migrate` and `load_demo` on a
# new SQLite database and on a new PostgreSQL one, records what that release computed (record.py: the office row,
# the scores, every issue's cells) and writes here:
#   release.sqlite3.gz  the SQLite database
#   release.sql.gz      the PostgreSQL database, pg_dump as plain SQL (psql restores it)
#   release.json        the record (the same from both databases, or the script fails)
#
# RELEASE_PYTHON=/path/to/python uses an environment that already has the release's requirements instead of
# building one (the release needs drf-spectacular-sidecar, which this code no longer does).
# PGHOST, PGPORT, PGUSER (default 127.0.0.1, 5432, postgres): the PostgreSQL server for the scratch database.
set -euo pipefail

COMMIT=${1:-ae94d08}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(git -C "$HERE" rev-parse --show-toplevel)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
WORK=$(mktemp -d)
DB=kc_release_fixture_$$

cleanup() {
  dropdb --if-exists "$DB" 2>/dev/null || true
  git -C "$ROOT" worktree remove --force "$WORK/release" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

git -C "$ROOT" worktree add --detach "$WORK/release" "$COMMIT" >/dev/null
PY=${RELEASE_PYTHON:-}
if [ -z "$PY" ]; then
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install --quiet -r "$WORK/release/requirements.txt"
  PY=$WORK/venv/bin/python
fi

# The release's settings, in development mode; nothing of this shell's portal settings leaks in.
run() {
  (cd "$WORK/release" && env -u REDIS_URL -u DJANGO_SETTINGS_MODULE DJANGO_DEBUG=1 DATABASE_URL="$1" "$PY" manage.py "${@:2}")
}
record() {
  run "$1" shell -c "import sys; sys.path.insert(0, '$HERE'); import record; record.write('$2')" >/dev/null
}

echo "== SQLite"
SQLITE=sqlite:///$WORK/release.sqlite3
run "$SQLITE" migrate --noinput >/dev/null
run "$SQLITE" load_demo >/dev/null
record "$SQLITE" "$WORK/sqlite.json"

echo "== PostgreSQL"
createdb "$DB"
PG=postgres://$PGUSER@$PGHOST:$PGPORT/$DB
run "$PG" migrate --noinput >/dev/null
run "$PG" load_demo >/dev/null
record "$PG" "$WORK/postgresql.json"
cmp "$WORK/sqlite.json" "$WORK/postgresql.json"

# psql's \restrict lines (pg_dump 15.14 and later) are left out so that an older psql restores the dump too.
pg_dump --no-owner --no-privileges "$DB" | grep -v '^\\\(un\)\?restrict ' | gzip -9n >"$HERE/release.sql.gz"
gzip -9n <"$WORK/release.sqlite3" >"$HERE/release.sqlite3.gz"
cp "$WORK/sqlite.json" "$HERE/release.json"
echo "$COMMIT: $(git -C "$ROOT" rev-parse "$COMMIT")" >"$HERE/RELEASE"
ls -l "$HERE"/release.*
