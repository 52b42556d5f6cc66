"""A Redis database of its own for the queue tests (skipped when no Redis answers on 127.0.0.1:6379)."""

from typing import ClassVar

import pytest

from tests.conftest import empty_redis

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_url():
    for _ in empty_redis(REDIS_TEST_URL):  # the client is not needed, only the emptied database
        yield REDIS_TEST_URL


class RecordingSender:
    sent: ClassVar[list] = []

    def send(self, phone, text):
        RecordingSender.sent.append((phone, text))


class BrokenSender:
    def send(self, phone, text):
        raise ConnectionError(f"短信网关连接超时 {phone}")


@pytest.fixture
def use_sender(monkeypatch):
    def configure(app, cls):
        monkeypatch.setitem(app.config, "SMS_SENDER", f"{__name__}:{cls.__name__}")
        RecordingSender.sent = []

    return configure
