"""Browser sessions in Redis (portal.browser_session): with REDIS_URL set, the cookie holds only an id, the contents
live in Redis shared by every instance, sign-in gives a new id and logout deletes the entry. Against the real
server on 127.0.0.1:6379 (skipped when none answers)."""

from __future__ import annotations

import pytest

from portal import browser_session, create_app
from tests.conftest import empty_redis

REDIS_TEST_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis():
    yield from empty_redis(REDIS_TEST_URL)


@pytest.fixture
def app_config(app_config, redis):
    return {**app_config, "REDIS_URL": REDIS_TEST_URL}


def _session_keys(redis) -> list[bytes]:
    return redis.keys(browser_session.KEY_PREFIX + "*")


def _sid(client, app) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def test_the_store_is_redis_when_redis_is_configured_and_the_signed_cookie_otherwise():
    assert browser_session.store({"REDIS_URL": "redis://x/0"}) == "redis"
    assert browser_session.store({"REDIS_URL": ""}) == "cookie"
    assert browser_session.store({"REDIS_URL": "redis://x/0", "SESSION_STORE": "cookie"}) == "cookie"


def test_a_store_other_than_redis_or_cookie_or_redis_without_a_url_refuses_to_start(app_config):
    with pytest.raises(RuntimeError, match="SESSION_STORE"):
        create_app({**app_config, "SESSION_STORE": "memcached"})
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app({**app_config, "REDIS_URL": "", "SESSION_STORE": "redis"})


def test_the_cookie_carries_only_an_id_and_the_session_lives_in_redis(app, client, login, redis):
    login("clerk")
    sid = _sid(client, app)
    assert sid and "." not in sid  # not a signed Flask cookie with the contents in it
    assert redis.exists(browser_session.KEY_PREFIX + sid)
    assert client.get("/staff/cases/").status_code == 200


def test_signing_in_gives_the_browser_session_a_new_id(app, client, login, redis):
    client.get("/staff/login")  # the form's CSRF token makes an anonymous session
    before = _sid(client, app)
    assert before and redis.exists(browser_session.KEY_PREFIX + before)
    login("clerk")
    after = _sid(client, app)
    assert after != before
    assert not redis.exists(browser_session.KEY_PREFIX + before)  # the id known before sign-in is worth nothing


def test_logout_deletes_the_session_from_redis_so_a_replayed_cookie_is_anonymous(app, client, login, auth, redis):
    login("clerk")
    sid = _sid(client, app)
    auth.logout()
    assert not redis.exists(browser_session.KEY_PREFIX + sid)
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], sid)
    assert replay.get("/staff/cases/").status_code in (302, 303)


def test_a_sign_in_on_one_instance_is_a_sign_in_on_another_sharing_the_store(app, app_config, client, login):
    login("clerk")
    sid = _sid(client, app)
    other = create_app(app_config)  # a second instance: same database, same Redis, nothing in memory shared
    browser = other.test_client()
    browser.set_cookie(other.config["SESSION_COOKIE_NAME"], sid)
    assert browser.get("/staff/cases/").status_code == 200


def test_a_request_that_changes_nothing_writes_nothing_back_to_redis(app, client, login, redis):
    login("clerk")
    key = browser_session.KEY_PREFIX + _sid(client, app)
    assert client.get("/staff/cases/").status_code == 200  # the first page may still add to the session (CSRF)
    redis.expire(key, 1000)
    assert client.get("/staff/cases/").status_code == 200
    assert 990 <= redis.ttl(key) <= 1000  # not written again (a write would reset it to SESSION_ABSOLUTE_HOURS)
