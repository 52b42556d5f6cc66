"""The two-instance check (issue 13): two gunicorn instances on different ports sharing one fresh PostgreSQL database
and Redis, plus a worker. A sign-in on one works on the other; a rate limit and a login lock count across both; an
SMS queued on one is sent by the worker once; a backup from one restores into a fresh database. Prints a short
report and exits 1 on any failure. Run by .ci/run (through .ci/two_instances.sh) on a clean clone."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("TWO_INSTANCES_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_DB = os.environ.get("TWO_INSTANCES_REDIS", "redis://127.0.0.1:6379/11")
PORTS = (18081, 18082)
PASSWORD = "Huang-he-liu-2026"
results: list[tuple[bool, str]] = []
processes: list[subprocess.Popen] = []


def check(ok: bool, text: str) -> bool:
    results.append((bool(ok), text))
    print(f"  {'PASS' if ok else 'FAIL'}  {text}", flush=True)
    return bool(ok)


def run(args, env, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False, **kwargs)


def psql(sql: str, database: str = "postgres") -> str:
    url = PG.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(["psql", f"{url}/{database}", "-tAc", sql], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def start(args, env, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    processes.append(process)
    return process


def wait_healthy(port: int, seconds: int = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    return found.group(1) if found else ""


def sign_in(session, port, username, password, client_ip):
    headers = {"X-Forwarded-For": client_ip}
    session.headers.update(headers)
    csrf = token(session, f"http://127.0.0.1:{port}/staff/login")
    return session.post(
        f"http://127.0.0.1:{port}/staff/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )


def main() -> int:
    started = time.monotonic()
    stamp = f"{int(time.time())}_{secrets.token_hex(3)}"
    database, restored_db = f"two_instances_{stamp}", f"two_instances_restored_{stamp}"
    scratch = Path(tempfile.mkdtemp(prefix="two-instances-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": REDIS_DB,
        "RATELIMIT_STORAGE_URI": REDIS_DB,
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_KEY": secrets.token_hex(32),
        "INDEX_KEY": secrets.token_hex(32),
        "BACKUP_KEY": secrets.token_hex(32),
        "UPLOAD_FOLDER": str(scratch / "uploads"),
        "AUDIT_ANCHOR_PATH": str(scratch / "anchor.jsonl"),
        "BACKUP_DIR": str(scratch / "backups"),
        "MFA_REQUIRED_FOR_ALL_STAFF": "false",
        "DEMO_PASSWORD": PASSWORD,
        "LOGIN_LIMIT_PER_CLIENT": "6 per 10 minutes",
        "LOGIN_MAX_FAILURES": "3",
        "TRUSTED_PROXIES": "1",  # the check plays several clients through X-Forwarded-For from 127.0.0.1
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
        "LOG_FORMAT": "json",
    }
    print(f"== two instances on :{PORTS[0]} and :{PORTS[1]}, PostgreSQL database {database}, Redis {REDIS_DB}")
    try:
        psql(f'CREATE DATABASE "{database}"')
        import redis

        redis.Redis.from_url(REDIS_DB).flushdb()
        done = run([BIN / "flask", "--app", "wsgi", "db", "upgrade"], env)
        if not check(done.returncode == 0, "flask db upgrade on the fresh database"):
            print(done.stderr[-2000:])
            return 1
        done = run([BIN / "flask", "--app", "wsgi", "demo", "--cases", "5"], {**env, "REDIS_URL": ""})
        if not check(done.returncode == 0, "demo users and a few cases loaded"):
            print(done.stderr[-2000:])
            return 1
        for port in PORTS:
            start(
                [BIN / "gunicorn", "-c", "python:portal.ops.gunicorn", "wsgi:app"],
                {**env, "WEB_BIND": f"127.0.0.1:{port}"},
                scratch / f"web-{port}.log",
            )
        worker_log = scratch / "worker.log"
        start([BIN / "flask", "--app", "wsgi", "jobs", "worker"], env, worker_log)
        a, b = (f"http://127.0.0.1:{p}" for p in PORTS)
        if not check(all(wait_healthy(p) for p in PORTS), "both instances answer /healthz with 200"):
            return 1
        health = requests.get(f"{a}/healthz", timeout=5).json()
        check(
            health["checks"].get("redis") == "ok" and health["checks"]["jobs"]["mode"] == "rq",
            f"/healthz sees Redis and the queue: {health['checks']['jobs']}",
        )

        # 1. A sign-in on A is a sign-in on B: the browser session in Redis, the sign-in in the shared database.
        clerk = requests.Session()
        response = sign_in(clerk, PORTS[0], "clerk", PASSWORD, "10.0.0.1")
        check(response.status_code == 303, f"clerk signs in on :{PORTS[0]} (HTTP {response.status_code})")
        sid = clerk.cookies.get("session", "")
        check(
            "." not in sid and redis.Redis.from_url(REDIS_DB).exists(f"portal:session:{sid}") == 1,
            "the cookie holds only an id; the browser session is kept in Redis",
        )
        on_b = clerk.get(f"{b}/staff/work/", allow_redirects=False, timeout=10)
        check(
            on_b.status_code == 200 and "我的待办" in on_b.text,
            f"the same session opens 我的待办 on :{PORTS[1]} (HTTP {on_b.status_code})",
        )

        # 2. The per-client sign-in limit (6 failures) counts across both instances.
        codes = []
        for attempt in range(7):
            probe = requests.Session()
            codes.append(sign_in(probe, PORTS[attempt % 2], "nobody", "wrong-password-1", "10.0.0.2").status_code)
        check(
            codes[:6].count(429) == 0 and codes[6] == 429,
            f"6 failed sign-ins alternating A/B, the 7th is throttled: {codes}",
        )

        # 3. Three wrong passwords, alternating, lock the account on both.
        for attempt in range(3):
            sign_in(requests.Session(), PORTS[attempt % 2], "leader", "wrong-password-1", f"10.0.1.{attempt}")
        locked = sign_in(requests.Session(), PORTS[1], "leader", PASSWORD, "10.0.1.9")
        until = psql("SELECT locked_until IS NOT NULL FROM users WHERE username = 'leader'", database)
        check(
            locked.status_code == 422 and until == "t",
            f"after 3 failures on A, B, A the account is locked and the right password is refused on B "
            f"(HTTP {locked.status_code})",
        )

        # 4. An SMS queued by a registration on A is sent by the worker, once.
        phone = f"139{secrets.randbelow(10**8):08d}"
        title = f"两实例检查{stamp}"
        csrf = token(clerk, f"{a}/staff/cases/new")
        response = clerk.post(
            f"{a}/staff/cases/new",
            data={
                "csrf_token": csrf,
                "channel": "letter",
                "received_on": dt.date.today().isoformat(),
                "petitioner_name": "李四",
                "phone": phone,
                "case_type": "claim",
                "category_id": "0",
                "title": title,
                "content": "两实例检查：小区路灯损坏。",
                "procedure": "normal",
                "people_count": "1",
                "repeat_of_id": "0",
            },
            files={"attachments": ("来信扫描件.pdf", b"%PDF-1.4\n% two-instance check\n%%EOF\n", "application/pdf")},
            allow_redirects=False,
            timeout=20,
        )
        check(
            response.status_code in (201, 303),
            f"clerk registers a case with a phone and a scan on :{PORTS[0]} (HTTP {response.status_code})",
        )
        state = ""
        for _ in range(40):
            state = psql(
                "SELECT state || ' ' || attempts FROM sms_messages WHERE case_id = "
                f"(SELECT id FROM cases WHERE title = '{title}')",
                database,
            )
            if state.startswith("sent"):
                break
            time.sleep(0.5)
        time.sleep(1.5)  # a second delivery, were there one, would show up now
        # The log sender writes the number masked (never a petitioner's number in clear in a log).
        masked = f"SMS to {phone[:3]}****{phone[-4:]}"
        sends = worker_log.read_text(errors="replace").count(masked)
        check(
            state == "sent 1" and sends == 1,
            f"the worker sent it once (outbox: {state or 'missing'}; gateway calls: {sends})",
        )

        # The clock sweep, run once by hand (the worker runs it daily), shows on the other instance's /healthz.
        done = run([BIN / "flask", "--app", "wsgi", "jobs", "sweep"], env)
        jobs = requests.get(f"{b}/healthz", timeout=5).json()["checks"]["jobs"]
        check(
            done.returncode == 0 and jobs["last_sweep"] and not jobs["sweep_stale"],
            f"clock sweep {done.stdout.strip()}; /healthz on :{PORTS[1]} shows it at {jobs['last_sweep']}",
        )

        # 5. A backup taken from A's installation restores into a fresh database.
        done = run([BIN / "flask", "--app", "wsgi", "backup", "-o", str(scratch / "portal.pbk")], env)
        check(done.returncode == 0, f"flask backup: {done.stdout.strip() or done.stderr.strip()[-300:]}")
        psql(f'CREATE DATABASE "{restored_db}"')
        restore_env = {**env, "DATABASE_URL": f"{PG}/{restored_db}", "UPLOAD_FOLDER": str(scratch / "restored")}
        done = run([BIN / "flask", "--app", "wsgi", "restore", str(scratch / "portal.pbk")], restore_env)
        check(done.returncode == 0, f"flask restore: {done.stdout.strip() or done.stderr.strip()[-300:]}")
        count = lambda db_name: psql(f"SELECT count(*) FROM cases WHERE title = '{title}'", db_name)  # noqa: E731
        restored_files = sorted(p.name for p in (scratch / "restored").rglob("*") if p.is_file())
        original_files = sorted(p.name for p in (scratch / "uploads").rglob("*") if p.is_file())
        check(
            count(restored_db) == "1"
            and psql("SELECT count(*) FROM users", restored_db) == psql("SELECT count(*) FROM users", database)
            and restored_files == original_files != [],
            f"the restored installation holds the case, every user and the {len(restored_files)} uploaded file(s)",
        )
        wrong = run(
            [BIN / "flask", "--app", "wsgi", "restore", str(scratch / "portal.pbk")],
            {**restore_env, "BACKUP_KEY": secrets.token_hex(32)},
        )
        check(
            wrong.returncode != 0 and "BACKUP_KEY" in wrong.stderr + wrong.stdout,
            "restore under another BACKUP_KEY is refused",
        )
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for name in (database, restored_db):
            subprocess.run(
                [
                    "psql",
                    PG.replace("postgresql+psycopg://", "postgresql://") + "/postgres",
                    "-qc",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                ],
                capture_output=True,
                check=False,
            )
        failed = [text for ok, text in results if not ok]
        print(
            f"== two instances: {len(results) - len(failed)} of {len(results)} checks passed "
            f"in {time.monotonic() - started:.0f} s; logs in {scratch}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
