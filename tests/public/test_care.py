"""Issue 17 on the server: the 关怀版 switch (a cookie, without JavaScript), the progress page's plain-language next
step with its article, and the lookup grant that says when it ends and renews without the codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.cases.models import CaseType, Status
from portal.localtime import CST, as_of
from portal.public.stages import ARTICLES
from tests.public.conftest import case_by_code


def html_class(response) -> list[str]:
    match = re.search(r'<html lang="zh-CN"(?: class="([^"]*)")?>', response.get_data(as_text=True))
    assert match, "no <html> tag"
    return (match.group(1) or "").split()


@pytest.mark.parametrize("path", ["/", "/submit", "/track", "/privacy", "/basis", "/roster", "/stats", "/deadline"])
def test_every_public_page_has_the_switch_and_a_skip_link(client, path):
    body = client.get(path).get_data(as_text=True)
    assert f'href="/care/1?next={path}"' in body.replace("%2F", "/")
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in body
    assert '<main class="wrap" id="main"' in body


def test_the_switch_sets_a_cookie_and_goes_back_and_every_page_then_is_the_care_version(client):
    response = client.get("/care/1?next=/track")
    assert response.status_code == 303 and response.headers["Location"] == "/track"
    assert re.search(r"care=1; .*Max-Age=31536000", response.headers["Set-Cookie"])
    for path in ("/", "/track", "/stats"):
        assert html_class(client.get(path)) == ["care"]

    client.get("/care/2?next=/")
    assert html_class(client.get("/")) == ["care", "care-xl"]

    response = client.get("/care/0?next=/stats")
    assert response.headers["Location"] == "/stats"
    assert html_class(client.get("/")) == []


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", None])
def test_the_switch_never_sends_anyone_to_another_site(client, target):
    response = client.get("/care/1", query_string={"next": target} if target else {})
    assert response.headers["Location"] == "/"


def test_pages_say_they_vary_by_cookie(client):
    assert "Cookie" in client.get("/").headers["Vary"]


def test_the_switch_on_a_receipt_needs_javascript_so_the_receipt_is_never_left_behind(client):
    # The answer to a POST: a link would GET the empty form; the group shows only with JavaScript (switching in place).
    body = client.post("/submit", data={}).get_data(as_text=True)
    assert 'class="care-switch js-only"' in body


def test_staff_pages_stay_as_they_are(client, login, seed):
    client.set_cookie("care", "1")
    assert html_class(client.get("/")) == ["care"]
    login("clerk")
    assert html_class(client.get("/")) == []


def test_the_statistics_open_their_tables_in_the_care_version(client):
    assert " open>" not in client.get("/stats").get_data(as_text=True).split('class="chart-data"')[1][:40]
    client.set_cookie("care", "1")
    assert client.get("/stats").get_data(as_text=True).count('class="chart-data" data-care-open open>') == 2


# --- the next step in plain words ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, words, article",
    [
        (Status.REGISTERED, "告诉您是否受理", "二十二"),
        (Status.ACCEPTED, "给您书面答复", "三十四"),
        (Status.IN_PROGRESS, "正在调查、处理您的事情", "三十四"),
        (Status.AWAITING_VERIFICATION, "送达给您", "三十四"),
    ],
)
def test_each_stage_says_what_happens_next_by_when_and_links_its_article(
    app, client, public_case, looked_up, status, words, article
):
    code = public_case(status)
    looked_up(code)
    body = client.get(f"/track/{code}").get_data(as_text=True)
    with app.app_context():
        due = case_by_code(code).due_date
    sentence = re.search(r'<p id="speak-next">([^<]*)</p>', body).group(1)
    assert words in sentence and f"{due.year}年{due.month}月{due.day}日前" in sentence
    assert f'href="/basis#{ARTICLES[article].anchor}">依据：《信访工作条例》第{article}条</a>' in body
    assert f'id="{ARTICLES[article].anchor}"' in client.get("/basis").get_data(as_text=True)


def test_after_the_reply_the_next_step_is_the_petitioners_own_window_to_ask_for_review(
    app, client, public_case, looked_up
):
    code = public_case(Status.REPLIED, case_type=CaseType.CLAIM)
    looked_up(code)
    body = client.get(f"/track/{code}").get_data(as_text=True)
    with app.app_context():
        due = case_by_code(code).due_date
    assert f"可以{due.year}年{due.month}月{due.day}日前申请复查" in body
    assert "第三十五条" in body


def test_a_confidential_case_says_the_next_step_without_a_date(client, public_case, looked_up):
    code = public_case(Status.IN_PROGRESS, confidential=True)
    looked_up(code)
    sentence = re.search(r'<p id="speak-next">([^<]*)</p>', client.get(f"/track/{code}").get_data(as_text=True))
    assert "在规定期限内给您书面答复" in sentence.group(1)


def test_the_lookup_api_carries_the_same_sentence(client, public_case):
    from tests.public.conftest import QUERY_CODE

    code = public_case(Status.REGISTERED)
    data = client.post("/api/v1/lookup", json={"tracking_code": code, "query_code": QUERY_CODE}).get_json()
    assert data["next_step"].startswith("信访部门正在看您反映的事情")


# --- the lookup grant ------------------------------------------------------------------------------------------
def test_the_progress_page_says_when_the_grant_ends_and_renews_it_without_the_codes(
    app, client, public_case, looked_up
):
    code = public_case(Status.REGISTERED)
    start = dt.datetime(2026, 12, 3, 9, 0, tzinfo=CST)
    with as_of(start):
        looked_up(code)
        assert "本页可查看至 <strong>09:30</strong>" in client.get(f"/track/{code}").get_data(as_text=True)
    with as_of(start + dt.timedelta(minutes=25)):
        response = client.post(f"/track/{code}/renew")
        assert response.status_code == 303 and response.headers["Location"] == f"/track/{code}"
    with as_of(start + dt.timedelta(minutes=40)):  # past the first grant's end, inside the renewed one
        body = client.get(f"/track/{code}").get_data(as_text=True)
        assert "本页可查看至 <strong>09:55</strong>" in body and "已延长，本页可查看至09:55。" in body


def test_renewing_answers_htmx_with_the_grant_alone(client, public_case, looked_up):
    code = public_case(Status.REGISTERED)
    looked_up(code)
    response = client.post(f"/track/{code}/renew", headers={"HX-Request": "true", "HX-Target": "grant"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="grant"') and "已延长" in body


def test_an_ended_grant_cannot_be_renewed_without_the_codes(client, public_case, looked_up):
    code = public_case(Status.REGISTERED)
    start = dt.datetime(2026, 12, 3, 9, 0, tzinfo=CST)
    with as_of(start):
        looked_up(code)
    with as_of(start + dt.timedelta(minutes=31)):
        assert client.post(f"/track/{code}/renew").status_code == 403
    assert client.post(f"/track/{public_case(Status.REGISTERED)}/renew").status_code == 403  # never looked up


def test_an_error_is_said_next_to_its_field_tied_to_it_and_linked_from_the_summary(client):
    body = client.post("/submit", data={}).get_data(as_text=True)
    assert re.search(r'<input(?=[^>]*aria-describedby="name-error")(?=[^>]*aria-invalid="true")[^>]*id="name"', body)
    assert '<small class="error" id="name-error">请填写姓名。</small>' in body
    assert '<a href="#name">请填写姓名。</a>' in body
    assert '<a href="#case_type-0">请选择信访类型。</a>' in body
    assert 'aria-describedby="case_type-error"' in body
