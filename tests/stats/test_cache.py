"""The public statistics are computed at most once per STATS_CACHE_SECONDS, and the page says when they were."""

from __future__ import annotations

import pytest

from portal import caching
from portal.cases.models import Status
from tests.factories import make_case


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STATS_CACHE_SECONDS": 300}


@pytest.fixture(autouse=True)
def fresh_cache():
    caching.forget_local()
    yield
    caching.forget_local()


def _received(client) -> int:
    return client.get("/api/v1/stats").json["totals"]["received"]


def test_the_statistics_are_kept_for_the_configured_time_and_the_page_says_so(client, seed):
    seed(lambda world: make_case(world, Status.REGISTERED).id)
    assert _received(client) == 1
    seed(lambda world: make_case(world, Status.REGISTERED).id)
    assert _received(client) == 1  # the kept report
    html = client.get("/stats").get_data(as_text=True)
    assert "数据统计于" in html and "每5分钟更新" in html
    caching.forget_local()
    assert _received(client) == 2


def test_ledger_counts_are_never_kept_a_new_case_counts_at_once(client, login, seed):
    seed(lambda world: make_case(world, Status.ASSIGNED).id)
    login("clerk")
    first = client.get("/staff/ledgers/").get_data(as_text=True)
    seed(lambda world: make_case(world, Status.ASSIGNED).id)
    second = client.get("/staff/ledgers/").get_data(as_text=True)
    assert "<b>1</b> 件" in first and "<b>2</b> 件" in second and "件数为当前数据" in second


def test_without_a_time_nothing_is_kept(app):
    calls = []
    app.config["STATS_CACHE_SECONDS"] = 0
    for _ in range(2):
        caching.cached("k", 0, lambda: calls.append(1))
    assert len(calls) == 2
