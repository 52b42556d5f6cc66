"""Fixtures shared by every test: the app on SQLite (or PostgreSQL when TEST_DATABASE_URL is set), an empty
database for each test, a client, signed-in staff of every role.

Service tests take ``ctx`` (an app context for the whole test) and ``world`` (ORM objects). Page tests must not hold
an app context while the client runs — Flask would reuse it for the request and leak ``g`` (the signed-in user)
between requests — so they take ``staff`` (plain references) and ``seed`` (run a factory in a short context).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

import pyotp
import pytest

from portal import create_app, localtime
from portal.accounts.models import UserFactor
from portal.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "QUERY_CODE_HASH_METHOD": "pbkdf2:sha256:1000",
    "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="portal-uploads-"),
    # Throttling tests switch limits on (and reset the counters) for themselves.
    "RATELIMIT_ENABLED": False,
    # Aggregates computed on every request: tests change data and read it back at once.
    "STATS_CACHE_SECONDS": 0,
    # Staff fixtures sign in in one step; the administrators, who always need a second factor, are enrolled.
    "MFA_REQUIRED_FOR_ALL_STAFF": False,
    # Written notices render their PDF when a test asks for it (tests/documents), not after every decision.
    "DOCUMENT_PDF_AFTER_COMMIT": False,
}


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database with the schema created once for the session; dropped at the end."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if is_postgres(url):
            db.drop_all()  # a run that was killed may have left its tables behind
        db.create_all()
    yield url
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app_config(database_url) -> dict:
    """Override in a module (or parametrize) to change the configuration of ``app``."""
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}


@pytest.fixture(scope="session")
def _apps():
    """Apps by configuration, kept for the session: SQLAlchemy caches compiled SQL per engine, and a fresh
    engine per test made the suite several times slower."""
    apps: dict[tuple, object] = {}
    yield apps
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_config, _apps):
    key = tuple(sorted((k, repr(v)) for k, v in app_config.items()))
    if key not in _apps:
        _apps[key] = create_app(app_config)
    app = _apps[key]
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def ctx(app):
    """An app context for the whole test: for service-level tests that never use the client."""
    with app.app_context():
        yield app


@pytest.fixture
def world(ctx) -> factories.World:
    """Departments, one user per role and the checklist templates, committed; ORM objects in the test's session."""
    world = factories.build_world()
    db.session.commit()
    return world


@pytest.fixture
def client(app):
    return app.test_client()


# --- page tests ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffRef:
    id: int
    username: str
    department_id: int


@pytest.fixture
def staff(app) -> dict[str, StaffRef]:
    """The world of ``factories.build_world``, committed; returns user references by the World attribute name
    (``clerk``, ``handler``, ``other_handler`` …) plus department ids under ``dept:<key>``."""
    with app.app_context():
        world = factories.build_world()
        db.session.commit()
        refs = {}
        for f in fields(world):
            obj = getattr(world, f.name)
            if hasattr(obj, "username"):
                refs[f.name] = StaffRef(obj.id, obj.username, obj.department_id)
            else:
                refs[f"dept:{f.name}"] = obj.id
        return refs


@pytest.fixture
def seed(app, staff):
    """``seed(fn)`` runs ``fn(world)`` in a short app context, commits, and returns what ``fn`` returned
    (return ids, not ORM objects: they are detached once the context ends)."""

    def run(fn):
        with app.app_context():
            result = fn(factories.load_world())
            db.session.commit()
            return result

    return run


def totp_code(secret: str = factories.TOTP_SECRET) -> str:
    """The code an authenticator app with ``secret`` shows now (``as_of`` included)."""
    return pyotp.TOTP(secret).at(int(localtime.now().timestamp()))


class AuthActions:
    def __init__(self, client, app):
        self._client = client
        self._app = app

    def login(self, username: str, password: str = factories.PASSWORD, next: str | None = None):
        """Sign in through the form; a user enrolled with ``factories.TOTP_SECRET`` also gets the second step."""
        url = "/staff/login" + (f"?next={next}" if next is not None else "")
        response = self._client.post(url, data={"username": username, "password": password})
        if response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/staff/login/verify":
            # A code is accepted once; a test may sign the same person in twice within one 30-second step.
            with self._app.app_context():
                db.session.execute(db.update(UserFactor).values(last_step=None))
                db.session.commit()
            response = self._client.post("/staff/login/verify", data={"code": totp_code()})
        return response

    def logout(self):
        return self._client.post("/staff/logout")


@pytest.fixture
def auth(client, app) -> AuthActions:
    return AuthActions(client, app)


@pytest.fixture
def login(auth, staff):
    """``login("handler")`` signs the client in as that World user and returns its reference."""

    def sign_in(key: str) -> StaffRef:
        ref = staff[key]
        response = auth.login(ref.username)
        assert response.status_code == 303, f"login as {key} failed: {response.status_code}"
        return ref

    return sign_in


def _signed_in(key: str):
    @pytest.fixture
    def fixture(login) -> StaffRef:
        return login(key)

    fixture.__doc__ = f"The client signed in as the {key}; returns the user's reference."
    return fixture


as_clerk = _signed_in("clerk")
as_leader = _signed_in("leader")
as_dept_head = _signed_in("dept_head")
as_handler = _signed_in("handler")
as_supervisor = _signed_in("supervisor")
as_admin = _signed_in("admin")
as_auditor = _signed_in("auditor")


def empty_redis(url: str):
    """The real Redis database at ``url``, emptied before and after (skips the test when no Redis answers): for the
    tests of what needs Redis — the job queue, the browser sessions."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    client = Redis.from_url(url)
    try:
        client.flushdb()
    except RedisDown:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield client
    client.flushdb()
