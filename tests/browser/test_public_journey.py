"""The petitioner's journey in a real browser: submit online with an attachment, keep the receipt, look the case up,
read the signed reply, rate it and ask for a review — on a phone, and again with JavaScript switched off.

Every public page is also photographed at phone (390 px) and desktop (1280 px) width into test-artifacts/ for a
person to look at."""

from __future__ import annotations

import re
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import pages
from tests.browser.pages import PHONE, dd, read_receipt

pytestmark = pytest.mark.browser

REPLY_TEXT = (
    "经调查核实，用人单位拖欠您2026年3月至5月工资共计12600元属实。县人力资源和社会保障局已责令其于十日内足额支付。"
)
LEGAL_BASIS = "《保障农民工工资支付条例》第三条、第五十四条"


def snap(page: Page, artifacts: Path, name: str) -> None:
    pages.snap(page, artifacts, f"public-{name}", check_overflow=False)


def tiny_png(path: Path) -> Path:
    """A valid 2×2 red PNG, made here so the upload is a real image judged by its content."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))  # filter byte + two RGB pixels per row
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def fill_submission(page: Page, *, name: str, phone: str, title: str, attachment: Path | None = None) -> None:
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.locator("label.choice", has_text="申诉求决类").locator("input").check()
    page.fill("#title", title)
    page.fill(
        "#content",
        "本人于2026年3月至5月在县城某建筑工地务工，用人单位至今拖欠工资12600元，多次讨要未果，请求责令支付。",
    )
    if attachment is not None:
        page.set_input_files("#attachments", str(attachment))
    page.check("#consent")


def look_up(page: Page, base: str, tracking_code: str, query_code: str) -> None:
    page.goto(f"{base}/track")
    page.fill("#tracking_code", tracking_code)
    page.fill("#query_code", query_code)
    page.click("button:has-text('查询')")
    page.wait_for_url(re.compile(re.escape(f"/track/{tracking_code}") + "$"))


def reply_to(app, tracking_code: str) -> dict:
    """Accept, assign to 县人力资源和社会保障局, handle, sign and publish with the real services, as staff would."""
    from portal.accounts.models import User
    from portal.cases import services
    from portal.cases.models import Case, Outcome, Reply, ReplyState
    from portal.extensions import db
    from portal.org.models import Department

    with app.app_context():
        users = {
            u.username: u
            for u in db.session.execute(
                db.select(User).where(User.username.in_(["clerk", "handler", "dept_head"]))
            ).scalars()
        }
        department = db.session.execute(db.select(Department).filter_by(name="县人力资源和社会保障局")).scalar_one()
        case = db.session.execute(db.select(Case).filter_by(tracking_code=tracking_code)).scalar_one()
        services.accept(case, users["clerk"])
        services.assign(case, users["clerk"], department_id=department.id)
        services.start(case, users["handler"])
        services.draft_reply(case, users["handler"], outcome=Outcome.SUPPORT, text=REPLY_TEXT, legal_basis=LEGAL_BASIS)
        services.sign_reply(case, users["dept_head"])
        services.publish_reply(case, users["clerk"])
        db.session.commit()
        reply = db.session.execute(db.select(Reply).filter_by(case_id=case.id, state=ReplyState.PUBLISHED)).scalar_one()
        return {
            "signer_name": reply.signer_name,
            "signer_title": reply.signer_title,
            "signer_department": reply.signer_department,
            "case_id": case.id,
        }


def due_date(app, case_id: int):
    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        return db.session.get(Case, case_id).due_date


def test_a_petitioner_submits_on_a_phone_and_follows_the_case_to_a_review(browser, live_server, artifacts, tmp_path):
    base, app = live_server["url"], live_server["app"]
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{base}/")
        expect(page.locator("h1")).to_have_text("云溪县阳光信访")  # the county the demo configured
        snap(page, artifacts, "01-home")
        page.get_by_role("link", name="网上信访").first.click()
        page.wait_for_url(f"{base}/submit")
        snap(page, artifacts, "02-submit-empty")

        # Sent empty: the page names what is missing and keeps the form.
        page.click("form button.primary:has-text('提交')")
        expect(page.locator(".flash-error")).to_contain_text("请填写姓名")
        expect(page.locator(".field.has-error").first).to_be_visible()
        snap(page, artifacts, "03-submit-errors")

        fill_submission(
            page,
            name="欧阳志明",
            phone="13907319999",
            title="建筑工地拖欠农民工工资",
            attachment=tiny_png(tmp_path / "工资欠条.png"),
        )
        page.click("form button.primary:has-text('提交')")
        tracking_code, query_code = read_receipt(page)
        assert page.url == f"{base}/submit"  # the receipt is the POST's answer, shown this once
        expect(dd(page, "信访人")).to_have_text("欧阳**")
        expect(dd(page, "附件")).to_contain_text("1 个")
        qr = page.locator("#receipt .receipt-qr svg")
        expect(qr).to_be_visible()
        assert qr.bounding_box()["width"] >= 120, "the QR code is big enough to scan from a phone screen"
        caption = page.locator("#receipt .receipt-qr figcaption").inner_text()
        assert f"/track/{tracking_code}" in caption
        assert query_code not in caption, "the query code never goes into the QR code's address"
        snap(page, artifacts, "04-receipt")

        page.goto(f"{base}/track")
        snap(page, artifacts, "05-lookup")
        look_up(page, base, tracking_code, query_code)
        expect(page.locator(".case-head .status")).to_have_text("已登记")
        steps = page.locator(".stepper .step")
        expect(steps).to_have_text(["登记", "受理", "交办", "办理", "答复", "评价"])
        expect(page.locator(".stepper .step.current")).to_have_text("登记")
        body = page.content()
        assert "13907319999" not in body and "欧阳志明" not in body, "the public page shows the masked name only"
        expect(page.locator(".crumbs")).to_contain_text("欧阳**")
        snap(page, artifacts, "06-progress-registered")

        signed = reply_to(app, tracking_code)
        page.reload()
        expect(page.locator(".case-head .status")).to_have_text("已答复")
        expect(page.locator(".stepper .step.current")).to_have_text("评价")
        document = page.locator(".document", has=page.locator("h2", has_text="处理意见书"))
        expect(document).to_be_visible()
        expect(document.locator(".prose")).to_have_text(REPLY_TEXT)
        expect(document).to_contain_text(LEGAL_BASIS)
        signature = document.locator(".signature")
        for value in signed["signer_department"], signed["signer_title"], signed["signer_name"]:
            expect(signature).to_contain_text(value)
        assert (signed["signer_name"], signed["signer_title"]) == ("李建军", "局长")
        expect(page.locator(".case-head")).to_contain_text("承办：县人力资源和社会保障局")
        snap(page, artifacts, "07-progress-replied")

        evaluation = page.locator("section", has=page.locator("h2", has_text="满意度评价"))
        evaluation.get_by_role("group", name="对信访部门受理工作的评价").get_by_role(
            "radio", name="满意", exact=True
        ).check()
        evaluation.get_by_role("group", name="对责任单位办理工作的评价").get_by_role(
            "radio", name="基本满意", exact=True
        ).check()
        evaluation.locator("#comment").fill("答复及时，希望督促用人单位尽快付款。")
        evaluation.get_by_role("button", name="提交评价").click()
        rated = page.locator("section", has=page.locator("h2", has_text="您的评价"))
        expect(rated).to_contain_text("受理：满意；办理：基本满意")
        expect(page.locator("#progress .flash-success")).to_have_text("感谢您的评价。")
        expect(page.locator("h2", has_text="满意度评价")).to_have_count(0)  # only once

        review = page.locator("section", has=page.locator("h2", has_text="申请复查"))
        review.locator("#reason").fill("用人单位至今仍未支付，处理意见未落实，请求复查。")
        review.get_by_role("button", name="申请复查").click()
        expect(page.locator(".case-head .status")).to_have_text("复查中")
        expect(page.locator(".stepper .step.current")).to_have_text("复查")
        due = due_date(app, signed["case_id"])
        expect(page.locator("h2", has_text="复查意见期限")).to_have_text(f"复查意见期限：{due:%Y年%m月%d日}")
        expect(page.locator("section", has=page.locator("h2", has_text="复查 / 复核"))).to_contain_text("不能重复申请")
        page.reload()  # what the petitioner finds when coming back later
        expect(page.locator(".case-head .status")).to_have_text("复查中")
        snap(page, artifacts, "08-progress-under-review")

        page.goto(f"{base}/privacy")
        expect(page.locator("h1")).to_have_text("个人信息保护告知")
        snap(page, artifacts, "09-privacy")

        for name, path in (("10-roster", "/roster"), ("11-stats", "/stats"), ("12-deadline", "/deadline")):
            response = page.goto(f"{base}{path}")
            if response.status == 404:
                warnings.warn(f"{path} answered 404: no screenshot taken", stacklevel=1)
                continue
            if response.status != 200:
                warnings.warn(f"{path} answered {response.status}; screenshot taken anyway", stacklevel=1)
            snap(page, artifacts, name)
    finally:
        context.close()


def test_without_javascript_submission_lookup_evaluation_and_review_still_work(browser, live_server, artifacts):
    base, app = live_server["url"], live_server["app"]
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{base}/submit")
        fill_submission(page, name="陈桂兰", phone="0731-84561234", title="工伤认定申请久拖未决")
        page.click("form button.primary:has-text('提交')")
        tracking_code, query_code = read_receipt(page)

        # A wrong query code gets the one generic message and keeps the tracking code.
        page.goto(f"{base}/track")
        page.fill("#tracking_code", tracking_code)
        page.fill("#query_code", "0000000000")
        page.click("button:has-text('查询')")
        expect(page.locator(".flash-error")).to_contain_text("信访件编号或查询码不正确")
        expect(page.locator("#tracking_code")).to_have_value(tracking_code)

        look_up(page, base, tracking_code, query_code)
        expect(page.locator(".case-head .status")).to_have_text("已登记")

        reply_to(app, tracking_code)
        page.reload()
        expect(page.locator(".case-head .status")).to_have_text("已答复")

        evaluation = page.locator("section", has=page.locator("h2", has_text="满意度评价"))
        evaluation.get_by_role("group", name="对信访部门受理工作的评价").get_by_role(
            "radio", name="不满意", exact=True
        ).check()
        evaluation.get_by_role("group", name="对责任单位办理工作的评价").get_by_role(
            "radio", name="不满意", exact=True
        ).check()
        with page.expect_navigation():
            evaluation.get_by_role("button", name="提交评价").click()
        assert page.url == f"{base}/track/{tracking_code}"  # plain POST, then 303 back to the progress page
        expect(page.locator(".flashes .flash-success")).to_have_text("感谢您的评价。")
        expect(page.locator("section", has=page.locator("h2", has_text="您的评价"))).to_contain_text(
            "受理：不满意；办理：不满意"
        )

        review = page.locator("section", has=page.locator("h2", has_text="申请复查"))
        review.locator("#reason").fill("处理意见未认定工伤事实，请求复查。")
        with page.expect_navigation():
            review.get_by_role("button", name="申请复查").click()
        assert page.url == f"{base}/track/{tracking_code}"
        expect(page.locator(".case-head .status")).to_have_text("复查中")
        snap(page, artifacts, "13-progress-no-js")
    finally:
        context.close()
