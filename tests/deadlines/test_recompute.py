"""Stored due dates follow a calendar correction (DESIGN §4): the admin's calendar page and ``flask calendar
recompute`` recompute every date the clock stored on a case, so ledgers, overdue lists and statistics agree with the
case page. Staff clocks move either way; a window the petitioner was told never shortens; every move is audited."""

import datetime as dt

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, Status
from portal.cases.services.clocks import recompute_clocks
from portal.deadlines.models import CalendarOverride
from portal.deadlines.services import set_override
from portal.extensions import db
from portal.ledgers.queries import LEDGERS, Filters, ledger_select, rows
from portal.localtime import as_of
from portal.stats.indicators import Period, build_report
from tests.factories import load_world, make_case

D = dt.date
ACCEPTED = D(2026, 9, 1)  # a Tuesday; 60 days end on Saturday 10-31, so handling is due Monday 11-02
HANDLE_DUE = D(2026, 11, 2)


def recomputed_rows(case_id: int) -> list[dict]:
    audit = db.session.execute(
        db.select(AuditLog).filter_by(action="case.clock_recomputed", object_id=case_id).order_by(AuditLog.id)
    ).scalars()
    return [row.detail for row in audit]


def overdue_codes(user, today: dt.date) -> list[str]:
    with as_of(today):
        stmt = ledger_select(LEDGERS["overdue"], Filters(), user, today)
        return [row.case.tracking_code for row in rows(db.session, stmt)]


def test_marking_a_day_a_holiday_on_the_calendar_page_moves_the_date_the_overdue_ledger_uses(client, login, seed):
    made = seed(lambda w: make_case(w, Status.IN_PROGRESS, on=ACCEPTED).id)
    login("admin")

    response = client.post("/staff/calendar", data={"day": "2026-11-02", "note": "临时放假"})

    assert response.status_code == 303
    with client.application.app_context():
        case = db.session.get(Case, made)
        assert case.handle_due == case.due_date == D(2026, 11, 3)
        # On 11-03 the case is not overdue any more: its stored date is the one the case page shows.
        assert overdue_codes(load_world().clerk, D(2026, 11, 3)) == []
        assert overdue_codes(load_world().clerk, D(2026, 11, 4)) == [case.tracking_code]
        assert services.current_clock(case).due == case.due_date
        detail = recomputed_rows(made)[-1]
        assert detail["handle_due"] == "2026-11-02 → 2026-11-03"
        assert detail["due_date"] == "2026-11-02 → 2026-11-03"


def test_removing_the_holiday_on_the_calendar_page_moves_the_staff_clock_back(client, login, seed):
    made = seed(lambda w: make_case(w, Status.IN_PROGRESS, on=ACCEPTED).id)
    login("admin")
    client.post("/staff/calendar", data={"day": "2026-11-02", "note": "临时放假"})

    response = client.post("/staff/calendar/2026-11-02/delete")

    assert response.status_code == 303
    with client.application.app_context():
        assert db.session.get(Case, made).handle_due == HANDLE_DUE  # staff clocks move either way
        assert [d["handle_due"] for d in recomputed_rows(made)] == [
            "2026-11-02 → 2026-11-03",
            "2026-11-03 → 2026-11-02",
        ]


def test_recompute_never_shortens_a_review_window_the_petitioner_was_told(world):
    case = make_case(world, Status.REPLIED, on=D(2026, 9, 5))  # 30 days end on 10-05 (国庆), told 10-08
    assert (case.clock_rule, case.due_date) == ("review_request", D(2026, 10, 8))

    set_override(D(2026, 10, 5), True, "值班上班")
    moves = recompute_clocks(world.admin, since=D(2026, 10, 5))
    db.session.commit()

    assert [m.field for m in moves if m.case.id == case.id] == []
    assert case.due_date == D(2026, 10, 8)  # the later date already told stands
    clock = services.current_clock(case)
    assert clock.due == D(2026, 10, 8) and clock.recomputed == D(2026, 10, 5)
    assert "已告知的期限不缩短" in clock.explanation()


def test_recompute_lengthens_a_review_window_when_a_holiday_is_added(world):
    case = make_case(world, Status.REPLIED, on=D(2026, 9, 5))

    set_override(D(2026, 10, 8), False, "临时放假")
    recompute_clocks(world.admin, since=D(2026, 10, 8))
    db.session.commit()

    assert case.due_date == D(2026, 10, 9)
    assert recomputed_rows(case.id)[-1]["due_date"] == "2026-10-08 → 2026-10-09"


def test_recompute_shortens_a_staff_review_clock_when_a_holiday_becomes_a_working_day(world):
    case = make_case(world, Status.UNDER_REVIEW, on=D(2026, 9, 5))  # review opinion due 10-05 → 10-08
    assert (case.clock_rule, case.due_date) == ("review", D(2026, 10, 8))

    set_override(D(2026, 10, 5), True, "值班上班")
    recompute_clocks(world.admin, since=D(2026, 10, 5))

    assert case.due_date == D(2026, 10, 5)


def test_recompute_moves_an_extended_handling_date_from_its_recomputed_original(world):
    case = make_case(world, Status.IN_PROGRESS, on=ACCEPTED)
    with as_of(D(2026, 9, 10)):
        request = services.request_extension(case, world.handler, days=10, reason="需要补充调查")
        services.decide_extension(case, world.dept_head, approve=True)
    assert (request.original_due, case.handle_due, case.clock_start) == (HANDLE_DUE, D(2026, 11, 12), HANDLE_DUE)

    set_override(HANDLE_DUE, False, "临时放假")
    recompute_clocks(world.admin, since=HANDLE_DUE)

    assert (request.original_due, request.new_due) == (D(2026, 11, 3), D(2026, 11, 13))
    assert (case.clock_start, case.handle_due, case.due_date) == (D(2026, 11, 3), D(2026, 11, 13), D(2026, 11, 13))


def test_recompute_moves_the_acceptance_date_the_timely_acceptance_rate_counts(world):
    received = D(2026, 9, 20)  # acceptance due 10-08 (after 国庆)
    case = make_case(world, Status.REGISTERED, on=received)
    with as_of(D(2026, 10, 9)):
        services.accept(case, world.clerk)  # a day late
    db.session.commit()
    period = Period(D(2026, 9, 1), D(2026, 12, 31))
    assert build_report(period, D(2026, 12, 1)).rates["timely_acceptance"] == 0.0

    set_override(D(2026, 10, 8), False, "临时放假")
    recompute_clocks(world.admin, since=D(2026, 10, 8))
    db.session.commit()

    assert case.accept_due == D(2026, 10, 9)
    assert build_report(period, D(2026, 12, 1)).rates["timely_acceptance"] == 1.0


def test_recompute_leaves_cases_whose_dates_lie_before_the_changed_day_alone(world):
    case = make_case(world, Status.IN_PROGRESS, on=ACCEPTED)

    set_override(D(2026, 12, 1), False, "临时放假")
    moves = recompute_clocks(world.admin, since=D(2026, 12, 1))

    assert moves == [] and case.handle_due == HANDLE_DUE
    assert recomputed_rows(case.id) == []


def test_cli_recompute_brings_stored_dates_in_line_with_a_changed_calendar_and_audits_each_move(app, world):
    case = make_case(world, Status.IN_PROGRESS, on=ACCEPTED)
    # What a chinesecalendar upgrade or rows entered outside the page look like: the calendar changed underneath.
    db.session.add(CalendarOverride(day=HANDLE_DUE, is_workday=False, note="2026年补充假日"))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["calendar", "recompute"])

    assert result.exit_code == 0, result.output
    assert f"{case.tracking_code} handle_due: 2026-11-02 -> 2026-11-03" in result.output
    assert "recomputed: 1 case(s) moved" in result.output
    db.session.expire_all()
    assert db.session.get(Case, case.id).handle_due == D(2026, 11, 3)
    audit = db.session.execute(db.select(AuditLog).filter_by(action="case.clock_recomputed")).scalar_one()
    assert audit.actor_id is None and audit.detail["handle_due"] == "2026-11-02 → 2026-11-03"

    again = app.test_cli_runner().invoke(args=["calendar", "recompute"])
    assert "recomputed: 0 case(s) moved" in again.output
