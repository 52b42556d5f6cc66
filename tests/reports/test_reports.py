"""Reports: a weekly summary of a hand-built week whose every number is worked out by hand below; frozen reports that
stay what they said after the cases change; the supervision circular and the ranking circular; which days are due."""

import datetime as dt

import pytest

from portal.cases import services
from portal.cases.models import CaseType, Channel, Outcome, Status
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import as_of
from portal.reports import builders
from portal.reports.models import PublishedReport, ReportKind
from portal.reports.services import publish, publish_due
from portal.stats.indicators import Period
from tests.factories import make_case, ready_for_mark_off

D = dt.date
WEEK = Period.between(D(2025, 11, 3), D(2025, 11, 9))  # Monday to Sunday
MONDAY_AFTER = D(2025, 11, 10)


def reply_on(world, case, day):
    with as_of(day):
        services.draft_reply(case, world.handler_for(case), outcome=Outcome.SUPPORT, text="经调查，已责令整改。")
        services.sign_reply(case, world.head_for(case))
        services.publish_reply(case, world.clerk)
    db.session.commit()


@pytest.fixture
def week(world):
    """Cases A–I, each with what it does in the week of 3–9 November 2025 (see the counts in the test)."""
    cases = {}
    # A: accepted and assigned to housing on 13 Oct (handling due 12 Dec), still being handled: in progress.
    cases["A"] = make_case(world, Status.IN_PROGRESS, on=D(2025, 10, 13), channel=Channel.LETTER)
    # B: received in the week by visit, not yet decided (acceptance due 19 Nov): received.
    cases["B"] = make_case(world, Status.REGISTERED, on=D(2025, 11, 4), channel=Channel.VISIT)
    # C: received, accepted and assigned to labour in the week by phone: received, accepted, in progress.
    cases["C"] = make_case(world, Status.ASSIGNED, on=D(2025, 11, 5), channel=Channel.PHONE, department=world.labour)
    # D: accepted 1 Aug, handling due 30 Sep, no reply: in progress and overdue.
    cases["D"] = make_case(world, Status.IN_PROGRESS, on=D(2025, 8, 1), channel=Channel.LETTER)
    # E: accepted 20 Oct, replied in the week: replied.
    cases["E"] = make_case(world, Status.IN_PROGRESS, on=D(2025, 10, 20), channel=Channel.LETTER)
    reply_on(world, cases["E"], D(2025, 11, 6))
    # F: replied 27 Oct, marked off in the week: closed.
    cases["F"] = make_case(world, Status.REPLIED, on=D(2025, 10, 27), channel=Channel.LETTER)
    with as_of(D(2025, 11, 7)):
        ready_for_mark_off(cases["F"], world)
        services.mark_off(cases["F"], world.clerk, note="已办结")
    db.session.commit()
    # G: received 1 Sep by e-mail, never decided (acceptance due 16 Sep): overdue.
    cases["G"] = make_case(world, Status.REGISTERED, on=D(2025, 9, 1), channel=Channel.EMAIL)
    # H: received and not accepted in the week, by fax: received only (a decision not to accept is no acceptance).
    cases["H"] = make_case(world, Status.NOT_ACCEPTED, on=D(2025, 11, 6), channel=Channel.FAX)
    # I: received the Monday after: in no column.
    cases["I"] = make_case(world, Status.REGISTERED, on=MONDAY_AFTER, channel=Channel.LETTER)
    return cases


ZERO = dict.fromkeys(builders.WEEK_COLUMNS, 0)


def test_the_weekly_summary_of_a_hand_built_week(world, week):
    content = builders.weekly(WEEK)

    # received: B, C, H · accepted: C · in progress at the end: A, C, D · replied: E · closed: F · overdue: D, G
    assert content["totals"] == {
        "received": 3,
        "accepted": 1,
        "in_progress": 3,
        "replied": 1,
        "closed": 1,
        "overdue": 2,
    }
    departments = {r["name"]: {k: r[k] for k in builders.WEEK_COLUMNS} for r in content["by_department"]}
    assert departments == {
        # A and D in progress (D overdue), E replied, F closed
        "县住房和城乡建设局": {**ZERO, "in_progress": 2, "replied": 1, "closed": 1, "overdue": 1},
        "县人力资源和社会保障局": {**ZERO, "received": 1, "accepted": 1, "in_progress": 1},  # C
        "未交办": {**ZERO, "received": 2, "overdue": 1},  # B and H received, G overdue
    }
    channels = {r["key"]: {k: r[k] for k in builders.WEEK_COLUMNS} for r in content["by_channel"]}
    assert channels == {
        "letter": {**ZERO, "in_progress": 2, "replied": 1, "closed": 1, "overdue": 1},  # A, D, E, F
        "visit": {**ZERO, "received": 1},  # B
        "phone": {**ZERO, "received": 1, "accepted": 1, "in_progress": 1},  # C
        "email": {**ZERO, "overdue": 1},  # G
        "online": ZERO,
        "fax": {**ZERO, "received": 1},  # H
    }


def test_a_published_report_is_numbered_and_stays_what_it_said_after_its_cases_change(world, week):
    with as_of(MONDAY_AFTER):
        report, new = publish(ReportKind.WEEKLY, WEEK.start, WEEK.end)
    db.session.commit()
    assert new and report.number == "信周〔2025〕1号" and report.serial == 1
    said = builders.weekly(WEEK)
    assert report.content == said

    # Later: labour objects to C (交办异议, so it has no department any more), D is answered late, A is retitled.
    with as_of(D(2025, 11, 11)):
        services.object_to_assignment(week["C"], world.other_dept_head, reason="不属本单位职责")
    reply_on(world, week["D"], D(2025, 11, 20))
    week["A"].title = "小区电梯停运（已更正）"
    db.session.commit()
    recounted = builders.weekly(WEEK)
    assert recounted != said  # the same period counted today says something else …
    assert "县人力资源和社会保障局" not in {r["name"] for r in recounted["by_department"]}

    db.session.expire_all()
    stored = db.session.get(PublishedReport, report.id)
    assert stored.content == said  # … the published one does not
    assert stored.number == "信周〔2025〕1号"

    # Asking for the same period again gives the same report, not a second number.
    with as_of(D(2025, 11, 21)):
        again, new = publish(ReportKind.WEEKLY, WEEK.start, WEEK.end)
    assert not new and again.id == report.id


def test_a_published_report_refuses_any_change(world, week):
    with as_of(MONDAY_AFTER):
        report, _ = publish(ReportKind.WEEKLY, WEEK.start, WEEK.end)
    db.session.commit()
    report.content = {"totals": {}}
    with pytest.raises(DomainError, match="不能修改"):
        db.session.flush()
    db.session.rollback()


def test_numbers_run_per_kind_and_year(world):
    with as_of(D(2026, 1, 20)):
        first, _ = publish(ReportKind.WEEKLY, D(2025, 12, 22), D(2025, 12, 28))
        second, _ = publish(ReportKind.WEEKLY, D(2026, 1, 5), D(2026, 1, 11))
        third, _ = publish(ReportKind.WEEKLY, D(2026, 1, 12), D(2026, 1, 18))
        half, _ = publish(ReportKind.HALF_MONTHLY, D(2026, 1, 1), D(2026, 1, 15))
    db.session.commit()
    assert [first.number, second.number, third.number, half.number] == [
        "信周〔2025〕1号",
        "信周〔2026〕1号",
        "信周〔2026〕2号",
        "信督〔2026〕1号",
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (D(2025, 11, 9), D(2025, 11, 3), "起始日期不能晚于截止日期"),
        (D(2025, 11, 3), D(2025, 11, 10), "须在今天之前结束"),
        (D(2024, 1, 1), D(2025, 11, 3), "最长一年"),
    ],
)
def test_a_period_that_cannot_be_reported_is_refused_in_chinese(world, start, end, message):
    with as_of(MONDAY_AFTER), pytest.raises(DomainError, match=message):
        publish(ReportKind.WEEKLY, start, end)


def test_only_a_supervisor_publishes_by_hand(world):
    with as_of(MONDAY_AFTER), pytest.raises(DomainError, match="督查"):
        publish(ReportKind.WEEKLY, WEEK.start, WEEK.end, world.clerk)


# --- 半月督办通报 ---------------------------------------------------------------------------------------------------
def test_the_supervision_circular_lists_the_running_notices_their_answers_and_lateness_and_seals_accusations(world):
    late = make_case(world, Status.IN_PROGRESS, on=D(2025, 8, 1), title="幸福路违建久拖不决")
    with as_of(D(2025, 11, 3)):
        services.supervise(late, world.supervisor, note="已超期，请于5个工作日内报告办理情况。", days=5)
    db.session.commit()
    with as_of(D(2025, 11, 6)):
        services.answer_supervision(late, world.dept_head, text="已约谈物业公司，限期整改。")
    db.session.commit()
    sealed = make_case(world, Status.IN_PROGRESS, on=D(2025, 10, 20), case_type=CaseType.ACCUSATION, title="举报某局长")
    with as_of(D(2025, 11, 4)):
        services.supervise(sealed, world.supervisor, note="请纪委监委加快核查举报某局长。", days=3)
    db.session.commit()
    make_case(world, Status.IN_PROGRESS, on=D(2025, 10, 20), title="未督办的件")

    content = builders.half_monthly(Period.between(D(2025, 11, 1), D(2025, 11, 15)), D(2025, 11, 16))

    rows = {r["code"]: r for r in content["supervisions"]}
    assert set(rows) == {late.tracking_code, sealed.tracking_code}
    row = rows[late.tracking_code]
    assert row["title"] == "幸福路违建久拖不决" and row["department"] == "县住房和城乡建设局"
    assert row["answer"]["text"] == "已约谈物业公司，限期整改。" and row["state"] == "已答复待审核"
    assert [s["at"] for s in row["steps"]] == ["2025-11-03", "2025-11-06"]
    assert "已超期" in row["steps"][0]["text"]
    sealed_row = rows[sealed.tracking_code]
    assert sealed_row["title"] == "检举控告件（内容保密）"
    assert all(s["text"] == "" for s in sealed_row["steps"])  # not even the notice, which names him
    assert sealed_row["days_late"] > 0  # three working days from 4 November, no answer by the 16th
    assert "举报某局长" not in repr(content)
    assert content["totals"] == {"running": 2, "new": 2, "open": 2, "late": 1, "answered": 1, "escalated": 0}


# --- 两月通报 ---------------------------------------------------------------------------------------------------
def test_the_circular_ranks_departments_by_the_indicators_with_the_period_before_beside(world):
    # Housing answers on time in both periods; labour leaves one case unanswered past its due day in this one.
    make_case(world, Status.REPLIED, on=D(2025, 7, 7))
    make_case(world, Status.REPLIED, on=D(2025, 7, 8), department=world.labour)
    make_case(world, Status.REPLIED, on=D(2025, 9, 1))
    make_case(world, Status.REPLIED, on=D(2025, 9, 2), department=world.labour)
    make_case(world, Status.IN_PROGRESS, on=D(2025, 9, 3), department=world.labour)  # due 2 Nov, never answered

    with as_of(D(2025, 11, 20)):
        content = builders.bi_monthly(Period.between(D(2025, 9, 1), D(2025, 10, 31)), D(2025, 11, 20))

    assert content["previous_period"] == {"start": "2025-07-01", "end": "2025-08-31"}
    rows = {r["name"]: r for r in content["departments"]}
    housing, labour = rows["县住房和城乡建设局"], rows["县人力资源和社会保障局"]
    assert housing["rates"]["on_time_handling"] == 1.0
    assert labour["rates"]["on_time_handling"] == 0.5  # 1 answered in time of 2 whose clock ended or were answered
    assert (housing["rank"], labour["rank"]) == (1, 2)
    assert housing["previous"]["rank"] is not None and labour["previous"]["rates"]["on_time_handling"] == 1.0
    assert [r["name"] for r in content["departments"]][:2] == ["县住房和城乡建设局", "县人力资源和社会保障局"]


# --- the schedule ---------------------------------------------------------------------------------------------
def test_which_reports_are_due_on_which_day():
    assert builders.due_on(D(2026, 11, 30)) == [  # a Monday
        (ReportKind.WEEKLY, Period.between(D(2026, 11, 23), D(2026, 11, 29)))
    ]
    assert builders.due_on(D(2026, 12, 1)) == [  # a Tuesday, the 1st of an even month
        (ReportKind.HALF_MONTHLY, Period.between(D(2026, 11, 16), D(2026, 11, 30)))
    ]
    assert builders.due_on(D(2026, 12, 16)) == [
        (ReportKind.HALF_MONTHLY, Period.between(D(2026, 12, 1), D(2026, 12, 15)))
    ]
    assert builders.due_on(D(2027, 3, 1)) == [  # a Monday, the 1st of March
        (ReportKind.WEEKLY, Period.between(D(2027, 2, 22), D(2027, 2, 28))),
        (ReportKind.HALF_MONTHLY, Period.between(D(2027, 2, 16), D(2027, 2, 28))),
        (ReportKind.BI_MONTHLY, Period.between(D(2027, 1, 1), D(2027, 2, 28))),
    ]
    assert builders.due_on(D(2027, 1, 1))[-1] == (
        ReportKind.BI_MONTHLY,
        Period.between(D(2026, 11, 1), D(2026, 12, 31)),
    )
    assert builders.due_on(D(2026, 12, 2)) == []


def test_the_scheduled_job_publishes_what_is_due_once_and_catches_up_missed_days(world):
    with as_of(D(2027, 3, 3)):  # Wednesday: the worker was down on Monday the 1st
        made = publish_due(D(2027, 3, 3))
        db.session.commit()
        assert sorted(made) == sorted(["信周〔2027〕1号", "信督〔2027〕1号", "信通〔2027〕1号"])
        assert publish_due(D(2027, 3, 3)) == []  # run twice: nothing new
