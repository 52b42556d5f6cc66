"""The JSON API: submit and look up, errors as JSON with a Chinese message, and the OpenAPI document that
schemathesis checks the whole API against."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from portal.api.openapi import YEAR_PATTERN
from portal.cases.models import Status
from portal.deadlines.views import API_YEARS
from portal.validation import id_check_digit, id_number_problem
from tests.public.conftest import QUERY_CODE

PETITION = {
    "name": "李桂兰",
    "phone": "13907310003",
    "title": "村道损毁",
    "content": "村道年久失修，雨天无法通行。",
    "case_type": "suggestion",
}


def test_submit_returns_both_codes_and_lookup_finds_the_case(client, staff):
    response = client.post("/api/v1/petitions", json={**PETITION, "address": "青山乡", "id_number": ""})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    receipt = response.json
    assert receipt["tracking_code"].startswith("XF") and len(receipt["query_code"]) == 10
    assert receipt["lookup_url"].endswith(f"/track/{receipt['tracking_code']}")
    found = client.post(
        "/api/v1/lookup", json={"tracking_code": receipt["tracking_code"], "query_code": receipt["query_code"]}
    )
    assert found.status_code == 200
    body = found.json
    assert body["name"] == "李**" and body["status"] == "registered" and body["stage"] == "登记"
    assert body["due_date"] == receipt["accept_due"] and body["timeline"][0]["title"] == "登记"
    assert "13907310003" not in found.get_data(as_text=True) and "李桂兰" not in found.get_data(as_text=True)


def test_lookup_of_a_replied_case_carries_the_signed_reply(client, public_case):
    code = public_case(Status.REPLIED)
    body = client.post("/api/v1/lookup", json={"tracking_code": code, "query_code": QUERY_CODE}).json
    reply = body["replies"][0]
    assert reply["kind"] == "处理意见书" and reply["outcome"] == "支持" and reply["signer_name"]
    assert body["can_request_review"]["open"] is True and body["can_request_review"]["days_left"] > 0
    assert body["can_evaluate"]["open"] is True


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**PETITION, "case_type": "complaint"}, "case_type 只能是"),
        ({**PETITION, "phone": ""}, "请填写联系电话"),
        ({**PETITION, "title": "x" * 101}, "标题不能超过100字"),
        ({**PETITION, "name": 5}, "必须是字符串"),
        ({**PETITION, "category": "不存在的分类"}, "内容分类“不存在的分类”不存在"),
        ({**PETITION, "admin": True}, "不认识的字段"),
        ([1, 2], "JSON 对象"),
    ],
)
def test_bad_petitions_get_json_errors_in_chinese(app, client, staff, payload, message):
    response = client.post("/api/v1/petitions", json=payload)
    assert response.status_code == 400 and message in response.json["message"]
    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Case)).scalar() == 0


def test_a_wrong_pair_is_404_with_the_generic_message(client, public_case):
    code = public_case()
    for pair in (
        {"tracking_code": code, "query_code": "AAAAAAAAAA"},
        {"tracking_code": "XF20990101-ZZZZZZ", "query_code": QUERY_CODE},
    ):
        response = client.post("/api/v1/lookup", json=pair)
        assert response.status_code == 404 and response.json["message"].startswith("信访件编号或查询码不正确")


def test_unknown_api_paths_answer_in_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["message"] == "您要找的页面不存在。"


def test_openapi_document_lists_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/petitions", "/api/v1/lookup", "/api/v1/roster", "/api/v1/stats", "/api/v1/deadline"} <= set(
        document["paths"]
    )


def test_the_documented_year_pattern_is_exactly_the_years_the_deadline_api_counts():
    first, last = API_YEARS
    accepted = [year for year in range(1000, 10000) if re.match(YEAR_PATTERN, f"{year}-01-01")]
    assert accepted == list(range(first, last + 1))


def _categories(*names):
    def add(world):
        from portal.cases.models import Category
        from portal.extensions import db

        db.session.add_all(Category(name=name) for name in names)

    return add


def test_the_document_names_the_active_categories(client, seed):
    seed(_categories("征地拆迁"))
    category = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Petition"]["properties"]["category"]
    assert "征地拆迁" in category["enum"] and None in category["enum"]


# --- schemathesis: generated requests against the whole API, every response checked against the document ---------
# The named formats the document uses for what a pattern cannot say, generated as the server accepts them.
@st.composite
def resident_ids(draw) -> str:
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()))
    first17 = f"{draw(st.integers(110000, 659999))}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + id_check_digit(first17)


schemathesis.openapi.format("cn-resident-id", resident_ids())


def test_generated_resident_ids_are_valid():
    from hypothesis import given

    @given(resident_ids())
    def check(value):
        assert id_number_problem(value) is None

    check()


@pytest.fixture
def api_schema(app, seed):
    seed(_categories("征地拆迁", "劳动社保"))
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document_and_never_fails(case):
    # Every check, "schema-valid data must be accepted" included: the document states every rule the server
    # enforces, through patterns, enums and the named formats registered above.
    case.call_and_validate()
