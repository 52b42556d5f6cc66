"""In a real browser on demo data: a petitioner lost the query code; the clerk checks who is asking and prints a new
one on the 查询码告知单; the petitioner looks the case up with it and opts out of SMS; the clerk's outbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_lost_query_code_is_reissued_and_the_petitioner_opts_out(page, browser, live_server, sign_in, artifacts):
    from portal.cases.models import Case
    from portal.extensions import db
    from portal.sms.models import SmsMessage

    with live_server["app"].app_context():
        case = (
            db.session.execute(
                db.select(Case)
                .where(Case.id.in_(db.select(SmsMessage.case_id)), Case.anonymous.is_(False))
                .where(Case.confidential.is_(False))
                .order_by(Case.id)
            )
            .scalars()
            .first()
        )
        assert case is not None, "demo cases with an SMS"
        case_id, tracking_code = case.id, case.tracking_code
    base = live_server["url"]
    sign_in("clerk")
    page.goto(f"{base}/staff/cases/{case_id}")
    page.click("text=短信通知与查询码")
    expect(page.locator("h1")).to_have_text("短信通知与查询码")
    expect(page.locator("table tbody tr").first).to_contain_text("****")
    page.check("input[name=identity_check][value=id_card]")
    page.fill("textarea[name=note]", "核对身份证原件，与登记信息一致")
    page.check("input[name=delivery][value=slip]")
    page.click("button:has-text('生成新查询码')")
    expect(page.locator("h1")).to_have_text("查询码告知单")
    page.screenshot(path=str(artifacts / "notices-slip.png"), full_page=True)
    new_code = re.search(r"新查询码\s*([0-9A-Z]{10})", page.locator("#slip").inner_text()).group(1)

    page.goto(f"{base}/staff/notices/")
    expect(page.locator("h1")).to_have_text("短信发件箱")
    page.screenshot(path=str(artifacts / "notices-outbox.png"), full_page=True)

    petitioner = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    petitioner.goto(f"{base}/track")
    petitioner.fill("[name=tracking_code]", tracking_code)
    petitioner.fill("[name=query_code]", new_code)
    petitioner.click("button:has-text('查询')")
    expect(petitioner.locator("#sms-choice")).to_contain_text("退订短信通知")
    petitioner.click("#sms-choice button")
    expect(petitioner.locator("#sms-choice")).to_contain_text("恢复短信通知")
    petitioner.locator("#sms-choice").screenshot(path=str(artifacts / "notices-opt-out.png"))
    petitioner.context.close()
