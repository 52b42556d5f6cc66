"""Serve the portal under gunicorn beside a bare one-route Flask app and measure the scenarios:
``python -m bench.run --db sqlite|postgres``.

Both servers run 5 sync workers on loopback. Each round measures, for every scenario in turn, the page alone on one
connection (p50 / p95 of sequential keep-alive requests), then the bare app and the page with ``wrk -t2 -c16``
(interleaved, so both see the same machine). Medians over the rounds go into ``bench/results-<db>.md`` with the
ratio to the bare app, the machine's load, and the EXPLAIN check: every SELECT the scenario pages issue is
explained on the database and any plan that scans the cases table is listed. Every control is on: encrypted
personal data (the seed's keys), read auditing, sessions and rate limits in Redis (REDIS_URL, db 8 unless
BENCH_REDIS_URL says otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from bench.seed import HERE, VAR, environment

ROOT = HERE.parent
BARE_PORT, APP_PORT = 8101, 8102
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def scenarios(info: dict) -> list[tuple[str, str, str]]:
    """(label, who, path): who is a demo username, or "public" (with the lookup grant for the progress page).

    The paths' ``{case}``, ``{dept}``, ``{report}`` and ``{document}`` are filled from ``ids``."""
    code = info["lookup"]["tracking_code"]
    return [
        ("public progress page (reload with the lookup grant)", "public", f"/track/{code}"),
        ("/stats", "public", "/stats"),
        ("/api/v1/stats", "public", "/api/v1/stats"),
        ("/roster", "public", "/roster"),
        # The floor: what the app's own per-request work (the session in Redis, the limiter, the headers) leaves of
        # the bare app's rate when the response is a file, no query and no template.
        ("the app's floor: a stylesheet through the app", "public", "/static/css/portal.css"),
        ("staff case page", "clerk", "/staff/cases/{case}"),
        ("staff ledgers index", "clerk", "/staff/ledgers/"),
        ("ledger page 1", "clerk", "/staff/ledgers/assigned"),
        ("ledger page 2,000", "clerk", "/staff/ledgers/assigned?page=2000"),
        ("ledger filtered (department, overdue)", "clerk", "/staff/ledgers/assigned?department={dept}&overdue=y"),
        ("ledger searched", "clerk", "/staff/ledgers/assigned?q=%E5%B7%A5%E8%B5%84"),
        ("超期台账 (supervisor)", "supervisor", "/staff/ledgers/overdue"),
        ("case list", "clerk", "/staff/cases/"),
        ("case list with a search term", "clerk", "/staff/cases/?q=%E5%B7%A5%E8%B5%84"),
        ("我的待办 (clerk)", "clerk", "/staff/work/"),
        ("我的待办 (supervisor)", "supervisor", "/staff/work/"),
        ("我的待办 (department head)", "dept_head", "/staff/work/"),
        ("我的待办 (leader)", "leader", "/staff/work/"),
        ("督办 index (supervisor)", "supervisor", "/staff/supervision/"),
        ("督办 lists (supervisor)", "supervisor", "/staff/supervision/lists"),
        ("staff dashboard (leader)", "leader", "/staff/dashboard"),
        ("reports index", "supervisor", "/staff/reports/"),
        ("a published report", "supervisor", "/staff/reports/{report}"),
        ("grassroots numbers (leader)", "leader", "/staff/grassroots/"),
        ("实绩档案 index (organisation dept.)", "orgdept", "/staff/performance/"),
        ("screening board (leader)", "leader", "/screening/board"),
        ("agents (clerk)", "clerk", "/staff/agents/"),
        ("notices outbox", "clerk", "/staff/notices/"),
        ("a case's notices", "clerk", "/staff/notices/cases/{case}"),
        ("a written notice (document)", "clerk", "/staff/documents/{document}"),
    ]


def ids(env: dict, info: dict) -> dict:
    """The rows the scenario paths name: the seed's case and department, the newest published report, a document
    of the bulk case (or any)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        report = connection.execute(text("SELECT max(id) FROM published_reports")).scalar()
        document = connection.execute(text("SELECT max(id) FROM documents")).scalar()
    engine.dispose()
    return {
        "case": info.get("case_id", 1),
        "dept": info.get("department_id", 1),
        "report": report or 0,
        "document": document or 0,
    }


# --- servers -------------------------------------------------------------------------------------------------
def serve(env: dict, app: str, port: int, cwd: Path = ROOT) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "--workers",
        "5",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        app,
    ]
    env = {**env, "PYTHONPATH": str(cwd)}
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    for _ in range(240):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/healthz")
            return process
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{app} did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    """Stop the server now: workers still inside a slow request are killed, not waited for, and the port is free
    before this returns (a worker left alive would hold it and answer the next server's health check)."""
    port = int(process.args[process.args.index("--bind") + 1].rsplit(":", 1)[1])
    os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    for _ in range(60):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"port {port} still in use after stopping the server")


# --- a browser's session -------------------------------------------------------------------------------------
class Browser:
    """One keep-alive connection with cookies, enough to sign in and look a case up."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text, dict(response.headers)

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SLOW_MS / 1000)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self, path: str) -> str:
        _, text, _ = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', text
        )
        return match[1] if match else ""

    def sign_in(self, username: str, password: str) -> None:
        token = self.csrf("/staff/login")
        status, _, headers = self.request(
            "POST", "/staff/login", {"csrf_token": token, "username": username, "password": password}
        )
        if status != 303 or "/staff/login" in headers.get("Location", "/staff/login"):
            raise SystemExit(f"sign-in as {username} failed ({status} → {headers.get('Location')})")

    def look_up(self, tracking_code: str, query_code: str) -> None:
        token = self.csrf("/track")
        form = {"csrf_token": token, "tracking_code": tracking_code, "query_code": query_code}
        status, _, _ = self.request("POST", "/track", form)
        if status != 303:
            raise SystemExit(f"lookup failed ({status})")


# --- measuring -----------------------------------------------------------------------------------------------
def wrk(port: int, path: str, cookie: str, seconds: int) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "-H", "Host: 127.0.0.1"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        print(f"    {path}: {non_2xx[1]} non-2xx responses", flush=True)
    return float(match[1]) if match else 0.0


SLOW_MS = 30_000  # a request slower than this is cut off and counted as taking this long


def one_connection(browser: Browser, path: str, seconds: float, at_most: int = 200) -> list[float]:
    """Milliseconds of sequential requests on one keep-alive connection, for ``seconds`` or ``at_most``.

    A request cut off after ``SLOW_MS`` counts as ``SLOW_MS`` (the table marks it "≥"); a page that is not there
    (an older tree served with ``--app-dir``) gives an empty list."""
    times, deadline = [], time.monotonic() + seconds
    browser.connection.timeout = SLOW_MS / 1000
    while time.monotonic() < deadline and len(times) < at_most:
        started = time.perf_counter()
        try:
            status, _, _ = browser.request("GET", path)
        except TimeoutError:  # counted as the cut-off, on a fresh connection
            browser.reconnect()
            times.append(float(SLOW_MS))
            break
        except OSError:  # the server closed this keep-alive connection (e.g. it was restarted): once more
            browser.reconnect()
            started = time.perf_counter()
            status, _, _ = browser.request("GET", path)
        if status == 404:
            return []
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        times.append((time.perf_counter() - started) * 1000)
    return times


def drain(port: int, seconds: float = 90) -> None:
    """Wait until the server answers its health check at once: the requests wrk left in flight are done, so the
    next page's one-connection latency is its own, not the queue behind the previous page's slow requests."""
    deadline, quick = time.monotonic() + seconds, 0
    while time.monotonic() < deadline and quick < 3:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
        except OSError:
            time.sleep(0.5)
            continue
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- EXPLAIN -------------------------------------------------------------------------------------------------
def explain_check(env: dict, info: dict, pages: list[tuple[str, str, str]]) -> list[str]:
    """Render each page in-process, EXPLAIN every SELECT it issued, and list the plans that scan ``cases``."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        engine = db.engine
    postgres = engine.dialect.name == "postgresql"
    findings, clients = [], {}
    seen: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    for label, who, path in pages:
        if who not in clients:
            client = app.test_client()
            if who == "public":
                client.post(
                    "/track",
                    data={"tracking_code": info["lookup"]["tracking_code"], "query_code": info["lookup"]["query_code"]},
                )
            else:
                client.post("/staff/login", data={"username": who, "password": info["password"]})
            clients[who] = client
        seen.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            clients[who].get(path)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        with engine.connect() as connection:
            for statement, parameters in seen:
                prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
                rows = connection.exec_driver_sql(prefix + statement, parameters).all()
                plan = "\n".join(str(r[0] if postgres else r[-1]) for r in rows)
                scans = (
                    re.findall(r"Seq Scan on cases\b", plan)
                    if postgres
                    else re.findall(r"^SCAN cases(?! USING COVERING INDEX)(?! USING INDEX)", plan, re.M)
                )
                if scans:
                    findings.append(f"**{label}** `{path}`\n\n```\n{statement.strip()[:600]}\n```\n```\n{plan}\n```")
    return findings


# --- main ----------------------------------------------------------------------------------------------------
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per measurement")
    parser.add_argument("--single", type=float, default=5, help="seconds of one-connection requests per page")
    parser.add_argument("--only", default="", help="run the scenarios whose label contains this text")
    parser.add_argument("--label", default="", help="a name for this run in the results file")
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="serve the portal from this tree (e.g. `git archive` of an earlier commit, for a before/after pair)",
    )
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN check")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench.run needs wrk (Debian: apt-get install wrk)")
    info = json.loads((VAR / f"{args.db}.json").read_text())
    env = environment(args.db)
    env.update(
        {
            "REDIS_URL": REDIS,
            "RATELIMIT_STORAGE_URI": REDIS,
            "SESSION_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    bare = serve(env, "bench.bare:app", BARE_PORT)
    portal = serve(env, "wsgi:app", APP_PORT, args.app_dir)
    try:
        browsers = {}
        pages = []
        rows = ids(env, info)
        for label, who, path in scenarios(info):
            if args.only and args.only not in label:
                continue
            if who not in browsers:
                browser = Browser(APP_PORT)
                if who == "public":
                    browser.look_up(info["lookup"]["tracking_code"], info["lookup"]["query_code"])
                else:
                    browser.sign_in(who, info["password"])
                browsers[who] = browser
            pages.append((label, who, path.format(**rows)))
        results = {label: {"bare": [], "page": [], "p50": [], "p95": []} for label, _, _ in pages}
        loads = [load()]
        for round_number in range(1, args.rounds + 1):
            print(f"round {round_number}/{args.rounds}, load {load()}", flush=True)
            for label, who, path in pages:
                cookie = browsers[who].cookie_header
                # One connection first: after wrk the workers may still be finishing the requests it left in flight.
                drain(APP_PORT)
                times = one_connection(browsers[who], path, args.single)
                if not times:
                    print(f"  {label}: not in this tree", flush=True)
                    continue
                results[label]["bare"].append(wrk(BARE_PORT, "/", "", args.seconds))
                results[label]["page"].append(wrk(APP_PORT, path, cookie, args.seconds))
                results[label]["p50"].append(percentile(times, 50))
                results[label]["p95"].append(percentile(times, 95))
                r = results[label]
                print(
                    f"  {label}: {r['page'][-1]:.1f} req/s (bare {r['bare'][-1]:.0f}), "
                    f"p50 {r['p50'][-1]:.1f} ms, p95 {r['p95'][-1]:.1f} ms",
                    flush=True,
                )
                if max(times) >= SLOW_MS or r["page"][-1] < 1:
                    # wrk left slow requests in flight: a fresh server, so the next page is not measured behind them
                    stop(portal)
                    portal = serve(env, "wsgi:app", APP_PORT, args.app_dir)
                    for each in browsers.values():
                        each.reconnect()
            loads.append(load())
    finally:
        stop(portal)
        stop(bare)
    findings = [] if args.no_explain else explain_check(env, info, pages)
    write_results(args, info, results, loads, findings)


def milliseconds(value: float) -> str:
    return f"≥ {SLOW_MS:,} ms (cut off)" if value >= SLOW_MS else f"{value:,.1f} ms"


def write_results(args, info, results, loads, findings) -> None:
    lines = [
        f"### {args.label or 'run'} — {info['db']}, {info['cases']:,} cases, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",  # noqa: E501
        "",
        f"{args.rounds} interleaved rounds, `wrk -t2 -c16 -d{args.seconds}s`, 5 sync gunicorn workers each; "
        "one-connection "
        f"latency over {args.single:g} s per page per round; medians. Load average (1, 5, 15 min) at the start of each "
        f"round and at the end: {' → '.join(loads)}.",
        "",
        "| page | req/s | bare req/s | ÷ bare | one connection p50 | p95 |",
        "|---|---|---|---|---|---|",
    ]
    for label, r in results.items():
        if not r["page"]:
            lines.append(f"| {label} | — | — | — | not in this tree | |")
            continue
        page, bare = statistics.median(r["page"]), statistics.median(r["bare"])
        ratio = page / bare if bare else 0
        lines.append(
            f"| {label} | {page:,.1f} | {bare:,.0f} | {ratio:.3f} (1/{(1 / ratio) if ratio else float('inf'):,.0f}) "
            f"| {milliseconds(statistics.median(r['p50']))} | {milliseconds(statistics.median(r['p95']))} |"
        )
    if not args.no_explain:
        lines += ["", f"EXPLAIN check: {len(findings)} statement(s) whose plan scans `cases`."]
    lines += ["", *findings] if findings else []
    out = HERE / f"results-{info['db']}.md"
    previous = out.read_text() if out.exists() else ""
    out.write_text("\n".join(lines) + "\n\n" + previous)
    (VAR / f"results-{info['db']}-{int(time.time())}.json").write_text(json.dumps(results))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
