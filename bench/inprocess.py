"""Per-request CPU of a page against the bare app, in one process: ``python -m bench.inprocess --db sqlite``.

What ``bench.run`` measures with wrk on 2 cores is, once the database answers fast, the CPU each request costs the
worker: this measures only that, without servers, so two runs a few minutes apart on a busy machine compare. For
each round and each page it times ``--n`` sequential ``client.get(path)`` calls on a Flask test client of the
portal, then as many on a test client of ``bench/bare.py``'s app, alternating, and reports the median over the
rounds of each mean and their ratio (page req/s ÷ bare req/s = bare time ÷ page time). The portal runs as
``bench.run`` serves it: the environment of ``bench.seed.environment(db)`` with every control on — sessions and
rate limits in Redis (``--redis``, default db 9), encrypted personal data, read auditing, CSRF (the clients sign
in through the login form and look the case up through the lookup form, each with its token).

``--profile LABEL`` runs cProfile over the requests of the page whose label contains LABEL instead and prints the
top functions (``--sort cumulative|tottime``). ``--queries`` prints the SQL statements and the Redis commands of one
request of each page.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

from bench.seed import HERE, VAR, environment

REDIS = os.environ.get("BENCH_INPROCESS_REDIS_URL", "redis://127.0.0.1:6379/9")


def pages(info: dict) -> list[tuple[str, str, str]]:
    code = info["lookup"]["tracking_code"]
    return [
        ("progress page", "public", f"/track/{code}"),
        ("roster", "public", "/roster"),
        ("case page", "clerk", f"/staff/cases/{info.get('case_id', 1)}"),
        # The floor: the app's own per-request work (the session, the limiter, the headers) without a query.
        ("floor: a stylesheet through the app", "public", "/static/css/portal.css"),
    ]


def csrf_token(client, path: str) -> str:
    text = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', text
    )
    return match[1] if match else ""


def make_clients(app, info: dict, who_list: set[str]) -> dict:
    clients = {}
    for who in who_list:
        client = app.test_client()
        if who == "public":
            lookup = info["lookup"]
            form = {"csrf_token": csrf_token(client, "/track"), **lookup}
            response = client.post("/track", data=form)
        else:
            form = {"csrf_token": csrf_token(client, "/staff/login"), "username": who, "password": info["password"]}
            response = client.post("/staff/login", data=form)
        if response.status_code != 303 or "/staff/login" in response.headers.get("Location", ""):
            raise SystemExit(f"signing in as {who} failed ({response.status_code})")
        clients[who] = client
    return clients


def mean_ms(client, path: str, n: int) -> tuple[float, float]:
    """Mean wall and CPU milliseconds of ``n`` sequential GETs of ``path``."""
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        response.close()
    return (time.perf_counter() - started) * 1000 / n, (time.process_time() - cpu) * 1000 / n


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=200, help="requests per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="the pages whose label contains this text")
    parser.add_argument("--redis", default=REDIS)
    parser.add_argument("--profile", default="", help="cProfile the page whose label contains this text")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--queries", action="store_true", help="print one request's SQL per page")
    args = parser.parse_args(argv)
    info = json.loads((VAR / f"{args.db}.json").read_text())
    os.environ.update(environment(args.db))
    os.environ.update(
        {
            "REDIS_URL": args.redis,
            "RATELIMIT_STORAGE_URI": args.redis,
            "SESSION_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(HERE.parent))
    from bench.bare import app as bare_app
    from portal import create_app

    app = create_app()
    chosen = [p for p in pages(info) if args.only in p[0]]
    clients = make_clients(app, info, {who for _, who, _ in chosen})
    bare = bare_app.test_client()
    for _, who, path in chosen:  # warm up: templates compiled, connections open, caches filled
        mean_ms(clients[who], path, 5)
    mean_ms(bare, "/", 50)

    if args.queries:
        from sqlalchemy import event

        from portal.extensions import db

        with app.app_context():
            engine = db.engine
        seen: list[str] = []
        from redis import Redis

        redis_calls: list[str] = []
        execute_command = Redis.execute_command

        def counted(self, *args, **kwargs):
            redis_calls.append(str(args[0]))
            return execute_command(self, *args, **kwargs)

        Redis.execute_command = counted

        def listener(conn, cursor, statement, parameters, context, executemany):
            seen.append(" ".join(statement.split())[:200])

        for label, who, path in chosen:
            event.listen(engine, "before_cursor_execute", listener)
            try:
                clients[who].get(path)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            print(f"{label}: {len(seen)} statements, Redis commands: {' '.join(redis_calls) or 'none'}")
            for statement in seen:
                print("   ", statement)
            seen.clear()
            redis_calls.clear()
        return

    if args.profile:
        label, who, path = next(p for p in chosen if args.profile in p[0])
        profiler = cProfile.Profile()
        profiler.enable()
        mean_ms(clients[who], path, args.n)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(60)
        by_area: dict[str, float] = {}
        for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
            area = re.search(r"site-packages/([^/]+)|/(templates|portal/[^/]+)|(<frozen [^>]+>|\{[^}]+\})", filename)
            name = next((g for g in area.groups() if g), "?") if area else filename
            by_area[name] = by_area.get(name, 0) + own * 1000 / args.n
        print("own time per request by area (ms):")
        for name, ms in sorted(by_area.items(), key=lambda kv: -kv[1])[:25]:
            print(f"  {ms:7.2f}  {name}")
        return

    results = {label: {"page": [], "bare": []} for label, _, _ in chosen}
    for round_number in range(args.rounds):
        for label, who, path in chosen:
            results[label]["bare"].append(mean_ms(bare, "/", args.n))
            results[label]["page"].append(mean_ms(clients[who], path, args.n))
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    print(
        f"{info['db']}, {info['cases']:,} cases, {args.rounds} rounds of {args.n} requests, medians; "
        f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}:"
    )
    print("| page | page ms/request (CPU) | bare ms/request (CPU) | ÷ bare, wall | ÷ bare, CPU |")
    print("|---|---|---|---|---|")
    for label, _, path in chosen:
        r = results[label]
        page, bare_ms = (statistics.median(t[0] for t in r[k]) for k in ("page", "bare"))
        page_cpu, bare_cpu = (statistics.median(t[1] for t in r[k]) for k in ("page", "bare"))
        print(
            f"| {label} `{path}` | {page:.2f} ({page_cpu:.2f}) | {bare_ms:.3f} ({bare_cpu:.3f}) "
            f"| {bare_ms / page:.3f} (1/{page / bare_ms:.0f}) "
            f"| {bare_cpu / page_cpu:.3f} (1/{page_cpu / bare_cpu:.0f}) |"
        )


if __name__ == "__main__":
    main()
