"""`make serve` refuses a production start with generated secrets or per-process rate limits."""

import pytest

from portal.ops import gunicorn as gunicorn_conf
from portal.ops.preflight import problems

GOOD_ENV = {"SECRET_KEY": "s" * 40, "DATA_KEY": "a" * 64, "INDEX_KEY": "b" * 64}
REDIS = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_ENABLED": True}


def test_a_production_configuration_passes():
    assert problems(REDIS, workers=4, environ=GOOD_ENV) == []


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEY", "INDEX_KEY"])
def test_a_secret_not_in_the_environment_is_refused(missing):
    env = {k: v for k, v in GOOD_ENV.items() if k != missing}
    found = problems(REDIS, workers=1, environ=env)
    assert len(found) == 1 and found[0].startswith(missing)


def test_in_process_rate_limits_are_refused_with_several_workers_only():
    memory = {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": True}
    assert problems(memory, workers=1, environ=GOOD_ENV) == []
    assert "RATELIMIT_STORAGE_URI" in problems(memory, workers=3, environ=GOOD_ENV)[0]


def test_the_cli_exits_non_zero_with_a_message(app, monkeypatch):
    for name in GOOD_ENV:
        monkeypatch.delenv(name, raising=False)
    result = app.test_cli_runner().invoke(args=["preflight", "--workers", "1"])
    assert result.exit_code == 1
    assert "SECRET_KEY is not set in the environment" in result.output


def test_a_well_known_development_secret_is_refused(app, monkeypatch):
    for name, value in GOOD_ENV.items():
        monkeypatch.setenv(name, value)
    result = app.test_cli_runner().invoke(args=["preflight", "--workers", "1"])  # the test app's test-secret-key
    assert result.exit_code == 1
    assert "well-known development value" in result.output


class TestProductionSecrets:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "SECRET_KEY": GOOD_ENV["SECRET_KEY"]}

    def test_the_cli_passes_when_the_environment_is_set(self, app, monkeypatch):
        for name, value in GOOD_ENV.items():
            monkeypatch.setenv(name, value)
        result = app.test_cli_runner().invoke(args=["preflight", "--workers", "1"])
        assert result.exit_code == 0, result.output


def test_gunicorn_refuses_to_start_without_the_secrets(monkeypatch, capsys):
    for name in GOOD_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as stopped:
        gunicorn_conf.on_starting(None)
    assert stopped.value.code == 1
    assert "refusing to start: SECRET_KEY" in capsys.readouterr().err
