"""Smoke test in a real browser: the staff spine works end to end on demo data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import sign_out

pytestmark = pytest.mark.browser


def act(page, label: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None) -> None:
    """Open the action ``label`` on the case page, fill its form and confirm; wait for the htmx swap."""
    action = page.locator("form.action", has=page.locator(f"text={label}")).first
    opener = action.locator("summary")
    if opener.count():
        opener.click()
    for name, value in (fill or {}).items():
        action.locator(f"[name$='-{name}']").fill(value)
    for name, value in (select or {}).items():
        action.locator(f"[name$='-{name}']").select_option(label=value)
    with page.expect_response(lambda r: "/actions/" in r.url):
        action.locator("button").last.click()


def test_a_registered_demo_case_goes_to_replied_through_the_ui(page, live_server, sign_in, artifacts):
    from portal.cases.models import Case, CaseType, Status
    from portal.extensions import db

    with live_server["app"].app_context():
        case = (
            db.session.execute(
                db.select(Case).filter_by(status=Status.REGISTERED, case_type=CaseType.CLAIM).order_by(Case.id)
            )
            .scalars()
            .first()
        )
        assert case is not None, "demo data has a registered claim"
        code = case.tracking_code
    base = live_server["url"]
    sign_in("clerk")
    page.goto(f"{base}/staff/cases/?status=registered")
    page.fill("#q", code)  # active search narrows the list as the clerk types
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    assert f"q={code}" in page.url  # hx-push-url keeps the search shareable
    page.locator("#case-table tbody tr", has_text=code).locator("a").first.click()
    expect_status(page, "已登记")

    act(page, "受理")
    expect_status(page, "已受理")
    act(page, "交办", select={"department_id": "县人力资源和社会保障局"})
    expect_status(page, "已交办")
    case_url = page.url
    sign_out(page)

    sign_in("handler")
    page.goto(case_url)
    act(page, "开始办理")
    expect_status(page, "办理中")
    act(
        page,
        "提交处理意见书",
        fill={
            "text": "经调查核实，已责令用人单位于十日内足额支付拖欠工资。",
            "legal_basis": "《保障农民工工资支付条例》第三条",
        },
    )
    expect_status(page, "待署名")
    sign_out(page)

    sign_in("dept_head")
    page.goto(case_url)
    act(page, "署名签发")
    expect_status(page, "待审核")
    sign_out(page)

    sign_in("clerk")
    page.goto(case_url)
    act(page, "审核通过并送达")
    expect_status(page, "已答复")
    assert page.locator("#replies .signature").first.is_visible()
    assert code in page.inner_text("h1")
    page.screenshot(path=str(artifacts / "staff-case-replied.png"), full_page=True)


def test_a_handler_is_refused_another_departments_case(page, live_server, sign_in):
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.extensions import db

    with live_server["app"].app_context():
        handler = db.session.execute(db.select(User).filter_by(username="handler")).scalar_one()
        other = (
            db.session.execute(
                db.select(Case).where(Case.department_id.is_not(None), Case.department_id != handler.department_id)
            )
            .scalars()
            .first()
        )
        assert other is not None, "demo data has cases in other departments"
        other_id = other.id
    base = live_server["url"]
    sign_in("handler")
    response = page.goto(f"{base}/staff/cases/{other_id}")
    assert response.status == 403
    assert "没有权限" in page.inner_text("main")


def expect_status(page, label: str) -> None:
    page.locator(".case-head .status", has_text=label).wait_for()


def test_registration_shows_a_field_only_when_it_applies(page, live_server, sign_in):
    sign_in("clerk")
    page.goto(f"{live_server['url']}/staff/cases/new")
    postmark, caller = page.locator("[name=postmarked_on]"), page.locator("[name=caller_number]")
    representatives, reason = page.locator("[name=representatives]"), page.locator("[name=procedure_reason]")

    page.select_option("[name=channel]", "letter")
    expect(postmark).to_be_visible()
    expect(caller).to_be_hidden()
    expect(representatives).to_be_hidden()
    expect(reason).to_be_hidden()

    page.select_option("[name=channel]", "visit")
    expect(postmark).to_be_hidden()
    expect(representatives).to_be_hidden()  # a visit by one person has no representatives
    page.check("[name=group_visit]")
    expect(representatives).to_be_visible()

    page.select_option("[name=procedure]", "simple")
    expect(reason).to_be_visible()
    page.select_option("[name=procedure]", "normal")
    expect(reason).to_be_hidden()
