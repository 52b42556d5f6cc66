"""The public statistics page and its JSON twin: what they show, what they never show, and bad parameters."""

import datetime as dt
import json
import re

import pytest
import schemathesis

from portal.cases import services
from portal.cases.models import CaseType, Channel, Rating, Status
from portal.localtime import as_of
from portal.stats.indicators import INDICATORS
from portal.stats.views import OPENAPI_PATHS
from tests.factories import make_case

D = dt.date
NAME, TITLE = "欧阳娜娜", "关于幸福路小区违章建筑的投诉"


@pytest.fixture
def cases(seed):
    """A few 2025 cases with a recognisable petitioner and title; returns their tracking codes."""

    def build(world):
        replied = make_case(world, Status.REPLIED, on=D(2025, 3, 3), petitioner_name=NAME, title=TITLE)
        with as_of(D(2025, 3, 3)):
            services.record_evaluation(replied, acceptance=Rating.SATISFIED, handling=Rating.BASICALLY)
        closed = make_case(
            world,
            Status.CLOSED,
            on=D(2025, 4, 7),
            channel=Channel.VISIT,
            petitioner_name=NAME,
            title=TITLE,
            department=world.labour,
        )
        waiting = make_case(
            world, Status.REGISTERED, on=D(2025, 4, 8), case_type=CaseType.SUGGESTION, petitioner_name=NAME, title=TITLE
        )
        return [c.tracking_code for c in (replied, closed, waiting)]

    return seed(build)


@pytest.fixture
def operation():
    document = {"openapi": "3.0.3", "info": {"title": "阳光信访", "version": "1"}, "paths": OPENAPI_PATHS}
    return schemathesis.openapi.from_dict(document)["/api/v1/stats"]["GET"]


# --- the page ------------------------------------------------------------------------------------------------
def test_the_page_shows_figures_charts_departments_and_definitions(client, cases):
    response = client.get("/stats?year=2025")

    assert response.status_code == 200
    html = response.text
    assert '<option value="2025" selected>2025年</option>' in html
    assert "2025年总体情况" in html
    assert html.count('<svg class="chart-svg"') == 2
    assert html.count("<title id=") == 2 and html.count("<desc id=") == 2
    assert "2025年1月至2025年12月共3件，其中来信2件、来访1件。" in html  # the charts' text alternative
    assert "县住房和城乡建设局" in html and "县人力资源和社会保障局" in html
    assert "指标说明" in html
    for indicator in INDICATORS:
        assert indicator.definition in html
    # 参评率: 1 evaluated of 2 delivered; 满意率 (受理): 1 of 1.
    assert re.search(
        r"<dt>参评率</dt>\s*<dd class=\"tile-value\">50\.0%</dd>\s*<dd class=\"tile-sub\">1 / 2 件</dd>", html
    )
    assert re.search(r"<dt>满意率（受理）</dt>\s*<dd class=\"tile-value\">100\.0%</dd>", html)


def test_the_page_shows_no_case_petitioner_or_title(client, cases):
    for url in ("/stats", "/stats?year=2025", "/api/v1/stats?year=2025"):
        text = client.get(url).text
        assert NAME not in text and NAME[0] + "*" not in text
        assert TITLE not in text
        assert not any(code in text for code in cases)


def test_a_rate_with_a_zero_denominator_shows_a_dash(client, staff):
    html = client.get("/stats").text

    tiles = re.findall(r'<dd class="tile-value">(.*?)</dd>', html)
    assert tiles[1:] == ["—"] * len(INDICATORS)
    assert "0.0%" not in html
    assert "本期间没有数据" in html


@pytest.mark.parametrize("year", ["abc", "1999", "3000", "２０２５", "2025'--", "-1"])
def test_a_bad_year_gets_a_chinese_message_and_the_last_twelve_months(client, staff, year):
    response = client.get("/stats", query_string={"year": year})

    assert response.status_code == 200
    assert "年份应为" in response.text and "已显示最近12个月的数据" in response.text
    assert '<option value="" selected>最近12个月</option>' in response.text


def test_the_page_loads_nothing_from_elsewhere_and_has_no_inline_script_or_style(client, cases):
    html = client.get("/stats?year=2025").text

    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "/static/css/stats.css" in html


def test_the_period_form_works_without_javascript(client, staff):
    html = client.get("/stats?year=").text  # what the selector sends for 最近12个月

    assert "年份应为" not in html

    assert re.search(r'<form method="get" action="/stats"', html)
    assert '<select id="stats-year" name="year">' in html


# --- the JSON twin -------------------------------------------------------------------------------------------
def test_the_api_returns_the_period_totals_rates_months_and_departments(client, cases, operation):
    response = client.get("/api/v1/stats?year=2025")

    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"period", "as_of", "totals", "rates", "unassigned", "monthly", "departments", "labels"}
    assert data["period"] == {
        "kind": "year",
        "year": 2025,
        "start": "2025-01-01",
        "end": "2025-12-31",
        "months": [f"2025-{m:02d}" for m in range(1, 13)],
    }
    assert data["totals"]["received"] == 3 and data["unassigned"]["received"] == 1
    assert data["rates"]["evaluation"] == 0.5
    assert data["rates"]["first_time_resolution"] == 1.0
    assert data["rates"]["on_time_handling"] == 1.0
    assert data["monthly"][2] == {
        "month": "2025-03",
        "total": 1,
        "by_channel": {**{c.value: 0 for c in Channel}, "letter": 1},
        "by_case_type": {**{t.value: 0 for t in CaseType}, "claim": 1},
    }
    # The petition office is listed for the acceptance step it held (及时受理率), after the assigned departments.
    assert [d["name"] for d in data["departments"]] == ["县人力资源和社会保障局", "县住房和城乡建设局", "县信访局"]
    assert set(data["departments"][0]["rates"]) == set(data["rates"]) - {"acceptance_satisfaction"}
    assert data["labels"]["rates"]["timely_acceptance"] == "及时受理率"
    operation.validate_response(response)


def test_the_api_gives_null_for_rates_it_cannot_compute(client, staff, operation):
    response = client.get("/api/v1/stats")

    data = response.get_json()
    assert data["period"]["kind"] == "last_12_months" and data["period"]["year"] is None
    assert len(data["period"]["months"]) == 12 == len(data["monthly"])
    assert all(value is None for value in data["rates"].values())
    assert data["departments"] == []
    operation.validate_response(response)


@pytest.mark.parametrize("year", ["", "abc", "1999", "3000", "2025.5", "-1"])
def test_the_api_refuses_a_bad_year_with_a_chinese_json_message(client, staff, year, operation):
    response = client.get("/api/v1/stats", query_string={"year": year})

    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"] == "bad_year"
    assert "年份应为" in response.get_json()["message"]
    operation.validate_response(response)


def test_the_schema_refuses_a_response_that_does_not_match(client, staff, operation):
    # The check above would be worthless if validate_response accepted anything.
    response = client.get("/api/v1/stats")
    data = response.get_json()
    data["rates"]["surprise"] = 1
    response.set_data(json.dumps(data))

    with pytest.raises(AssertionError, match="surprise"):
        operation.validate_response(response)
