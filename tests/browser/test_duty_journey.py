"""Reception duty in a real browser with the demo users (DESIGN §6):

1. the clerk schedules a future month on the staff roster — slots created in place (htmx) for different leaders, one
   on a weekend that asks for confirmation — and publishes it; the public roster (signed out) lists them;
2. a leader who cannot attend asks a colleague to stand in from 我的接访, the colleague accepts, and the public
   roster names the substitute with a note about the leader first on duty;
3. on the duty day a leader opens the day's log from 我的接访 and logs two visitors — one answered on the spot, one
   instructed and transferred (the receipt shows the tracking and query codes) — the transferred case is in the
   接访台账 with its department and due date, and once the log is submitted and locked nothing more can be added
   (not offered, and refused with a message from a tab opened before the lock); 我的接访 then lists the log as
   submitted and the case among those born at the leader's receptions.

Pages are photographed (full page) into test-artifacts/duty-*.png for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import pages
from tests.browser.pages import DESKTOP, dd, fresh_phone, sign_out

pytestmark = pytest.mark.browser

PLACE = "县人民来访接待中心"


# --- helpers -------------------------------------------------------------------------------------------------
def snap(page: Page, artifacts: Path, name: str, *, check_overflow: bool = True) -> None:
    pages.snap(page, artifacts, f"duty-{name}", check_overflow=check_overflow)


def leader_option(username: str) -> str:
    """How the leader pickers name a demo leader: ``刘晓峰（副县长）``."""
    from portal.demo import STAFF

    name, _, _, title = STAFF[username]
    return f"{name}（{title}）"


def leader_name(username: str) -> str:
    from portal.demo import STAFF

    return STAFF[username][0]


def flash(page: Page):
    return page.locator(".flashes")


@dataclass(frozen=True)
class Plan:
    """The month the clerk schedules, and the days: three working days and one rest day, all on the public roster's
    window and far enough ahead to be published."""

    month: str  # YYYY-MM
    label: str  # 2027年1月
    workdays: tuple[dt.date, dt.date, dt.date]
    rest_day: dt.date
    rest_reason: str  # 周六 / 周日 / 元旦 …
    fresh: bool  # nothing was scheduled in the month before


def plan_month(app) -> Plan:
    """The month after next if nothing is scheduled in it yet and the public roster reaches far enough into it;
    otherwise the next month's free days past the demo rota. The database is checked for emptiness."""
    from portal.deadlines.services import work_calendar
    from portal.duty.models import DutySlot
    from portal.duty.month import Month
    from portal.duty.roster import publishable_from, rest_reason
    from portal.duty.services import roster_window
    from portal.extensions import db
    from portal.localtime import today

    with app.app_context():
        calendar = work_calendar()
        first_ok = publishable_from()
        _, window_end = roster_window(today())
        after_next = Month.of(today()).next.next
        for month in (after_next, Month.of(today()).next):
            taken = set(
                db.session.scalars(
                    db.select(DutySlot.day).where(DutySlot.day >= month.first, DutySlot.day <= month.last)
                )
            )
            if month == after_next and taken:
                continue  # someone scheduled it already: not a fresh month
            days = [month.first + dt.timedelta(days=i) for i in range((month.last - month.first).days + 1)]
            free = [
                d for d in days if first_ok <= d <= window_end and d not in taken and not (taken and d <= max(taken))
            ]  # in a partly scheduled month, only days after the rota
            workdays = [d for d in free if calendar.is_workday(d)]
            rest = [d for d in free if not calendar.is_workday(d) and d.weekday() >= 5]
            if len(workdays) >= 3 and rest:
                info = calendar.day(rest[0])
                return Plan(str(month), month.label, tuple(workdays[:3]), rest[0], rest_reason(info), not taken)
    pytest.fail("no month with three free working days and a free weekend day inside the public roster's window")


def go_to_month(page: Page, base: str, plan: Plan) -> None:
    """Open the roster on this month and page forward with ›, as a clerk does."""
    page.goto(f"{base}/staff/duty/")
    for _ in range(3):
        if page.locator("h1 .month-label").inner_text().strip() == plan.label:
            break
        page.click(".month-nav a[rel=next]")
    expect(page.locator("h1 .month-label")).to_have_text(plan.label)
    assert f"month={plan.month}" in page.url, page.url


def create_in_cell(
    page: Page,
    day: dt.date,
    leader: str,
    *,
    topics: str,
    rest_day_question: str | None = None,
    form: str = "定点接访",
    period: str = "全天",
    artifacts: Path | None = None,
) -> None:
    """Open the day's editor in place, fill it and press 安排; for a rest day answer the confirmation question.
    Checks the page was never reloaded, every request was htmx, and the slot shows in the cell as a draft."""
    cell = page.locator(f"#day-{day.isoformat()}")
    with page.expect_response(lambda r: "/staff/duty/slots/new" in r.url) as opened:
        cell.locator("a.add-slot").click()
    assert opened.value.request.headers.get("hx-request") == "true"
    cell = page.locator(f"#day-{day.isoformat()}")
    editor = cell.locator("form.slot-editor")
    expect(editor).to_be_visible()
    expect(editor.locator("[name=day]")).to_have_value(day.isoformat())
    editor.locator("[name=period]").select_option(label=period)
    editor.locator("[name=leader_id]").select_option(label=leader)
    expect(editor.locator("[name=place]")).not_to_have_value("")  # the office address is offered
    editor.locator("[name=place]").fill(PLACE)
    editor.locator("[name=form]").select_option(label=form)
    editor.locator("[name=topics]").fill(topics)
    with page.expect_response(lambda r: r.url.endswith("/staff/duty/slots") and r.request.method == "POST") as sent:
        editor.locator("button.primary", has_text="安排").click()
    assert sent.value.request.headers.get("hx-request") == "true"
    if rest_day_question is not None:
        assert sent.value.status == 422, f"a rest day was scheduled without asking (HTTP {sent.value.status})"
        question = page.locator(f"#day-{day.isoformat()} .rest-confirm")
        expect(question).to_contain_text(rest_day_question)
        expect(page.locator(f"#day-{day.isoformat()} .duty-slot")).to_have_count(0)  # nothing saved yet
        if artifacts is not None:
            snap(page, artifacts, "month-rest-day-question")
        with page.expect_response(lambda r: r.url.endswith("/staff/duty/slots") and r.request.method == "POST") as sent:
            question.locator("button", has_text="确认，仍在该日排班").click()
        assert sent.value.request.headers.get("hx-request") == "true"
    assert sent.value.status == 200, f"creating the slot on {day}: HTTP {sent.value.status}"
    cell = page.locator(f"#day-{day.isoformat()}")
    expect(cell.locator("form.slot-editor")).to_have_count(0)
    slot = cell.locator(".duty-slot", has_text=leader.split("（")[0])
    expect(slot).to_have_count(1)
    expect(slot.locator(".draft-tag")).to_have_text("草稿")
    expect(page.locator("#duty-notice")).to_contain_text(f"已安排：{day.month}月{day.day}日")
    assert page.evaluate("window.__noReload === true"), "creating a slot reloaded the page"


def slot_id(app, day: dt.date, username: str) -> int:
    from portal.accounts.models import User
    from portal.duty.models import DutySlot
    from portal.extensions import db

    with app.app_context():
        return db.session.execute(
            db.select(DutySlot.id)
            .join(DutySlot.leader)
            .where(DutySlot.day == day, User.username == username, DutySlot.cancelled.is_(False))
        ).scalar_one()


def public_row(page: Page, day: dt.date, name: str):
    return page.locator(f"table.roster tr.slot:has(time[datetime='{day.isoformat()}'])", has_text=name)


# --- 1 + 2. schedule, publish, swap ------------------------------------------------------------------------------
def test_the_clerk_schedules_and_publishes_a_month_and_a_leader_swaps_a_day(
    browser, page, live_server, sign_in, artifacts
):
    from portal.duty.models import DutySlot, SwapRequest, SwapState
    from portal.extensions import db

    app, base = live_server["app"], live_server["url"]
    plan = plan_month(app)
    day1, day2, day3 = plan.workdays
    weekend = plan.rest_day
    schedule = [  # (day, leader username, topics, rest-day question)
        (day1, "leader", "党建、信访、乡村振兴", None),
        (day2, "leader2", "自然资源、住房城乡建设", None),
        (day3, "leader3", "教育、卫生健康、民政", None),
        (
            weekend,
            "leader4",
            "政法、公安、市场监管",
            f"{weekend.month}月{weekend.day}日是休息日（{plan.rest_reason}），确认仍在该日排班？",
        ),
    ]

    # The clerk opens the roster, pages to the month and schedules it in place.
    sign_in("clerk")
    go_to_month(page, base, plan)
    if plan.fresh:
        expect(page.locator(".duty-cal li.day:not(.other-month) .duty-slot")).to_have_count(0)
    page.evaluate("window.__noReload = true")
    for day, username, topics, question in schedule:
        create_in_cell(
            page, day, leader_option(username), topics=topics, rest_day_question=question, artifacts=artifacts
        )
    # The status strip refreshed itself after the changes: four drafts (at least) wait to be published.
    publish = page.locator("#duty-status .publish-item")
    expect(publish).to_contain_text(re.compile(r"\b([4-9]|\d{2,}) 条草稿待公布"))
    expect(publish.locator("button")).to_be_enabled()
    snap(page, artifacts, "month-drafts")

    ids = {username: slot_id(app, day, username) for day, username, _, _ in schedule}
    with app.app_context():
        slots = {username: db.session.get(DutySlot, ids[username]) for username in ids}
        assert not any(s.published for s in slots.values())
        assert slots["leader4"].day == weekend and slots["leader4"].place == PLACE

    with page.expect_navigation():
        publish.locator("button", has_text=f"公布{int(plan.month[5:])}月排班").click()
    expect(flash(page)).to_contain_text("条接访排班，公开的领导接访安排已更新。")
    for day, username, _, _ in schedule:
        cell = page.locator(f"#day-{day.isoformat()}")
        expect(cell.locator(".duty-slot", has_text=leader_name(username)).locator(".published-tag")).to_have_text(
            "已公布"
        )
    with app.app_context():
        published = (
            db.session.execute(db.select(DutySlot.published).where(DutySlot.id.in_(ids.values()))).scalars().all()
        )
        assert published == [True] * 4
    snap(page, artifacts, "month-published")  # the month roster at 390 and 1280 px
    sign_out(page)

    # The public (another browser, not signed in) sees the four slots with the leaders' names.
    public = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        visitor = public.new_page()
        visitor.goto(f"{base}/roster")
        expect(visitor.locator("h1")).to_have_text("领导接访安排")
        for day, username, topics, _ in schedule:
            row = public_row(visitor, day, leader_name(username))
            expect(row).to_have_count(1)
            expect(row.locator(".slot-place")).to_have_text(PLACE)
            expect(row.locator(".slot-topics")).to_have_text(topics)
            expect(row.locator(".slot-time")).to_contain_text("全天")
        expect(visitor.locator(".swap-note")).to_have_count(0)
    finally:
        public.close()

    # 刘晓峰 cannot attend day 2 and asks 陈慧敏 to stand in, from 我的接访.
    swapped = ids["leader2"]
    sign_in("leader2")
    page.goto(f"{base}/staff/duty/mine")
    mine = page.locator(f"#slot-{swapped}")
    expect(mine).to_contain_text(f"{day2.month}月{day2.day}日")
    mine.locator("summary", has_text="申请调换").click()
    mine.locator(f"#sub-{swapped}").select_option(label=leader_option("leader3"))
    mine.locator(f"#reason-{swapped}").fill("当天参加省里召开的防汛工作会议")
    with page.expect_navigation():
        mine.locator("button", has_text="发送申请").click()
    expect(flash(page)).to_contain_text(f"已请{leader_name('leader3')}接替")
    mine = page.locator(f"#slot-{swapped}")
    expect(mine.locator(".tag.warn")).to_have_text(f"调换待确认：{leader_name('leader3')}")
    expect(mine.locator("button", has_text="撤回调换申请")).to_be_visible()
    expect(page.locator("#asked")).to_contain_text(f"请{leader_name('leader3')}接替")
    snap(page, artifacts, "mine-asked")
    sign_out(page)

    # 陈慧敏 finds the request on her 我的接访 and accepts it.
    sign_in("leader3")
    page.goto(f"{base}/staff/duty/mine")
    request = page.locator("#to-me li", has_text=f"{day2.month}月{day2.day}日")
    expect(request).to_contain_text("当天参加省里召开的防汛工作会议")
    expect(request).to_contain_text(f"{leader_name('leader2')}请{leader_name('leader3')}接替")
    snap(page, artifacts, "mine-to-accept")  # My duty
    with page.expect_navigation():
        request.locator("button", has_text="接受调换").click()
    expect(flash(page)).to_contain_text("已接受调换")
    expect(page.locator("#to-me")).to_have_count(0)
    now_mine = page.locator(f"#slot-{swapped}")
    expect(now_mine).to_contain_text(f"原定{leader_name('leader2')}，由您接替")
    expect(now_mine.locator(".swapped-tag")).to_have_text("已调换")
    snap(page, artifacts, "mine-accepted")
    sign_out(page)

    with app.app_context():
        slot = db.session.get(DutySlot, swapped)
        assert slot.leader.username == "leader3" and slot.original_leader.username == "leader2"
        swap = db.session.execute(db.select(SwapRequest).filter_by(slot_id=swapped)).scalar_one()
        assert swap.state is SwapState.ACCEPTED and swap.decided_by.username == "leader3"

    # The public roster now names the substitute, and says who was first on duty.
    public = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        visitor = public.new_page()
        visitor.goto(f"{base}/roster")
        row = public_row(visitor, day2, leader_name("leader3"))
        expect(row).to_have_count(1)
        expect(row.locator(".swap-note")).to_have_text(f"原定{leader_name('leader2')}因故调换")
        expect(row.locator(".slot-title")).to_have_text("副县长")
        # 刘晓峰 no longer appears as the leader on duty that day.
        expect(
            visitor.locator(
                f"table.roster tr.slot:has(time[datetime='{day2.isoformat()}']) .slot-leader",
                has_text=re.compile(f"^{leader_name('leader2')}"),
            )
        ).to_have_count(0)
        snap(visitor, artifacts, "public-roster-after-swap")
    finally:
        public.close()


# --- 3. the duty day's reception log -----------------------------------------------------------------------------
def _today_slot(app) -> tuple[int, str]:
    """A whole-day slot today for a county leader who has none today, made through the roster service."""
    from portal.accounts.models import User
    from portal.duty import roster
    from portal.duty.models import Period
    from portal.extensions import db
    from portal.localtime import today

    with app.app_context():
        clerk = db.session.execute(db.select(User).filter_by(username="clerk")).scalar_one()
        for username in ("leader4", "leader3", "leader2", "leader"):
            leader = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
            if roster.clashing_slot(leader.id, today(), Period.DAY) is None:
                break
        else:
            pytest.fail("every county leader already has a slot today")
        slot = roster.create_slot(
            clerk,
            day=today(),
            period=Period.DAY,
            leader_id=leader.id,
            place=PLACE,
            form="fixed",
            topics="政法、公安、市场监管",
            confirm_rest_day=True,
        )
        db.session.commit()
        return slot.id, username


def test_on_the_duty_day_the_leader_logs_two_visitors_and_locks_the_log(page, live_server, sign_in, artifacts):
    from portal.cases.models import Case, Channel
    from portal.extensions import db
    from portal.localtime import today
    from portal.reception.models import Handling, ReceptionEntry, ReceptionLog

    app, base = live_server["app"], live_server["url"]
    slot, username = _today_slot(app)
    answered_phone, transferred_phone = fresh_phone(app), fresh_phone(app)
    department = "县住房和城乡建设局"
    log_url = f"{base}/staff/reception/slots/{slot}"

    # The leader finds today's duty on 我的接访 and opens its log from there.
    sign_in(username)
    page.click("nav.nav a:has-text('我的接访')")
    page.wait_for_url(re.compile(r"/staff/duty/mine$"))
    today_row = page.locator("#mine-reception li", has=page.locator(f"a[href$='/staff/reception/slots/{slot}']"))
    expect(today_row).to_contain_text("未填写")
    today_row.locator("a", has_text="填写接访日志").click()
    page.wait_for_url(re.compile(rf"/staff/reception/slots/{slot}$"))
    expect(page.locator(".page-head .log-state")).to_have_text("未填写")
    expect(dd(page, "接访领导")).to_contain_text(leader_name(username))

    # A visitor answered on the spot.
    entry = page.locator("#new-entry")
    entry.locator("input[name=handling][value=answered]").check()
    entry.locator("[name=name]").fill("王秀英")
    entry.locator("[name=phone]").fill(answered_phone)
    entry.locator("[name=matter]").fill("咨询城乡居民医保断缴后如何补缴。")
    entry.locator("[name=answer]").fill("当场告知：携带身份证到县医保服务中心窗口办理补缴，缴费次月起恢复待遇。")
    entry.locator("[name=satisfaction]").select_option(label="满意")
    with page.expect_navigation():
        entry.locator("button", has_text="登记").click()
    expect(flash(page)).to_contain_text(re.compile(r"已登记 JF\d{4}-\d{4,}（当场答复）"))
    expect(page.locator(".page-head .log-state")).to_have_text("填写中")
    expect(page.locator("article.entry-answered", has_text="王秀英")).to_contain_text("县医保服务中心")

    # A visitor whose matter the leader instructs and transfers: a receipt with the codes comes back.
    entry = page.locator("#new-entry")
    entry.locator("input[name=handling][value=transferred]").check()
    expect(entry.locator("[name=answer]")).to_be_hidden()
    entry.locator("[name=name]").fill("李国强")
    entry.locator("[name=phone]").fill(transferred_phone)
    entry.locator("[name=address]").fill("城关镇幸福路锦绣家园3栋")
    entry.locator("[name=matter]").fill("反映小区地下车库长期积水，物业推诿不处理。")
    entry.locator("[name=place]").fill("城关镇幸福路锦绣家园")
    entry.locator("[name=department_id]").select_option(label=department)
    entry.locator("[name=instruction]").fill("请县住建局牵头，督促物业公司十日内排水清淤，结果书面答复群众。")
    with page.expect_response(
        lambda r: r.url.endswith(f"/slots/{slot}/entries") and r.request.method == "POST"
    ) as posted:
        entry.locator("button", has_text="登记").click()
    assert posted.value.status == 201, f"transfer: HTTP {posted.value.status}"
    receipt = page.locator("#receipt")
    expect(receipt.locator("h1")).to_have_text("领导接访登记回执")
    number = dd(page, "接访编号", "#receipt").inner_text().strip()
    tracking_code = dd(page, "信访件编号", "#receipt").inner_text().strip()
    query_code = dd(page, "查询码", "#receipt").inner_text().strip()
    assert re.fullmatch(r"JF\d{4}-\d{4,}", number), number
    assert re.fullmatch(r"XF\d{8}-[0-9A-Z]{6}", tracking_code), tracking_code
    assert re.fullmatch(r"[0-9A-Z]{10}", query_code), query_code
    expect(dd(page, "处理", "#receipt")).to_have_text(f"已受理，交{department}办理")
    expect(dd(page, "接访领导", "#receipt")).to_contain_text(leader_name(username))
    snap(page, artifacts, "reception-receipt")

    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(tracking_code=tracking_code)).scalar_one()
        assert case.channel is Channel.VISIT
        assert case.department.name == department
        assert case.owner_leader.username == username
        assert case.received_on == today()
        assert case.due_date is not None
        due_date, case_id = case.due_date, case.id
        entry_row = db.session.execute(db.select(ReceptionEntry).filter_by(case_id=case_id)).scalar_one()
        assert entry_row.number == number and entry_row.handling is Handling.TRANSFERRED
        expect(dd(page, "办理期限", "#receipt")).to_contain_text(case.handle_due.isoformat())

    # Back on the log: two entries, the transfer linked to its case.
    page.click("a:has-text('返回接访日志')")
    expect(page.locator("article.entry")).to_have_count(2)
    expect(page.locator("#entries-title")).to_contain_text("共 2 条")
    transfer = page.locator("article.entry-transferred", has_text="李国强")
    expect(transfer.locator(f"a[href$='/staff/cases/{case_id}']")).to_have_text(tracking_code)
    expect(transfer).to_contain_text(f"交{department}办理")
    snap(page, artifacts, "reception-log-two-entries")

    # The 接访台账 lists the case with its department and due date (as in the database).
    page.goto(f"{base}/staff/ledgers/reception?q={tracking_code}")
    expect(page.locator("h1")).to_have_text("接访台账")
    row = page.locator("table.ledger tbody tr", has=page.locator(f"a:text-is('{tracking_code}')"))
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label=责任单位]")).to_have_text(department)
    expect(row.locator("td[data-label=期限] .mono")).to_have_text(due_date.isoformat())
    expect(row.locator("td[data-label=包案领导]")).to_have_text(leader_name(username))
    page.goto(f"{base}/staff/ledgers/reception")
    expect(page.locator("table.ledger tbody")).to_contain_text(tracking_code)  # open cases by days left: near top
    snap(page, artifacts, "reception-ledger")

    # A second tab keeps the open log, as a leader's other window would.
    stale = page.context.new_page()
    stale.goto(log_url)
    expect(stale.locator("#new-entry")).to_be_visible()

    # Submit and lock.
    page.goto(log_url)
    submit = page.locator("#submit")
    submit.locator("[name=summary]").fill("接待来访群众2批2人，当场答复1件，批示转办1件。")
    submit.locator("[name=confirm]").check()
    with page.expect_navigation():
        submit.locator("button", has_text="提交并锁定").click()
    expect(flash(page)).to_contain_text("接访日志已提交并锁定。")
    expect(page.locator(".page-head .log-state")).to_have_text("已提交锁定")
    expect(page.locator("#new-entry")).to_have_count(0)  # adding another entry is no longer offered
    expect(page.locator("#submit")).to_have_count(0)
    expect(page.locator("button", has_text="登记")).to_have_count(0)
    expect(page.locator(".entry-actions")).to_have_count(0)  # nor editing the on-the-spot answer
    expect(dd(page, "接访小结")).to_have_text("接待来访群众2批2人，当场答复1件，批示转办1件。")
    expect(page.locator("#corrections")).to_contain_text("添加更正说明")
    snap(page, artifacts, "reception-log-locked")
    with app.app_context():
        log = db.session.execute(db.select(ReceptionLog).filter_by(slot_id=slot)).scalar_one()
        assert log.locked and log.submitted_by.username == username and len(log.entries) == 2

    # 我的接访 shows the day's log as submitted and the transferred case among the cases born at receptions.
    page.goto(f"{base}/staff/duty/mine")
    section = page.locator("#mine-reception")
    today_row = section.locator("li", has=page.locator(f"a[href$='/staff/reception/slots/{slot}']"))
    expect(today_row).to_contain_text("已提交 · 2 条")
    expect(today_row.locator("a")).to_have_text("查看接访日志")
    born = section.locator("table.mine-cases tr", has=page.locator(f"a:text-is('{tracking_code}')"))
    expect(born).to_have_count(1)
    expect(born.locator("td[data-label=接访编号]")).to_have_text(number)
    expect(born.locator("td[data-label=责任单位]")).to_have_text(department)
    expect(section.locator("h2", has_text="接访转办的信访件")).to_contain_text(re.compile(r"共 [1-9]\d* 件"))
    snap(page, artifacts, "mine-reception")

    # The stale tab tries to add a third visitor: refused with a message, what was typed is kept, nothing saved.
    entry = stale.locator("#new-entry")
    entry.locator("input[name=handling][value=answered]").check()
    entry.locator("[name=name]").fill("赵明")
    entry.locator("[name=matter]").fill("询问宅基地审批办理流程。")
    entry.locator("[name=answer]").fill("当场解答办理流程。")
    with stale.expect_response(lambda r: r.url.endswith(f"/slots/{slot}/entries")) as refused:
        entry.locator("button", has_text="登记").click()
    assert refused.value.status == 422, f"adding to a locked log: HTTP {refused.value.status}"
    expect(stale.locator("p.flash-error[role=alert]")).to_contain_text("该接访日志已提交锁定，不能再添加或修改登记")
    expect(stale.locator("#new-entry")).to_contain_text("未能保存")
    expect(stale.locator("#new-entry [name=name]")).to_have_value("赵明")
    expect(stale.locator("#new-entry button", has_text="登记")).to_have_count(0)
    expect(stale.locator("article.entry")).to_have_count(2)
    snap(stale, artifacts, "reception-log-refused")
    stale.close()
    with app.app_context():
        assert (
            db.session.execute(
                db.select(db.func.count(ReceptionEntry.id)).join(ReceptionEntry.log).where(ReceptionLog.slot_id == slot)
            ).scalar_one()
            == 2
        )
