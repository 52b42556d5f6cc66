"""Failed sign-ins: the lockout, the unlock, one message and one amount of work for every refusal, the audit rows,
and the throttle per address."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest

from portal.accounts import passwords, services
from portal.accounts.models import Role, User
from portal.audit.models import AuditLog
from portal.errors import NotAllowed
from portal.extensions import db, limiter
from portal.localtime import as_of, now
from tests import factories
from tests.accounts import without_tokens

WRONG = "Wrong-password-2026"


def rows(app, action):
    with app.app_context():
        return list(db.session.execute(db.select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars())


def page(response) -> str:
    return without_tokens(response.get_data(as_text=True))


def fail(auth, username="clerk", times=1):
    for _ in range(times):
        assert auth.login(username, WRONG).status_code == 422


def test_five_failures_lock_the_account_even_against_the_right_password(app, auth, staff):
    fail(auth, times=4)
    assert auth.login("clerk").status_code == 303  # four are allowed
    auth.logout()

    fail(auth, times=5)
    refused = auth.login("clerk")

    assert refused.status_code == 422
    assert services.SIGN_IN_REFUSED in page(refused)
    [locked] = rows(app, "auth.locked")
    assert locked.object_id == staff["clerk"].id and locked.detail["failures"] == 5
    with app.app_context():
        assert db.session.get(User, staff["clerk"].id).locked_until is not None


def test_a_successful_sign_in_clears_the_count(auth, staff):
    fail(auth, times=4)
    assert auth.login("clerk").status_code == 303
    auth.logout()
    fail(auth, times=4)

    assert auth.login("clerk").status_code == 303


def test_failures_further_apart_than_the_window_do_not_lock(auth, staff):
    start = now()
    with as_of(start):
        fail(auth, times=4)
    with as_of(start + dt.timedelta(minutes=16)):
        fail(auth, times=1)
        assert auth.login("clerk").status_code == 303


def test_the_lock_ends_by_itself_after_the_lock_time(auth, staff):
    start = now()
    with as_of(start):
        fail(auth, times=5)
    with as_of(start + dt.timedelta(minutes=14)):
        assert auth.login("clerk").status_code == 422
    with as_of(start + dt.timedelta(minutes=16)):
        assert auth.login("clerk").status_code == 303


@pytest.mark.parametrize("setting, value", [("LOGIN_MAX_FAILURES", 2), ("LOGIN_LOCK_MINUTES", 1)])
def test_lockout_follows_the_settings(app, auth, staff, monkeypatch, setting, value):
    monkeypatch.setitem(app.config, setting, value)
    start = now()
    with as_of(start):
        fail(auth, times=value if setting == "LOGIN_MAX_FAILURES" else 5)
        assert auth.login("clerk").status_code == 422
    with as_of(start + dt.timedelta(minutes=2)):
        assert (auth.login("clerk").status_code == 303) is (setting == "LOGIN_LOCK_MINUTES")


def test_the_security_administrator_unlocks_an_account(app, auth, staff):
    fail(auth, times=5)
    with app.app_context():
        office = db.session.get(User, staff["clerk"].id).department
        security = factories.user("security", Role.SECURITY_ADMIN, department=office)
        services.unlock(db.session.get(User, staff["clerk"].id), security)
        db.session.commit()
        security_id = security.id

    assert auth.login("clerk").status_code == 303
    [unlocked] = rows(app, "user.unlock")
    assert unlocked.actor_id == security_id and unlocked.object_id == staff["clerk"].id
    assert unlocked.detail["was_locked"] is True


@pytest.mark.parametrize("actor", ["leader", "admin", "auditor", "clerk"])
def test_only_the_security_administrator_unlocks(world, actor):
    with pytest.raises(NotAllowed):
        services.unlock(world.handler, getattr(world, actor))


# --- one answer, one amount of work ----------------------------------------------------------------------------
@pytest.fixture
def refusals(app, auth, staff):
    """The login page as answered for an unknown user, a disabled one, a locked one and a wrong password."""
    with app.app_context():
        db.session.get(User, staff["leader"].id).active = False
        db.session.get(User, staff["supervisor"].id).locked_until = dt.datetime(2999, 1, 1)
        db.session.commit()
    return {
        "unknown": (auth.login("nobody", factories.PASSWORD), "nobody"),
        "disabled": (auth.login("leader", factories.PASSWORD), "leader"),
        "locked": (auth.login("supervisor", factories.PASSWORD), "supervisor"),
        "wrong": (auth.login("clerk", WRONG), "clerk"),
    }


def test_every_refusal_gets_the_same_status_and_page(refusals):
    pages = {}
    for kind, (response, username) in refusals.items():
        assert response.status_code == 422, kind
        assert services.SIGN_IN_REFUSED in page(response)
        pages[kind] = page(response).replace(f'value="{username}"', 'value="?"')
    for kind, text in pages.items():
        diff = difflib.unified_diff(pages["wrong"].splitlines(), text.splitlines(), lineterm="", n=0)
        assert text == pages["wrong"], f"{kind}:\n" + "\n".join(diff)


def test_every_refusal_is_audited_as_a_failure_with_its_reason(app, refusals):
    failed = rows(app, "auth.login_failed")

    assert sorted(r.detail["reason"] for r in failed) == ["disabled", "locked", "unknown_user", "wrong_password"]
    assert all(r.success is False and r.actor_id is None for r in failed)
    assert rows(app, "auth.login") == []


@pytest.fixture
def hash_checks(monkeypatch):
    """The password hashes checked, in order."""
    checked = []
    real = passwords.verify

    def spy(password_hash, password):
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify", spy)
    return checked


def test_an_unknown_user_costs_one_check_against_a_dummy_hash_of_the_same_method(app, auth, staff, hash_checks):
    auth.login("nobody", factories.PASSWORD)

    method = app.config["PASSWORD_HASH_METHOD"]
    assert hash_checks == [passwords._DUMMY_HASH[method]]
    assert hash_checks[0].startswith(method.split(":")[0] + ":" + method.split(":")[1])


@pytest.mark.parametrize("who", ["leader", "supervisor", "clerk"])
def test_disabled_locked_and_wrong_cost_one_check_of_the_real_hash(app, auth, staff, hash_checks, who):
    with app.app_context():
        db.session.get(User, staff["leader"].id).active = False
        db.session.get(User, staff["supervisor"].id).locked_until = dt.datetime(2999, 1, 1)
        db.session.commit()
        real_hash = db.session.get(User, staff[who].id).password_hash

    auth.login(who, factories.PASSWORD if who != "clerk" else WRONG)

    assert hash_checks == [real_hash]


# --- the throttle per address ------------------------------------------------------------------------------------
@pytest.fixture
def throttled(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_CLIENT", "3 per 10 minutes")
    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        limiter.reset()


def test_failed_sign_ins_from_one_address_are_throttled(client, staff, throttled):
    for name in ("nobody1", "nobody2", "nobody3"):  # different accounts: the lockout would not catch it
        assert client.post("/staff/login", data={"username": name, "password": WRONG}).status_code == 422

    blocked = client.post("/staff/login", data={"username": "clerk", "password": factories.PASSWORD})
    other_address = client.post(
        "/staff/login",
        data={"username": "clerk", "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )

    assert blocked.status_code == 429
    assert "登录尝试过于频繁" in page(blocked)
    assert other_address.status_code == 303


def test_successful_sign_ins_do_not_count_against_the_throttle(auth, staff, throttled):
    for _ in range(5):
        assert auth.login("clerk").status_code == 303
        auth.logout()
