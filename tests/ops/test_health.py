"""/healthz: the database, Redis when configured, the queue and the last sweep; 200 or 503; nothing more. Request ids
and JSON log lines."""

import json
import logging

import pytest

from portal.jobs.models import JobRun
from portal.localtime import utcnow
from portal.ops.logs import JsonFormatter


def test_healthy_without_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "not configured"
    assert body["checks"]["jobs"]["mode"] == "inline"
    assert body["checks"]["jobs"]["last_sweep"] is None and body["checks"]["jobs"]["sweep_stale"] is True
    assert response.headers["Cache-Control"] == "no-store"


def test_the_last_successful_sweep_is_shown(app, client):
    with app.app_context():
        from portal.extensions import db

        db.session.add(JobRun(name="clock_sweep", ok=True, finished_at=utcnow(), detail={"people": 1}))
        db.session.add(JobRun(name="clock_sweep", ok=False, finished_at=utcnow()))
        db.session.commit()
    jobs = client.get("/healthz").get_json()["checks"]["jobs"]
    assert jobs["last_sweep"] is not None and jobs["sweep_stale"] is False


class TestRedisDown:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing listens on port 1

    def test_503_and_no_detail(self, client):
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.get_json()
        assert body == {"status": "fail", "checks": {"database": "ok", "redis": "fail"}}
        assert b"127.0.0.1" not in response.data


def test_a_database_failure_is_503(client, monkeypatch):
    from portal.ops import health

    monkeypatch.setattr(health, "_database", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "fail"


def test_the_request_id_is_honoured_or_generated(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-42.a"}).headers["X-Request-ID"] == "lb-42.a"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id\u0000<script>"}).headers["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()


def test_json_log_lines_carry_the_request_id(app):
    with app.test_request_context("/healthz?phone=13900000000"):
        from flask import g

        g.request_id = "rid-1"
        record = logging.LogRecord("portal.x", logging.INFO, __file__, 1, "hello %s", ("世界",), None)
        record.path = "/healthz"
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "rid-1" and line["message"] == "hello 世界" and line["level"] == "INFO"
    assert line["path"] == "/healthz"


class TestJsonRequestLog:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LOG_FORMAT": "json"}

    def test_each_request_is_logged_once_without_its_query(self, client, caplog):
        with caplog.at_level(logging.INFO, logger="portal.request"):
            client.get("/healthz?phone=13900000000", headers={"X-Request-ID": "abc"})
        records = [r for r in caplog.records if r.name == "portal.request"]
        assert len(records) == 1
        assert records[0].path == "/healthz" and records[0].status == 200
        assert "13900000000" not in JsonFormatter().format(records[0])


def test_a_response_given_before_the_request_id_was_made_still_gets_one(app):
    from portal.ops import logs

    with app.test_request_context("/staff/login", headers={"X-Request-ID": "early-1"}):
        response = logs._finish(app.response_class("ok"))
    assert response.headers["X-Request-ID"] == "early-1"
