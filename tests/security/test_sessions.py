"""Staff sessions on the server: rotation at sign-in, logout that really ends, idle and absolute timeouts, no
remember cookie, cookie flags, and ending sessions — one's own, and anyone's for the security administrator."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.accounts.models import User
from portal.accounts.sessions import SESSION_KEY, EndReason
from portal.extensions import db
from portal.localtime import as_of, utcnow
from tests.conftest import BASE_CONFIG
from tests.security.conftest import at, audit_actions, session_rows

PAGE = "/staff/security/sessions"  # any page that needs a signed-in person and answers 200


def signed_in(client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def cookie_value(client, name: str = "session") -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


# --- sign-in and logout ----------------------------------------------------------------------------------------
def test_sign_in_starts_a_server_session_and_stores_only_its_hash(app, client, login):
    ref = login("clerk")

    [row] = session_rows(app, ref.id)
    with client.session_transaction() as session:
        token = session[SESSION_KEY]
    assert row.ended_at is None and row.ip == "127.0.0.1"
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert signed_in(client)


def test_sign_in_rotates_the_session(client, auth, staff):
    with client.session_transaction() as session:
        session[SESSION_KEY] = "planted-by-an-attacker"
        session["left_over"] = "from before"
    auth.login("clerk")
    with client.session_transaction() as session:
        first = session[SESSION_KEY]
        assert "left_over" not in session
    auth.logout()
    auth.login("clerk")
    with client.session_transaction() as session:
        second = session[SESSION_KEY]

    assert first != "planted-by-an-attacker" and second != first


def test_a_cookie_replayed_after_logout_is_refused(app, client, auth, login):
    ref = login("clerk")
    stolen = cookie_value(client)

    auth.logout()
    client.set_cookie("session", stolen)

    assert not signed_in(client)
    [row] = session_rows(app, ref.id)
    assert row.end_reason is EndReason.LOGOUT


def test_no_remember_cookie_is_ever_set(client, auth, staff):
    responses = [
        client.post("/staff/login", data={"username": "clerk", "password": "xinfang-test-2026", "remember": "y"})
    ]
    responses.append(client.get(PAGE))
    responses.append(auth.logout())

    for response in responses:
        assert not any("remember_token" in h for h in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token") is None
    assert "保持登录" not in client.get("/staff/login").get_data(as_text=True)


def test_a_remember_cookie_from_before_signs_nobody_in(app, client, staff):
    from flask_login.utils import encode_cookie

    with app.test_request_context():
        client.set_cookie("remember_token", encode_cookie(str(staff["clerk"].id)))

    assert not signed_in(client)


def test_session_cookie_is_httponly_and_lax(client, auth, staff):
    response = auth.login("clerk")

    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def secure_config(database_url):
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "SESSION_COOKIE_SECURE": True}


def test_session_cookie_is_secure_when_configured(secure_config, staff):
    from portal import create_app

    app = create_app(secure_config)
    response = app.test_client().post("/staff/login", data={"username": "clerk", "password": "xinfang-test-2026"})
    with app.app_context():
        db.engine.dispose()

    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert "Secure" in cookie


# --- timeouts ----------------------------------------------------------------------------------------------------
def test_idle_timeout_signs_out_after_thirty_minutes_without_a_request(app, client, login):
    with as_of(at()):
        ref = login("clerk")
    with as_of(at(minutes=29)):
        assert signed_in(client)
    with as_of(at(minutes=29 + 30)):
        assert not signed_in(client)

    [row] = session_rows(app, ref.id)
    assert row.end_reason is EndReason.IDLE


def test_activity_keeps_the_session_alive(client, login):
    with as_of(at()):
        login("clerk")
    for minutes in (20, 40, 60, 80):
        with as_of(at(minutes=minutes)):
            assert signed_in(client), minutes


def test_absolute_timeout_ends_even_a_busy_session_after_twelve_hours(app, client, login):
    with as_of(at()):
        ref = login("clerk")
    for minutes in range(20, 12 * 60, 20):
        with as_of(at(minutes=minutes)):
            assert signed_in(client), minutes
    with as_of(at(hours=12)):
        assert not signed_in(client)

    [row] = session_rows(app, ref.id)
    assert row.end_reason is EndReason.ABSOLUTE


def test_last_seen_is_written_at_most_once_a_minute(app, client, login):
    with as_of(at()):
        ref = login("clerk")
    with as_of(at(minutes=0.5)):
        signed_in(client)
    [row] = session_rows(app, ref.id)
    assert row.last_seen_at == row.created_at

    with as_of(at(minutes=1.5)):
        signed_in(client)
    [row] = session_rows(app, ref.id)
    assert row.last_seen_at - row.created_at == at(minutes=1.5) - at()


@pytest.fixture
def short_sessions(database_url):
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "SESSION_IDLE_MINUTES": 5}


def test_idle_timeout_is_a_setting(short_sessions, staff):
    from portal import create_app

    app = create_app(short_sessions)
    client = app.test_client()
    with as_of(at()):
        client.post("/staff/login", data={"username": "clerk", "password": "xinfang-test-2026"})
    with as_of(at(minutes=4)):
        assert signed_in(client)
    with as_of(at(minutes=10)):
        assert not signed_in(client)
    with app.app_context():
        db.engine.dispose()


# --- seeing and ending sessions ----------------------------------------------------------------------------------
@pytest.fixture
def second_browser(app, staff):
    """Another browser, signed in as the clerk too."""
    other = app.test_client()
    assert other.post("/staff/login", data={"username": "clerk", "password": "xinfang-test-2026"}).status_code == 303
    return other


def test_a_person_sees_their_sessions_and_ends_another_one(app, client, login, second_browser):
    ref = login("clerk")
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count("/end") == 2 and "本次登录" in page

    [other_row, _mine] = session_rows(app, ref.id)
    response = client.post(f"/staff/security/sessions/{other_row.id}/end")

    assert response.status_code == 303
    assert not signed_in(second_browser)
    assert signed_in(client)
    [ended] = audit_actions(app, "session.end")
    assert ended.actor_id == ref.id and ended.detail["reason"] == "by_user"


def test_ending_the_current_session_signs_out(app, client, login):
    ref = login("clerk")
    [row] = session_rows(app, ref.id)

    response = client.post(f"/staff/security/sessions/{row.id}/end")

    assert urlsplit(response.headers["Location"]).path == "/staff/login"
    assert not signed_in(client)


def test_nobody_else_may_end_a_persons_session(app, client, login, second_browser, staff):
    [row] = session_rows(app, staff["clerk"].id)
    login("handler")

    assert client.post(f"/staff/security/sessions/{row.id}/end").status_code == 403
    assert signed_in(second_browser)


def test_the_list_shows_only_the_own_sessions(client, login, second_browser):
    login("handler")

    page = client.get(PAGE).get_data(as_text=True)

    assert page.count("/end") == 1


def test_the_security_administrator_sees_and_ends_anyones_session(
    app, client, as_security_admin, second_browser, staff
):
    page = client.get("/staff/security/sessions/all").get_data(as_text=True)
    assert "李登记（clerk）" in page
    [row] = session_rows(app, staff["clerk"].id)

    response = client.post(f"/staff/security/sessions/{row.id}/end", data={"back": "all"})

    assert urlsplit(response.headers["Location"]).path == "/staff/security/sessions/all"
    assert not signed_in(second_browser)
    [ended] = audit_actions(app, "session.end")
    assert ended.actor_id == as_security_admin.id and ended.object_id == staff["clerk"].id
    assert ended.detail["reason"] == "by_security_admin"


def test_a_disabled_account_is_signed_out_at_once(app, client, as_security_admin, second_browser, staff):
    response = client.post(f"/staff/security/accounts/{staff['clerk'].id}/disable")

    assert response.status_code == 303
    assert not signed_in(second_browser)
    [row] = session_rows(app, staff["clerk"].id)
    assert row.end_reason is EndReason.DISABLED


def test_an_account_disabled_elsewhere_is_refused_by_the_loader(app, second_browser, staff):
    with app.app_context():
        db.session.get(User, staff["clerk"].id).active = False
        db.session.commit()

    assert not signed_in(second_browser)
    [row] = session_rows(app, staff["clerk"].id)
    assert row.end_reason is EndReason.DISABLED and row.ended_at <= utcnow()
