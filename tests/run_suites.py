"""`make test`: the whole suite on SQLite, then on PostgreSQL when it is reachable.

Each half makes its own database (see tests/conftest.py).  With TSUNAGI_REQUIRE_POSTGRES=1
(set by .ci/run) an unreachable PostgreSQL is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import subprocess
import sys

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5):
            return True
    except Exception as exc:  # any failure means "not reachable" here
        print(f"PostgreSQL at {url} is not reachable: {exc}")
        return False


def run_pytest(kind: str, extra: list[str]) -> int:
    print(f"\n===== test suite on {kind} =====", flush=True)
    env = {**os.environ, "TSUNAGI_TEST_DB": kind}
    return subprocess.call([sys.executable, "-m", "pytest", "-q", *extra, *sys.argv[1:]], env=env)


def main() -> int:
    pg_url = os.environ.setdefault("TSUNAGI_TEST_DATABASE_URL", DEFAULT_PG)
    sqlite_rc = run_pytest("sqlite", [])
    if postgres_reachable(pg_url):
        pg_rc = run_pytest("postgresql", ["-m", "not browser"])
    elif os.environ.get("TSUNAGI_REQUIRE_POSTGRES") == "1":
        print("FAILED: PostgreSQL is required (TSUNAGI_REQUIRE_POSTGRES=1) but not reachable")
        pg_rc = 1
    else:
        print("PostgreSQL half skipped: database not reachable")
        pg_rc = 0
    print(f"\nsqlite: {'ok' if sqlite_rc == 0 else 'FAILED'}; postgresql: {'ok' if pg_rc == 0 else 'FAILED'}")
    return sqlite_rc or pg_rc


if __name__ == "__main__":
    sys.exit(main())
