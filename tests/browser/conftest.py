"""A live portal on a free local port, with demo data, for tests that drive headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "demo-pass-2026"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing but REQUIRE_BROWSER is set: apt-get install chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Migrate a fresh database with ``flask db upgrade``, load the demo county, and serve it."""
    from portal.demo import load_demo
    from portal.extensions import db

    # The case-role journeys sign in with the password; the administrators still enrol a second factor
    # (test_sign_in_journey drives that).
    app = migrated_app(tmp_path_factory, "portal_browser_tests", MFA_REQUIRED_FOR_ALL_STAFF=False)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD, cases=60)
        db.session.commit()
    yield from serve(app)


def migrated_app(tmp_path_factory, database: str, **config):
    """An app on a database of its own (a fresh PostgreSQL database named ``database`` when TEST_DATABASE_URL is
    set — the rest of the suite keeps its schema there meanwhile — else a new SQLite file), migrated with
    ``flask db upgrade`` and nothing else."""
    from flask_migrate import upgrade

    from portal import create_app

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = _fresh_postgres_database(url, database)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(database) / 'portal.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": f"{database}-secret",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "QUERY_CODE_HASH_METHOD": "pbkdf2:sha256:1000",
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            **config,
        }
    )
    with app.app_context():
        upgrade()
    return app


def serve(app):
    """Serve ``app`` on a free local port for as long as the generator is open: yields ``{"url", "app"}``."""
    from portal.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def _fresh_postgres_database(url: str, name: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    """Sign ``username`` in through the login form."""

    def sign_in(username: str) -> None:
        page.goto(f"{live_server['url']}/staff/login")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button:has-text('登录')")
        page.wait_for_url(lambda url: "/staff/login" not in url)

    return sign_in


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots land in test-artifacts/ (ignored by git) for a person to look at."""
    path = Path(__file__).resolve().parents[2] / "test-artifacts"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    return path
