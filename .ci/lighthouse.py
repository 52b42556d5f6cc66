"""Lighthouse's accessibility score of every public page, in both versions (标准版 and 关怀版), at 390 px (mobile) and
1280 px (desktop) — issue 17. Run by .ci/lighthouse.sh, which installs the pinned Lighthouse from npm.

A portal with the demo county is served on a free local port from a scratch SQLite database; three cases are
registered (waiting, replied, an accusation) and looked up through the real form so that their progress pages can be
measured. Lighthouse drives Debian's Chromium (CHROME_PATH). Prints one line per page and run, writes the JSON
reports to var/lighthouse-reports/, and exits 1 when any score is below 100 (naming the failing audits)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["/", "/submit", "/track", "/basis", "/privacy", "/roster", "/stats", "/deadline", "/staff/login"]
RUNS = {
    "390": [
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        "--screenEmulation.width=390",
        "--screenEmulation.height=844",
        "--screenEmulation.deviceScaleFactor=3",
    ],
    "1280": [
        "--preset=desktop",
        "--screenEmulation.width=1280",
        "--screenEmulation.height=900",
        "--screenEmulation.deviceScaleFactor=1",
    ],
}


def serve():
    import logging

    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    scratch = tempfile.mkdtemp(prefix="lighthouse-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/portal.sqlite3",
            "SECRET_KEY": "lighthouse",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "QUERY_CODE_HASH_METHOD": "pbkdf2:sha256:1000",
            "UPLOAD_FOLDER": scratch,
        }
    )
    with app.app_context():
        upgrade()
        load_demo(password="lighthouse-demo-2026", cases=60)
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per page and run, not per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, f"http://127.0.0.1:{server.server_port}"


def cases(app) -> dict:
    """Three cases to look up: waiting for acceptance, replied (rating and review open), an accusation."""
    from tests.browser.a11y import register
    from tests.browser.test_public_journey import reply_to

    waiting = register(app, title="村道坑洼雨天无法通行")
    replied = register(app, title="村道修缮答复后待评价")
    reply_to(app, replied.tracking_code)
    secret = register(app, title="检举村干部优亲厚友", case_type="accusation")
    return {"waiting": waiting, "replied": replied, "secret": secret}


def session_cookie(base: str, tracked) -> str:
    """Look ``tracked`` up through the form, as a petitioner would; the session cookie that may read it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/track").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "tracking_code": tracked.tracking_code, "query_code": tracked.query_code}
    opener.open(f"{base}/track", data=urllib.parse.urlencode(form).encode())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    # The header Lighthouse will send must open the progress page itself, not the lookup form.
    request = urllib.request.Request(f"{base}/track/{tracked.tracking_code}", headers={"Cookie": cookie})
    if 'id="progress"' not in urllib.request.urlopen(request).read().decode():
        raise SystemExit(f"the session cookie does not open the progress page of {tracked.tracking_code}")
    return cookie


def lighthouse(binary: str, url: str, cookie: str, width: str, report: Path) -> dict:
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    command = [
        binary,
        url,
        "--only-categories=accessibility",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        f"--chrome-flags={flags}",
        *RUNS[width],
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(
        command, check=True, env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    )
    result = json.loads(report.read_text())
    category = result["categories"]["accessibility"]
    failing = [
        ref["id"]
        for ref in category["auditRefs"]
        if ref["weight"] and result["audits"][ref["id"]]["score"] not in (1, None)
    ]
    return {"score": round(category["score"] * 100), "failing": failing}


def main() -> int:
    binary = sys.argv[1]
    reports = ROOT / "var" / "lighthouse-reports"
    reports.mkdir(parents=True, exist_ok=True)
    app, base = serve()
    tracked = cases(app)
    targets = [(path, "") for path in PAGES]
    targets += [(f"/track/{t.tracking_code}", session_cookie(base, t)) for t in tracked.values()]
    worst = 100
    print(f"{'page':32} {'version':8} {'width':>5}  score")
    for path, session in targets:
        for version, care in (("标准版", ""), ("关怀版", "care=1")):
            for width in RUNS:
                cookie = "; ".join(c for c in (session, care) if c)
                name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
                outcome = lighthouse(
                    binary, base + path, cookie, width, reports / f"{name}-{care or 'std'}-{width}.json"
                )
                worst = min(worst, outcome["score"])
                failing = f"  failing: {', '.join(outcome['failing'])}" if outcome["failing"] else ""
                print(f"{path:32} {version:8} {width:>5}  {outcome['score']}{failing}", flush=True)
    print(f"lowest accessibility score: {worst}")
    return 0 if worst == 100 else 1


if __name__ == "__main__":
    sys.exit(main())
