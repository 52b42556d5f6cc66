"""Rate limits: guessing query codes gets nowhere and gets throttled; submissions are limited per client."""

from __future__ import annotations

import random
import re

import pytest

from portal.cases.codes import QUERY_ALPHABET
from portal.extensions import limiter


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


@pytest.fixture(autouse=True)
def fresh_counters(app):
    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        limiter.reset()


def guess() -> str:
    return "".join(random.choice(QUERY_ALPHABET) for _ in range(10))


def test_a_thousand_random_guesses_find_nothing_and_get_throttled(client, public_case):
    """One client guessing: first the per-code limit stops it, and random tracking codes hit the per-client one."""
    code = public_case()
    statuses = []
    for i in range(1000):
        tracking_code = code if i % 2 else f"XF20261123-{random.randrange(16**6):06X}"
        response = client.post("/track", data={"tracking_code": tracking_code, "query_code": guess()})
        statuses.append(response.status_code)
    assert 303 not in statuses
    assert statuses.count(429) > 980
    assert "查询尝试过于频繁" in response.get_data(as_text=True)


def test_many_clients_guessing_one_tracking_code_are_throttled_per_code(app, public_case):
    code = public_case()
    statuses = []
    for i in range(1000):
        client = app.test_client()
        response = client.post(
            "/track",
            data={"tracking_code": code, "query_code": guess()},
            environ_base={"REMOTE_ADDR": f"10.0.{i // 250}.{i % 250}"},
        )
        statuses.append(response.status_code)
    assert 303 not in statuses
    assert statuses.count(422) == 5 and statuses.count(429) == 995


def test_the_right_codes_after_a_few_mistakes_still_work(client, public_case):
    code = public_case()
    for _ in range(3):
        assert client.post("/track", data={"tracking_code": code, "query_code": guess()}).status_code == 422
    from tests.public.conftest import QUERY_CODE

    assert client.post("/track", data={"tracking_code": code, "query_code": QUERY_CODE}).status_code == 303


def test_the_api_shares_the_lookup_limits(client, public_case):
    code = public_case()
    statuses = [
        client.post("/api/v1/lookup", json={"tracking_code": code, "query_code": guess()}).status_code for _ in range(8)
    ]
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}
    response = client.post("/api/v1/lookup", json={"tracking_code": code, "query_code": guess()})
    assert response.json["message"] == "请求过于频繁，请稍后再试。"


def test_submissions_are_limited_per_client_and_the_form_is_kept(app, client, staff):
    app.config["SUBMIT_RATE_LIMIT"] = "2 per hour"
    try:
        data = {
            "name": "赵四",
            "phone": "13907310002",
            "case_type": "suggestion",
            "category_id": "0",
            "title": "建议增设公交站",
            "content": "城关镇幸福路口建议增设公交站。",
            "consent": "y",
        }
        statuses = [client.post("/submit", data=data).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]
        response = client.post("/submit", data=data)
        html = response.get_data(as_text=True)
        assert "提交过于频繁" in html and "城关镇幸福路口建议增设公交站。" in html
    finally:
        app.config["SUBMIT_RATE_LIMIT"] = "5 per hour;20 per day"


def test_limits_can_be_switched_off(app, client, public_case):
    app.config["RATELIMIT_ENABLED"] = False
    try:
        code = public_case()
        statuses = {
            client.post("/track", data={"tracking_code": code, "query_code": guess()}).status_code for _ in range(30)
        }
        assert statuses == {422}
    finally:
        app.config["RATELIMIT_ENABLED"] = True


REDIS_SCRIPT = """
import sys
from portal import create_app
from portal.extensions import db, limiter
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": sys.argv[1], "RATELIMIT_KEY_PREFIX": sys.argv[2],
                  "QUERY_CODE_HASH_METHOD": "pbkdf2:sha256:1000"})
with app.app_context():
    db.create_all()
client = app.test_client()
statuses = [client.post("/track", data={"tracking_code": "XF20261123-AAAAAA", "query_code": "CCCCCCCCCC"}).status_code
            for _ in range(7)]
print(type(limiter.storage).__name__, statuses)
"""


def test_limits_are_kept_in_redis_when_configured(tmp_path):
    """In a process of its own: the limiter is one instance per process, and this test must not leave Redis behind
    for the rest of the suite."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    result = subprocess.run(
        [sys.executable, "-c", REDIS_SCRIPT, "redis://127.0.0.1:6379/15", prefix],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[422, 422, 422, 422, 422, 429, 429]")
    assert "Redis" in result.stdout
    connection = redis.Redis(host="127.0.0.1", port=6379, db=15)
    keys = connection.keys(f"*{prefix}*")
    assert keys
    connection.delete(*keys)


def test_successful_lookups_are_limited_per_client_but_reloading_the_page_is_not(app, client, public_case, monkeypatch):
    """Each lookup costs a deliberate hash, so one valid pair cannot be replayed to keep the CPUs busy: past the
    limit the lookup is refused before any hash is checked; the petitioner reading their page again (a GET under
    the grant) is never counted."""
    from portal.cases import codes
    from tests.public.conftest import QUERY_CODE

    checked = []
    check = codes.check_query_code
    monkeypatch.setattr(codes, "check_query_code", lambda *args: checked.append(1) or check(*args))
    app.config["LOOKUP_LIMIT_ALL_PER_CLIENT"] = "4 per 10 minutes"
    try:
        code = public_case()
        pair = {"tracking_code": code, "query_code": QUERY_CODE}
        statuses = [client.post("/track", data=pair).status_code for _ in range(6)]
        assert statuses == [303] * 4 + [429] * 2
        assert len(checked) == 4  # the two refused lookups hashed nothing
        refused = client.post("/track", data=pair).get_data(as_text=True)
        assert re.search(r"查询尝试过于频繁，请\d+分钟后再试。", refused) and len(checked) == 4
        api = client.post("/api/v1/lookup", json=pair)  # the API shares the counter
        assert api.status_code == 429 and len(checked) == 4
        pages = [client.get(f"/track/{code}") for _ in range(20)]
        assert {p.status_code for p in pages} == {200} and all(code in p.get_data(as_text=True) for p in pages)
        other = app.test_client()  # another client is not affected
        assert other.post("/track", data=pair, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 303
    finally:
        app.config["LOOKUP_LIMIT_ALL_PER_CLIENT"] = "30 per 10 minutes;200 per day"
