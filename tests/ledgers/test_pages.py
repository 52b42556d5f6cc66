"""Ledger pages: who may open them, the htmx fragment, filters in the URL, messages for bad values, paging."""

import datetime as dt
import re
from html import unescape

import pytest

from portal.accounts.models import Role
from portal.cases.models import Status
from portal.ledgers.queries import LEDGERS
from portal.localtime import today
from tests.factories import make_case, user

ROW_CODE = re.compile(r'<a class="mono" href="/staff/cases/\d+">(XF[0-9A-Z-]+)</a>')
URLS = (
    ["/staff/ledgers/"]
    + [f"/staff/ledgers/{name}" for name in LEDGERS]
    + [f"/staff/ledgers/{name}/export.xlsx" for name in LEDGERS]
)


def page_codes(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return ROW_CODE.findall(response.get_data(as_text=True))


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


# --- access ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", URLS)
def test_a_visitor_is_sent_to_the_login_page(client, staff, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "auditor"])
@pytest.mark.parametrize("url", URLS)
def test_admin_and_auditor_never_see_a_ledger(client, login, role, url):
    login(role)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["clerk", "leader", "supervisor", "dept_head", "handler"])
def test_every_case_role_opens_the_index_and_each_ledger(client, login, role):
    login(role)

    assert client.get("/staff/ledgers/").status_code == 200
    for name in LEDGERS:
        assert client.get(f"/staff/ledgers/{name}").status_code == 200


def test_an_unknown_ledger_is_not_found(client, login):
    login("clerk")

    assert client.get("/staff/ledgers/nonsense").status_code == 404
    assert client.get("/staff/ledgers/nonsense/export.xlsx").status_code == 404


def test_the_navigation_links_to_the_ledgers_for_case_workers_only(client, login, auth):
    login("handler")
    assert 'href="/staff/ledgers/"' in client.get("/staff/cases/").get_data(as_text=True)
    auth.logout()
    login("admin")
    assert 'href="/staff/ledgers/"' not in client.get("/staff/login").get_data(as_text=True)


def test_a_handler_never_sees_another_departments_case(client, login, seed):
    codes = seed(
        lambda w: {
            "housing": make_case(w, Status.ASSIGNED, title="住建的件").tracking_code,
            "labour": make_case(w, Status.ASSIGNED, department=w.labour, title="人社的件").tracking_code,
        }
    )
    login("handler")

    assert page_codes(client, "/staff/ledgers/assigned") == [codes["housing"]]
    assert page_codes(client, f"/staff/ledgers/assigned?q={codes['labour']}") == []
    html = client.get("/staff/ledgers/").get_data(as_text=True)
    assert "<b>1</b> 件" in html  # the index counts only what the handler may see


def test_the_index_shows_counts_and_overdue_counts(client, login, seed):
    seed(lambda w: [make_case(w, Status.IN_PROGRESS, on=days_ago(90)).id, make_case(w, Status.ASSIGNED).id])
    login("clerk")

    html = client.get("/staff/ledgers/").get_data(as_text=True)

    for ledger in LEDGERS.values():
        assert f'href="/staff/ledgers/{ledger.name}"' in html and ledger.title in html
    assert "<b>2</b> 件" in html and "超期 1 件" in html


# --- the leader's own cases ---------------------------------------------------------------------------------
def test_a_leader_opens_the_owned_ledger_on_his_own_cases_and_may_see_all(client, login, seed):
    def cases(w):
        other = user("leader2", Role.LEADER, department=w.office, name="刘副县长")
        return {
            "mine": make_case(w, Status.ASSIGNED, owner_leader=w.leader).tracking_code,
            "theirs": make_case(w, Status.ASSIGNED, owner_leader=other).tracking_code,
            "other": other.id,
        }

    made = seed(cases)
    login("leader")

    assert page_codes(client, "/staff/ledgers/owned") == [made["mine"]]
    assert set(page_codes(client, "/staff/ledgers/owned?owner=")) == {made["mine"], made["theirs"]}
    assert page_codes(client, f"/staff/ledgers/owned?owner={made['other']}") == [made["theirs"]]


def test_a_clerk_sees_every_leaders_cases_in_the_owned_ledger(client, login, seed):
    made = seed(lambda w: make_case(w, Status.ASSIGNED, owner_leader=w.leader).tracking_code)
    login("clerk")

    assert page_codes(client, "/staff/ledgers/owned") == [made]


# --- htmx ---------------------------------------------------------------------------------------------------
def test_an_htmx_request_for_the_table_gets_only_the_fragment(client, login, seed):
    code = seed(lambda w: make_case(w, Status.ASSIGNED).tracking_code)
    login("clerk")

    response = client.get(
        f"/staff/ledgers/assigned?q={code}", headers={"HX-Request": "true", "HX-Target": "ledger-table"}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ROW_CODE.findall(html) == [code]
    assert "<html" not in html and 'id="ledger-filters"' not in html
    assert f"/staff/ledgers/assigned/export.xlsx?q={code}" in html  # the export link follows the search
    assert "HX-Request" in response.headers.get("Vary", "")


def test_the_full_page_includes_the_same_table_and_a_form_that_works_without_javascript(client, login, seed):
    code = seed(lambda w: make_case(w, Status.ASSIGNED).tracking_code)
    login("clerk")

    html = client.get("/staff/ledgers/assigned", headers={"HX-Request": "true", "HX-Target": "main"}).get_data(
        as_text=True
    )

    assert "<html" in html and ROW_CODE.findall(html) == [code]
    assert re.search(r'<form id="ledger-filters" method="get" action="/staff/ledgers/assigned"', html)
    assert 'hx-trigger="search, keyup delay:300ms changed, change"' in html
    assert 'hx-target="#ledger-table"' in html and 'hx-push-url="true"' in html
    assert '<div id="ledger-table"' in html


# --- filters in the URL -------------------------------------------------------------------------------------
def test_filters_in_the_query_string_narrow_the_page(client, login, seed):
    made = seed(
        lambda w: {
            "housing": make_case(w, Status.ASSIGNED, on=days_ago(3)).tracking_code,
            "labour": make_case(w, Status.IN_PROGRESS, department=w.labour, on=days_ago(80)).tracking_code,
            "labour_id": w.labour.id,
        }
    )
    login("clerk")

    assert page_codes(client, f"/staff/ledgers/assigned?department={made['labour_id']}") == [made["labour"]]
    assert page_codes(client, "/staff/ledgers/assigned?status=assigned") == [made["housing"]]
    assert page_codes(client, "/staff/ledgers/assigned?overdue=1") == [made["labour"]]
    since = days_ago(5).isoformat()
    assert page_codes(client, f"/staff/ledgers/assigned?received_from={since}") == [made["housing"]]
    html = client.get(f"/staff/ledgers/assigned?department={made['labour_id']}").get_data(as_text=True)
    assert f'<option selected value="{made["labour_id"]}">' in html  # the form shows the filter in force


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=bogus", "筛选条件“阶段”的值“bogus”无效"),
        ("department=abc", "筛选条件“责任单位”的值“abc”无效"),
        ("department=999999", "筛选条件“责任单位”的值“999999”无效"),
        ("owner=1%27%20or%201=1", "筛选条件“包案领导”的值“1' or 1=1”无效"),
        ("channel=pigeon", "筛选条件“渠道”的值“pigeon”无效"),
        ("case_type=x", "筛选条件“信访类型”的值“x”无效"),
        ("category=-1", "筛选条件“内容分类”的值“-1”无效"),
        ("received_from=2026-13-45", "筛选条件“收到日期自”的值“2026-13-45”无效"),
        ("received_to=yesterday", "筛选条件“收到日期至”的值“yesterday”无效"),
        ("received_from=2026-11-20&received_to=2026-11-01", "起始日晚于截止日"),
        ("due_within=-3", "筛选条件“几日内到期”的值“-3”无效"),
        ("due_within=lots", "筛选条件“几日内到期”的值“lots”无效"),
        ("due_within=99999999999999999999", "筛选条件“几日内到期”的值“99999999999999999999”无效"),
        ("q=" + "长" * 60, "筛选条件“搜索”的值"),
        ("sort=password", "排序方式“password”无效"),
        ("page=0", "筛选条件“页码”的值“0”无效"),
        ("page=last", "筛选条件“页码”的值“last”无效"),
    ],
)
def test_a_bad_filter_value_is_named_and_ignored_not_a_500(client, login, seed, query, message):
    code = seed(lambda w: make_case(w, Status.ASSIGNED).tracking_code)
    login("clerk")

    for url in (f"/staff/ledgers/assigned?{query}", f"/staff/ledgers/assigned/export.xlsx?{query}"):
        response = client.get(url)
        assert response.status_code == 200, url
    html = unescape(client.get(f"/staff/ledgers/assigned?{query}").get_data(as_text=True))
    assert message in html
    assert "已忽略" in html or "已按默认顺序" in html
    assert ROW_CODE.findall(html) == [code]  # the bad value does not filter anything out


def test_a_department_user_cannot_pick_another_department(client, login, seed, staff):
    seed(lambda w: make_case(w, Status.ASSIGNED, department=w.labour).id)
    login("handler")

    html = client.get(f"/staff/ledgers/assigned?department={staff['dept:labour']}").get_data(as_text=True)

    assert "筛选条件“责任单位”" in html and ROW_CODE.findall(html) == []
    assert f'value="{staff["dept:labour"]}"' not in html


# --- sorting and paging -------------------------------------------------------------------------------------
def test_sort_links_toggle_the_direction_and_keep_the_filters(client, login, seed):
    codes = seed(lambda w: [make_case(w, Status.ASSIGNED, on=days_ago(i)).tracking_code for i in (9, 3, 6)])
    login("clerk")

    assert page_codes(client, "/staff/ledgers/assigned?sort=received") == [codes[0], codes[2], codes[1]]
    assert page_codes(client, "/staff/ledgers/assigned?sort=-received") == [codes[1], codes[2], codes[0]]
    html = client.get("/staff/ledgers/assigned?status=assigned&sort=received").get_data(as_text=True)
    assert 'href="/staff/ledgers/assigned?status=assigned&amp;sort=-received"' in html
    assert 'aria-sort="ascending"' in html
    # the sort travels with the filter form (a hidden input tied to it), so a new search keeps the order
    assert '<input type="hidden" name="sort" form="ledger-filters" value="received">' in html


def test_pages_hold_30_rows_and_link_to_each_other_with_the_filters(client, login, seed):
    codes = seed(lambda w: [make_case(w, Status.ASSIGNED, commit=False).tracking_code for _ in range(31)])
    login("clerk")

    first = client.get("/staff/ledgers/assigned?sort=code&status=assigned").get_data(as_text=True)
    second = page_codes(client, "/staff/ledgers/assigned?sort=code&status=assigned&page=2")

    assert ROW_CODE.findall(first) == sorted(codes)[:30]
    assert second == sorted(codes)[30:]
    assert "共 31 件" in first and "第 1/2 页" in first
    assert 'href="/staff/ledgers/assigned?status=assigned&amp;sort=code&amp;page=2"' in first
    assert page_codes(client, "/staff/ledgers/assigned?sort=code&status=assigned&page=7") == second


def test_the_table_shows_the_columns_with_overdue_in_red_and_checklist_progress(client, login, seed):
    def cases(w):
        late = make_case(w, Status.IN_PROGRESS, on=days_ago(90), owner_leader=w.leader)
        late.checklist[0].done_at = late.checklist[1].done_at = dt.datetime(2026, 1, 1)
        window = make_case(w, Status.REPLIED, on=days_ago(120))
        return late.tracking_code, window.tracking_code

    late, window = seed(cases)
    login("clerk")

    html = client.get(f"/staff/ledgers/assigned?q={late}").get_data(as_text=True)
    for header in ("编号", "标题", "责任单位", "包案领导", "阶段", "期限", "剩余天数", "清单进度"):
        assert f">{header}<" in html
    assert "县住房和城乡建设局" in html and "王县长" in html and "办理中" in html
    assert 'class="due overdue"' in html and "超期" in html
    assert ">2/8<" in html  # 3 required steps + the five 包 items; two ticked
    window_html = client.get(f"/staff/ledgers/assigned?q={window}").get_data(as_text=True)
    assert "申请期已于" in window_html and 'class="due overdue"' not in window_html
