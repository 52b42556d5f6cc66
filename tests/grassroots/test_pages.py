"""The agents' and screening pages: who may open them, and the steps through plain forms (no JavaScript)."""

from __future__ import annotations

import io
import re

import pytest

from portal.agents import services as agents
from portal.cases.models import Case
from portal.extensions import db
from portal.org.models import Kind, Level
from tests import factories
from tests.administration.conftest import xlsx
from tests.administration.test_import import USER_HEADERS, problems, upload
from tests.grassroots.conftest import PNG, load_network, matter_details


def sign_in(auth, username):
    assert auth.login(username).status_code == 303


MATTER_FORM = {
    "name": "曾庆腾",
    "phone": "13900001111",
    "channel": "visit",
    "case_type": "claim",
    "title": "灌渠冬修后农田未回填",
    "content": "施工方遗留工程废料，影响春耕。",
    "place": "青石村下陈组",
}


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("clerk", "/agent/", 403),
        ("village", "/agent/", 403),
        ("agent", "/screening/", 403),
        ("agent", "/staff/grassroots/", 403),
        ("agent", "/screening/board", 403),
        ("clerk", "/screening/board", 200),
        ("qs_handler", "/screening/board", 200),
        ("clerk", "/staff/grassroots/", 200),
        ("agent", "/agent/", 200),
        ("agent", "/agent/ratings", 200),
        ("village", "/screening/", 200),
    ],
)
def test_who_may_open_each_page(client, auth, net_pages, username, path, status):
    sign_in(auth, username)
    assert client.get(path).status_code == status


def test_the_agent_lands_on_the_desk_and_the_cadre_on_screening(client, auth, net_pages):
    sign_in(auth, "agent")
    assert client.get("/staff/").headers["Location"].endswith("/agent/")
    auth.logout()
    sign_in(auth, "village")
    assert client.get("/staff/").headers["Location"].endswith("/screening/")


def test_an_agent_carries_a_matter_up_through_plain_forms(app, client, auth, net_pages):
    sign_in(auth, "agent")
    response = client.post("/agent/matters/new", data={**MATTER_FORM, "phone": "123"})
    assert response.status_code == 422 and "曾庆腾" in response.text  # what was typed stays
    response = client.post("/agent/matters/new", data=MATTER_FORM)
    assert response.status_code == 303
    matter_url = response.headers["Location"]
    page = client.get(matter_url)
    assert "曾庆腾" in page.text and "139****1111" in page.text and "打印《群众信访双向承诺书》" in page.text
    matter_id = int(matter_url.rstrip("/").rsplit("/", 1)[1])
    printed = client.get(f"/agent/matters/{matter_id}/commitment")
    assert "五不准" in printed.text and "不准接受礼品" in printed.text and "曾庆腾" in printed.text
    response = client.post(
        f"/agent/matters/{matter_id}/commit",
        data={"scan": (io.BytesIO(PNG), "承诺书.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert client.post(f"/agent/matters/{matter_id}/carry_up", data={}).status_code == 422
    response = client.post(f"/agent/matters/{matter_id}/carry_up", data={"confirm": "y"}, follow_redirects=True)
    assert re.search(r"查询码 \w+", response.text)
    assert (
        "信访件办理进度" in response.text and "代理人代为提出" not in response.text
    ) or "信访代理员" in response.text
    with app.app_context():
        case = db.session.execute(db.select(Case)).scalar_one()
        case_id = case.id
        assert case.agent.username == "agent"
    auth.logout()
    sign_in(auth, "clerk")
    page = client.get(f"/staff/cases/{case_id}")
    assert "代理人" in page.text and "告知代理人" in page.text
    assert client.post(f"/staff/cases/{case_id}/agent-message", data={"text": "材料已收到"}).status_code == 303
    auth.logout()
    sign_in(auth, "agent")
    assert "材料已收到" in client.get(matter_url).text
    assert client.get(f"/staff/cases/{case_id}").status_code == 403


def test_another_agent_may_not_open_the_matter(client, auth, net_pages):
    sign_in(auth, "agent")
    matter_url = client.post("/agent/matters/new", data=MATTER_FORM).headers["Location"]
    auth.logout()
    sign_in(auth, "other_agent")
    assert client.get(matter_url).status_code == 403
    matter_id = matter_url.rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/agent/matters/{matter_id}/carry_up", data={"confirm": "y"}).status_code == 403


def test_the_agents_file_shows_complaints_to_the_township_never_to_the_agent(client, auth, net_pages, app):
    sign_in(auth, "clerk")
    agent_id = net_pages["agent"]
    response = client.post(
        f"/staff/agents/{agent_id}/complaints",
        data={
            "channel": "phone",
            "petitioner_name": "张三",
            "phone": "13900002222",
            "title": "收取费用",
            "content": "代理员收取代办费。",
        },
    )
    assert response.status_code == 303
    auth.logout()
    sign_in(auth, "qs_handler")
    page = client.get(f"/staff/agents/{agent_id}")
    assert page.status_code == 200 and "收取费用" in page.text
    assert "共 0 次评议" in page.text
    auth.logout()
    sign_in(auth, "agent")
    assert client.get(f"/staff/agents/{agent_id}").status_code == 403


def test_a_cadre_files_a_zero_report_and_turns_a_dispute_into_a_case_in_two_clicks(client, auth, net_pages, app):
    sign_in(auth, "village")
    assert client.post("/screening/zero", data={}).status_code == 303
    assert "已报零报告" in client.get("/screening/").text
    response = client.post(
        "/screening/disputes",
        data={
            "party": "黄某",
            "party_phone": "13900003333",
            "kind": "environment",
            "place": "下南山",
            "risk": "medium",
            "summary": "水源纠纷",
            "action_taken": "已约谈",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        from portal.screening.models import Dispute

        dispute_id = db.session.execute(db.select(Dispute.id)).scalar_one()
    first = client.get(f"/screening/disputes/{dispute_id}?do=case")  # click one: the form, filled in
    assert "登记为信访件" in first.text and "水源纠纷" in first.text
    form = {"title": "环境污染：下南山", "content": "水源纠纷", "phone": "13900003333", "case_type": "claim"}
    second = client.post(f"/screening/disputes/{dispute_id}/case", data=form, follow_redirects=True)  # click two
    assert "已转为信访件" in second.text
    auth.logout()
    sign_in(auth, "clerk")
    with app.app_context():
        case_id = db.session.execute(db.select(Case.id)).scalar_one()
    assert "矛盾纠纷排查" in client.get(f"/staff/cases/{case_id}").text


def test_the_accounts_import_places_grassroots_roles_only_in_the_local_tree(net_pages, client, as_security_admin):
    data = xlsx(
        USER_HEADERS,
        [
            ["cunagent", "村代理", "", "青石村村民委员会", "信访代理员", ""],
            ["zuagent", "组代理", "", "青石村第三村民小组", "代理员", ""],
            ["badagent", "局代理", "", "县住房和城乡建设局", "信访代理员", ""],
            ["mixed", "兼任", "", "青石村村民委员会", "信访代理员、承办人", ""],
            ["zuscreen", "组排查", "", "青石村第三村民小组", "矛盾纠纷排查员", ""],
        ],
    )
    found = problems(upload(client, "users", data).get_data(as_text=True))
    rows = {row for row, _ in found}
    assert "第2行" not in rows and "第3行" not in rows
    assert ("第4行", "信访代理员只能设在乡镇、村（社区）、村民小组，“县住房和城乡建设局”不是。") in found
    assert any(row == "第5行" and "不能兼任办案角色" in m for row, m in found)
    assert any(row == "第6行" and "矛盾纠纷排查员只能设在乡镇、村（社区）" in m for row, m in found)


@pytest.mark.parametrize(
    ("username", "townships"),
    [
        ("clerk", [("白沙镇人民政府", "0"), ("青石镇人民政府", "1")]),
        ("qs_handler", [("青石镇人民政府", "1")]),
        ("housing_handler", None),
    ],
)
def test_the_dashboard_shows_the_township_summary_to_whoever_may_open_the_numbers(
    client, auth, net_pages, seed, username, townships
):
    def build(world):
        factories.department("白沙镇人民政府", Kind.LOCAL, Level.TOWNSHIP)
        agents.register_matter(load_network().agent, **matter_details())

    seed(build)
    sign_in(auth, username)
    page = client.get("/staff/dashboard").text
    assert client.get("/staff/grassroots/").status_code == (403 if townships is None else 200)
    if townships is None:
        assert "board-grassroots" not in page and "查看基层网络数字" not in page
        return
    section = page[page.index('id="board-grassroots"') :]
    section = section[: section.index("</section>")]
    assert "查看基层网络数字" in section
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>', section)
    # One row per township with its 代理受理 (青石村's matter counts for 青石镇); the villages are on the detail page.
    assert rows == townships
