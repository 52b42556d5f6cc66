"""A ledger's .xlsx export from the bench database, in-process: ``python -m bench.export --db sqlite --rows 100000``.

Signs the clerk in with a test client and GETs ``/staff/ledgers/<ledger>/export.xlsx`` — the real view: the count,
the one streamed statement, the write-only workbook in a temporary file, the audit row — with the export's row cap
(``MAX_ROWS``, 100,000) set to ``--rows``. The response is read in chunks and thrown away, as a client would take
it. Prints the rows exported (the audit row's count), the wall time, the SQL statements the request issued (a
``before_cursor_execute`` listener) and the peak memory: tracemalloc's peak of the Python allocations during the
request, and how far the process's peak RSS (``ru_maxrss``) rose over what it was before the request.
``--no-tracemalloc`` times the request without tracemalloc's overhead (the RSS figure is then the only one).
Writes one audit row (``ledger.export``) and the sign-in's to the bench database, nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000, help="the export's row cap for this run")
    parser.add_argument("--ledger", default="all", help="which ledger (default: all, 信访件总台账)")
    parser.add_argument("--user", default="clerk")
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args(argv)

    from bench.seed import PASSWORD, VAR, environment

    os.environ.update(environment(args.db))
    sys.path.insert(0, str(ROOT))
    written = VAR / f"{args.db}.json"  # written when the seed finishes
    password = json.loads(written.read_text())["password"] if written.exists() else PASSWORD
    from sqlalchemy import event, select

    import portal.ledgers.views as ledger_views
    from portal import create_app
    from portal.audit.models import AuditLog
    from portal.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    ledger_views.MAX_ROWS = args.rows  # the view reads the cap from its module: this run's size
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"username": args.user, "password": password})
    if signed_in.status_code != 303:
        raise SystemExit(f"sign-in as {args.user} failed ({signed_in.status_code})")
    client.get("/staff/")  # the session's first-request work is not the export's

    statements: list[str] = []

    def listener(conn, cursor, statement, *rest):
        statements.append(statement)

    path = f"/staff/ledgers/{args.ledger}/export.xlsx"
    rss_before = _rss_kib()
    trace = not args.no_tracemalloc
    if trace:
        tracemalloc.start()
    event.listen(engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    try:
        response = client.get(path)
        size = 0
        for chunk in response.response:
            size += len(chunk)
        response.close()
    finally:
        seconds = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", listener)
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    rss_growth = _rss_kib() - rss_before
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    with app.app_context():
        detail = db.session.execute(
            select(AuditLog.detail).where(AuditLog.action == "ledger.export").order_by(AuditLog.id.desc()).limit(1)
        ).scalar_one()
    result = {
        "db": args.db,
        "ledger": args.ledger,
        "rows": detail["rows"],
        "ledger_total": detail["total"],
        "seconds": round(seconds, 2),
        "statements": len(statements),
        "selects": sum(1 for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))),
        "xlsx_bytes": size,
        "tracemalloc_peak_mib": round(peak / 2**20, 1) if peak is not None else None,
        "ru_maxrss_growth_mib": round(rss_growth / 1024, 1),
    }
    print(
        f"{args.db}: {result['rows']:,} rows of {args.ledger} ({result['ledger_total']:,} in the ledger) in "
        f"{result['seconds']} s, {result['statements']} statements ({result['selects']} SELECT), "
        f"{size / 2**20:.1f} MiB xlsx; peak memory: tracemalloc {result['tracemalloc_peak_mib']} MiB, "
        f"ru_maxrss +{result['ru_maxrss_growth_mib']} MiB"
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
