"""The staff journey in a real browser with the demo users: a letter registered by the clerk goes through acceptance,
assignment, handling (checklist ticked in place, a note, a draft sent back once), signature, verification, the
petitioner's evaluation, a follow-up and mark-off — and at registration the clerk sees a petitioner's earlier cases
while typing the phone number and links the new case as a repeat.

Pages are photographed at phone (390 px) and desktop (1280 px) width into test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import pages
from tests.browser.pages import PHONE, dd, fresh_phone, read_receipt, sign_out

pytestmark = pytest.mark.browser

DEPARTMENT = "县人力资源和社会保障局"
OWNER_LEADER = "周卫国（县委副书记）"
REPLY_TEXT = (
    "经县劳动保障监察大队调查核实，用人单位拖欠您2026年3月至5月工资共计12600元属实。我局已责令其十日内足额支付。"
)
LEGAL_BASIS = "《保障农民工工资支付条例》第三条、第三十条"


# --- helpers -------------------------------------------------------------------------------------------------
def snap(page: Page, artifacts: Path, name: str, *, check_overflow: bool = True) -> None:
    pages.snap(page, artifacts, f"staff-{name}", check_overflow=check_overflow)


def act(
    page: Page,
    name: str,
    label: str,
    fill: dict[str, str] | None = None,
    select: dict[str, str] | None = None,
    before_confirm: Callable[[], None] | None = None,
) -> None:
    """Open the action ``name`` (its button reads ``label``) in the actions card, fill its form and confirm;
    wait for the htmx swap of #case and check it carries no refusal. ``before_confirm`` runs with the form filled."""
    action = page.locator(f"#actions form.action[action$='/actions/{name}']")
    expect(action).to_have_count(1)
    opener = action.locator("summary")
    if opener.count():
        expect(opener).to_have_text(label)
        opener.click()
        expect(action.locator("button.primary")).to_have_text(f"确认{label}")
    else:
        expect(action.locator("button.primary")).to_have_text(label)
    for field, value in (fill or {}).items():
        action.locator(f"[name='{name}-{field}']").fill(value)
    for field, value in (select or {}).items():
        action.locator(f"[name='{name}-{field}']").select_option(label=value)
    if before_confirm is not None:
        before_confirm()
    with page.expect_response(lambda r: f"/actions/{name}" in r.url) as response:
        action.locator("button.primary").click()
    assert response.value.status == 200, f"{name}: HTTP {response.value.status}"
    expect(page.locator("#case .flash-error")).to_have_count(0)


def expect_stage(page: Page, status: str, next_step: str | None) -> None:
    """The status label in the case head, and who must act next (下一步：…), or no such line."""
    expect(page.locator(".case-head .status")).to_have_text(status)
    if next_step is None:
        expect(page.locator(".case-head .next")).to_have_count(0)
    else:
        expect(page.locator(".case-head .next")).to_have_text(f"下一步：{next_step}")


def tick(page: Page, label: str) -> None:
    """Tick checklist item ``label`` in place (htmx) and check the tick shows without a page load."""
    page.evaluate("window.__noReload = true")
    item = page.locator("#checklist li", has_text=label)
    expect(item).not_to_have_class(re.compile(r"\bdone\b"))
    with page.expect_response(lambda r: "/checklist/" in r.url) as response:
        item.locator("button.check-button").click()
    assert response.value.status == 200
    assert response.value.request.headers.get("hx-request") == "true"
    item = page.locator("#checklist li", has_text=label)
    expect(item).to_have_class(re.compile(r"\bdone\b"))
    expect(item.locator("button.check-button")).to_have_accessible_name(f"撤销勾销：{label}")
    expect(item.locator("button.check-button")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__noReload === true"), "ticking reloaded the page"


def earlier_lookup(page: Page, action: Callable[[], None]) -> None:
    """Run ``action``, which makes the registration form look earlier cases up, and wait until #earlier is redrawn."""
    page.evaluate("document.querySelector('#earlier').dataset.stale = 'yes'")
    with page.expect_response(lambda r: "/staff/cases/earlier" in r.url) as response:
        action()
    assert response.value.request.headers.get("hx-request") == "true"
    page.wait_for_function("() => !document.querySelector('#earlier').dataset.stale")


def my_work_lists(page: Page, base: str, queue: str, tracking_code: str) -> None:
    """My work shows ``tracking_code`` in the queue ``queue`` (the #q-<key> card)."""
    page.goto(f"{base}/staff/work/")
    expect(page.locator(f"#q-{queue}")).to_contain_text(tracking_code)


# --- 1. the whole journey --------------------------------------------------------------------------------------
def test_a_letter_goes_from_registration_to_mark_off_through_every_staff_role(
    browser, page, live_server, sign_in, artifacts
):
    from portal.localtime import today

    base = live_server["url"]
    phone = fresh_phone(live_server["app"])
    received_on = today() - dt.timedelta(days=1)
    postmarked_on = today() - dt.timedelta(days=3)

    # The clerk registers a letter.
    sign_in("clerk")
    page.goto(f"{base}/staff/cases/new")
    page.select_option("#channel", label="来信")
    page.fill("#received_on", received_on.isoformat())
    page.fill("#postmarked_on", postmarked_on.isoformat())
    page.fill("#petitioner_name", "刘桂芳")
    earlier_lookup(page, lambda: page.locator("#phone").press_sequentially(phone, delay=20))
    expect(page.locator("#earlier")).to_contain_text("未查到该电话或身份证号的既往信访记录")
    page.select_option("#case_type", label="申诉求决类")
    page.select_option("#category_id", label="劳动社保")
    page.fill("#title", "反映某建筑公司拖欠工资")
    page.fill(
        "#content",
        "本人于2026年3月至5月在县城某建筑工地务工，用人单位至今拖欠工资12600元，多次讨要未果，请求责令支付。",
    )
    with page.expect_response(lambda r: r.url.endswith("/staff/cases/new") and r.request.method == "POST") as posted:
        page.click("button:has-text('登记并生成回执')")
    assert posted.value.status == 201
    tracking_code, query_code = read_receipt(page)
    expect(dd(page, "渠道")).to_have_text("来信")
    expect(dd(page, "收到日期")).to_have_text(received_on.isoformat())
    page.click("a:has-text('查看信访件')")
    case_url = page.url
    assert re.search(r"/staff/cases/\d+$", case_url), case_url
    expect(page.locator("h1")).to_contain_text(tracking_code)
    expect(dd(page, "邮戳日期")).to_have_text(postmarked_on.isoformat())
    expect_stage(page, "已登记", "待信访部门作出受理决定")

    act(page, "accept", "受理")
    expect_stage(page, "已受理", "待信访部门交办")
    act(
        page,
        "assign",
        "交办",
        select={"department_id": DEPARTMENT, "owner_leader_id": OWNER_LEADER},
        before_confirm=lambda: snap(page, artifacts, "case-assign-form-clerk"),
    )
    expect_stage(page, "已交办", "待责任单位承办人开始办理")
    expect(dd(page, "责任单位")).to_have_text(DEPARTMENT)
    expect(dd(page, "包案领导")).to_have_text("周卫国")
    expect(page.locator("#checklist li")).not_to_have_count(0)
    sign_out(page)

    # The handler starts, ticks the checklist in place, writes a note and drafts the reply.
    sign_in("handler")
    my_work_lists(page, base, "start", tracking_code)
    snap(page, artifacts, "work-handler")
    page.goto(case_url)
    expect_stage(page, "已交办", "待责任单位承办人开始办理")
    snap(page, artifacts, "case-assigned-handler")
    act(page, "start", "开始办理")
    expect_stage(page, "办理中", "待承办人起草处理意见书")
    expect(dd(page, "承办人")).to_have_text("张晓燕")
    total = page.locator("#checklist li").count()
    for done, label in enumerate(["调查核实", "约谈信访人", "形成处理意见"], start=1):
        tick(page, label)
        expect(page.locator("#checklist h2 .muted")).to_have_text(f"{done}/{total}")
    page.fill("[name='note-text']", "电话联系信访人核实了务工时间和欠薪金额；调取了项目考勤记录和工资表。")
    with page.expect_response(lambda r: "/actions/note" in r.url):
        page.click("#note button:has-text('添加调查记录')")
    expect(page.locator("#note .note")).to_contain_text("调取了项目考勤记录")
    expect(page.locator("#checklist li.done")).to_have_count(3)  # the note did not undo the ticks
    five_bao = page.locator("#checklist li", has_text="包掌握情况")
    expect(five_bao.locator("button")).to_have_count(0)  # the 五包 are the owner leader's to tick
    expect(five_bao).to_contain_text("由包案领导勾销")
    act(page, "draft", "提交处理意见书", fill={"text": "经核实，用人单位确有拖欠。", "legal_basis": LEGAL_BASIS})
    expect_stage(page, "待署名", "待责任单位负责人署名")
    sign_out(page)

    # The owner leader (包案领导) ticks the 五包 items in place.
    sign_in("leader")
    page.goto(case_url)
    for label in ("包掌握情况", "包思想转化", "包矛盾化解", "包教育稳控", "包息访息诉"):
        tick(page, label)
    sign_out(page)

    # The department head sends the first draft back once.
    sign_in("dept_head")
    page.goto(case_url)
    expect_stage(page, "待署名", "待责任单位负责人署名")
    act(page, "return_draft", "退回修改", fill={"comment": "请写明欠薪金额和责令支付的期限。"})
    expect_stage(page, "办理中", "待承办人起草处理意见书")
    expect(page.locator("#replies")).to_contain_text("退回意见：请写明欠薪金额和责令支付的期限。")
    sign_out(page)

    sign_in("handler")
    page.goto(case_url)
    act(page, "draft", "提交处理意见书", fill={"text": REPLY_TEXT, "legal_basis": LEGAL_BASIS})
    expect_stage(page, "待署名", "待责任单位负责人署名")
    expect(page.locator("#replies")).to_contain_text("第2版")
    sign_out(page)

    # The department head signs the second draft.
    sign_in("dept_head")
    my_work_lists(page, base, "sign", tracking_code)
    snap(page, artifacts, "work-dept-head")
    page.goto(case_url)
    snap(page, artifacts, "case-awaiting-signature-dept-head")
    act(page, "sign", "署名签发")
    expect_stage(page, "待审核", "待信访部门审核送达")
    expect(page.locator("#replies .signature").first).to_contain_text("李建军")
    signed_item = page.locator("#checklist li", has_text="领导审签")
    expect(signed_item).to_have_class(re.compile(r"\bdone\b"))  # the signature ticked it, nobody had to
    expect(signed_item).to_contain_text("随“署名签发”自动勾销")
    sign_out(page)

    # The clerk verifies and delivers.
    sign_in("clerk")
    my_work_lists(page, base, "verify", tracking_code)
    snap(page, artifacts, "work-clerk")
    page.goto(case_url)
    act(page, "publish", "审核通过并送达", select={"method": "邮寄送达"}, fill={"tracking_number": "XA1234567890CN"})
    expect_stage(page, "已答复", "待信访人评价或申请复查；信访部门回访后销号")
    expect(page.locator("#replies")).to_contain_text("送达：")
    expect(page.locator("#checklist li", has_text="书面答复")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#actions")).to_contain_text("尚无满意度评价，也未回访")
    snap(page, artifacts, "case-replied-clerk")

    # The petitioner rates the reply on the public lookup page, with the codes from the receipt.
    public = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        petitioner = public.new_page()
        petitioner.goto(f"{base}/track")
        petitioner.fill("#tracking_code", tracking_code)
        petitioner.fill("#query_code", query_code)
        petitioner.click("button:has-text('查询')")
        petitioner.wait_for_url(re.compile(re.escape(f"/track/{tracking_code}") + "$"))
        evaluation = petitioner.locator("section", has=petitioner.locator("h2", has_text="满意度评价"))
        evaluation.get_by_role("group", name="对信访部门受理工作的评价").get_by_role(
            "radio", name="满意", exact=True
        ).check()
        evaluation.get_by_role("group", name="对责任单位办理工作的评价").get_by_role(
            "radio", name="基本满意", exact=True
        ).check()
        evaluation.get_by_role("button", name="提交评价").click()
        expect(petitioner.locator("section", has=petitioner.locator("h2", has_text="您的评价"))).to_contain_text(
            "受理：满意；办理：基本满意"
        )
    finally:
        public.close()

    # The clerk records a follow-up, ticks what is left and marks the case off.
    page.reload()
    expect(dd(page, "评价")).to_have_text("受理：满意；办理：基本满意")
    follow_ups = page.locator("#follow-up")
    follow_ups.locator("[name='follow_up-method']").select_option("电话")
    follow_ups.locator("[name='follow_up-satisfaction']").select_option(label="满意")
    follow_ups.locator("[name='follow_up-notes']").fill("信访人表示工资已全部到账，对处理结果满意。")
    follow_ups.locator("button:has-text('记录回访')").click()
    expect(page.locator("#case .flash-success")).to_have_text("已记录回访。")
    expect(follow_ups).to_contain_text("信访人表示工资已全部到账")
    expect(page.locator("#checklist li", has_text="回访")).to_have_class(re.compile(r"\bdone\b"))  # ticked by it
    # Signature, delivery and follow-up ticked their items and the owner leader the 五包: nothing is left to tick
    # by hand, and the follow-up's redraw of the whole case took the blockers line away without a reload.
    expect(page.locator("#checklist li:not(.done)")).to_have_count(0)
    expect(page.locator("#actions")).not_to_contain_text("销号条件尚未满足")
    act(page, "mark_off", "销号", fill={"note": "工资已到账，信访人满意。"})
    expect_stage(page, "已销号", None)
    expect(page.locator("#timeline")).to_contain_text("销号")
    snap(page, artifacts, "case-closed-clerk")


# --- 2. repeat detection while typing --------------------------------------------------------------------------
def test_the_clerk_sees_earlier_cases_while_typing_the_phone_and_registers_a_repeat(
    page, live_server, sign_in, artifacts
):
    from portal.cases import services
    from portal.cases.models import Case, Petitioner
    from portal.extensions import db

    with live_server["app"].app_context():
        # A petitioner with a phone and at least one case that may still be repeated (a final one needs new facts).
        petitioners = db.session.execute(
            db.select(Petitioner)
            .where(
                Petitioner.phone.is_not(None), db.select(Case.id).where(Case.petitioner_id == Petitioner.id).exists()
            )
            .order_by(Petitioner.id)
        ).scalars()
        for petitioner in petitioners:
            earlier = [c for c in services.earlier_cases(phone=petitioner.phone) if c.review_level < 2]
            if earlier:
                break
        else:
            pytest.fail("demo data has no petitioner with a phone and a case")
        name, phone = petitioner.name, petitioner.phone
        original_id, original_code = earlier[0].id, earlier[0].tracking_code
    base = live_server["url"]

    sign_in("clerk")
    page.goto(f"{base}/staff/cases/new")
    page.evaluate("window.__noReload = true")
    page.fill("#petitioner_name", name)
    expect(page.locator("#earlier input[name=repeat_of_id]")).to_have_count(0)
    earlier_lookup(page, lambda: page.locator("#phone").press_sequentially(phone, delay=20))
    earlier_block = page.locator("#earlier")
    expect(earlier_block).to_contain_text(original_code)
    expect(earlier_block).to_contain_text("请核对是否为重复信访")
    # Nothing was submitted: same page, same form, the petitioner's name still typed in.
    assert page.url.endswith("/staff/cases/new")
    assert page.evaluate("window.__noReload === true")
    expect(page.locator("#petitioner_name")).to_have_value(name)

    # Leaving the phone field does not look the cases up again (see test_picking_an_earlier_case_right_after_typing…).
    page.fill("#title", "再次反映拖欠问题至今未解决")
    page.fill("#content", "上次反映的问题至今没有解决，请求督促相关单位尽快处理。")
    pick = page.locator(f"#earlier input[name=repeat_of_id][value='{original_id}']")
    pick.check()
    expect(pick).to_be_checked()
    snap(page, artifacts, "register-earlier")
    page.click("button:has-text('登记并生成回执')")
    tracking_code, _ = read_receipt(page)
    page.click("a:has-text('查看信访件')")
    expect(page.locator("h1")).to_contain_text(tracking_code)
    expect(page.locator(".case-head .tag", has_text="重复信访")).to_be_visible()
    link = dd(page, "原信访件").locator("a")
    expect(link).to_have_text(original_code)
    expect(link).to_have_attribute("href", re.compile(rf"/staff/cases/{original_id}$"))
    expect(page.locator("#related li", has_text=original_code)).to_contain_text("原件")
    snap(page, artifacts, "case-repeat-clerk")


def test_picking_an_earlier_case_right_after_typing_the_phone_is_kept(page, live_server, sign_in):
    from portal.cases.models import Case, Petitioner
    from portal.extensions import db

    with live_server["app"].app_context():
        case = (
            db.session.execute(
                db.select(Case)
                .join(Case.petitioner)
                .where(Case.review_level < 2, Petitioner.phone.is_not(None))
                .order_by(Case.id)
            )
            .scalars()
            .first()
        )
        phone, case_id = case.petitioner.phone, case.id
    sign_in("clerk")
    page.goto(f"{live_server['url']}/staff/cases/new")
    earlier_lookup(page, lambda: page.locator("#phone").press_sequentially(phone, delay=20))
    pick = page.locator(f"#earlier input[name=repeat_of_id][value='{case_id}']")
    # A busy intranet: any lookup fired after the clerk's pick would come back late and redraw #earlier (held here).
    held = []
    page.route("**/staff/cases/earlier*", lambda route: held.append(route))
    pick.click()  # straight from the phone field to the earlier case, as a clerk does
    expect(pick).to_be_checked()
    page.wait_for_timeout(700)  # longer than the lookup's typing delay
    assert not held, "leaving the phone field looked the earlier cases up again and could undo the pick"
    page.unroute("**/staff/cases/earlier*")
    expect(pick).to_be_checked()


# --- 3. ledgers (another area, still being finished) --------------------------------------------------------------
@pytest.mark.parametrize("path, name", [("/staff/ledgers/", "ledgers"), ("/staff/ledgers/assigned", "ledger-assigned")])
def test_ledger_pages_are_photographed_for_review(page, live_server, sign_in, artifacts, path, name):
    sign_in("clerk")
    try:
        response = page.goto(f"{live_server['url']}{path}")
    except Exception as error:  # noqa: BLE001 - a page still being built may fail in any way
        pytest.skip(f"{path} failed to load ({error}); ledger screenshots skipped while the area is finished")
    if response is None or response.status >= 400:
        pytest.skip(f"{path} answered HTTP {response.status if response else '?'}; ledger screenshots skipped")
    expect(page.locator("h1")).to_be_visible()
    snap(page, artifacts, name, check_overflow=False)
    page.set_viewport_size(PHONE)
    offenders = pages.overflowing(page)
    if offenders:
        pytest.xfail(f"{path} is wider than {PHONE['width']} px on a phone: {offenders} (area still being finished)")
