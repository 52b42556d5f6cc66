"""The supervisor's lists (临期, 不满意, 越级 beside 超期 and 重复) as ledgers, by department and counted on
我的待办; the 督办台账 with state and lateness, its filters and export; the chain and the round on the case page,
taken through the page's own forms."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from portal.cases import services
from portal.cases.models import Case, Rating, Status
from portal.cases.supervision import Supervision, SupervisionState
from portal.deadlines.services import working_days_ahead
from portal.extensions import db
from portal.ledgers.queries import LEDGERS, Filters, ledger_select, rows
from portal.localtime import as_of, today
from portal.settings.services import change_setting
from portal.supervision.queries import (
    SupervisionFilters,
    fetch_page,
    list_counts,
    lists_by_department,
    running_between,
    state_counts,
)
from tests.factories import make_case

HTMX = {"HX-Request": "true", "HX-Target": "case"}


def codes(name: str, viewer) -> set[str]:
    return {r.case.tracking_code for r in rows(db.session, ledger_select(LEDGERS[name], Filters(), viewer, today()))}


def due_in(case: Case, working_days: int) -> Case:
    case.due_date = working_days_ahead(today(), working_days)
    db.session.commit()
    return case


# --- the lists ---------------------------------------------------------------------------------------------
def test_the_due_soon_list_holds_open_cases_due_within_the_setting_in_working_days(world):
    soon = due_in(make_case(world, Status.IN_PROGRESS), 3)
    later = due_in(make_case(world, Status.IN_PROGRESS), 4)
    overdue = make_case(world, Status.IN_PROGRESS)
    overdue.due_date = today() - dt.timedelta(days=1)
    db.session.commit()

    assert codes("due_soon", world.supervisor) == {soon.tracking_code}  # overdue is 超期, not 临期

    change_setting("due_soon_working_days", "4", world.admin)
    db.session.commit()
    assert codes("due_soon", world.supervisor) == {soon.tracking_code, later.tracking_code}
    assert overdue.tracking_code in codes("overdue", world.supervisor)


def test_the_unsatisfied_and_skipped_level_lists(world):
    unhappy = make_case(world, Status.REPLIED)
    services.record_evaluation(unhappy, acceptance=Rating.UNSATISFIED, handling=Rating.SATISFIED)
    happy = make_case(world, Status.REPLIED)
    services.record_evaluation(happy, acceptance=Rating.SATISFIED, handling=Rating.BASICALLY)
    skipped = make_case(world, Status.ASSIGNED, skipped_level=True, proper_level="城关镇人民政府")
    db.session.commit()

    assert codes("unsatisfied", world.supervisor) == {unhappy.tracking_code}
    assert codes("skipped", world.supervisor) == {skipped.tracking_code}


def test_the_lists_count_by_department_and_on_the_supervisors_counts(world):
    due_in(make_case(world, Status.IN_PROGRESS), 1)
    due_in(make_case(world, Status.IN_PROGRESS, department=world.labour), 1)
    make_case(world, Status.ACCEPTED, skipped_level=True)

    by_department = lists_by_department(db.session, world.supervisor, today())
    counts = list_counts(db.session, world.supervisor, today())

    assert by_department["due_soon"] == {world.housing.id: 1, world.labour.id: 1}
    assert by_department["skipped"] == {None: 1}
    assert counts == {"overdue": 0, "due_soon": 2, "unsatisfied": 0, "repeat": 0, "skipped": 1}
    # A department head's lists are his department's.
    assert list_counts(db.session, world.other_dept_head, today())["due_soon"] == 1
    # Counted as the ledgers index counts: up to one past the cap, which reads as "over cap".
    assert list_counts(db.session, world.supervisor, today(), cap=1)["due_soon"] == 2
    assert list_counts(db.session, world.supervisor, today(), cap=2)["due_soon"] == 2


# --- the query layer over 督办 records ---------------------------------------------------------------------------
def test_the_query_layer_gives_state_lateness_answers_and_the_period(world):
    monday = dt.date(2026, 11, 2)
    late, answered, done = (make_case(world, Status.IN_PROGRESS) for _ in range(3))
    with as_of(monday):
        for case in (late, answered, done):
            services.supervise(case, world.supervisor, note="请按期办结。")
    with as_of(monday + dt.timedelta(days=3)):
        services.answer_supervision(answered, world.dept_head, text="已办理。")
        services.answer_supervision(done, world.dept_head, text="已办结。")
        services.accept_supervision(done, world.supervisor)
    db.session.commit()
    day = dt.date(2026, 11, 20)

    page = fetch_page(db.session, SupervisionFilters(), world.supervisor, day, 1)
    counts = state_counts(db.session, world.supervisor, day)
    late_only = fetch_page(db.session, SupervisionFilters(late_only=True), world.supervisor, day, 1)

    assert page.items[0].case_id == late.id  # the late one first
    assert counts["awaiting"] == 1 and counts["late"] == 1 and counts["answered"] == 1 and counts["accepted"] == 1
    assert [s.case_id for s in late_only.items] == [late.id] and late_only.items[0].days_late(day) == 11  # due 11-09
    running = db.session.execute(
        db.select(Supervision.case_id).where(running_between(dt.date(2026, 11, 10), dt.date(2026, 11, 16)))
    ).scalars()
    assert set(running) == {late.id, answered.id}  # the accepted one ended on 11-05
    # The department head of another department sees none of them.
    assert fetch_page(db.session, SupervisionFilters(), world.other_dept_head, day, 1).total == 0


# --- pages ---------------------------------------------------------------------------------------------------
URLS = ["/staff/supervision/", "/staff/supervision/lists", "/staff/supervision/export.xlsx"]


@pytest.mark.parametrize("url", URLS)
def test_the_supervision_pages_are_for_case_workers(client, login, url):
    assert client.get(url).status_code == 302  # to the login page
    login("admin")
    assert client.get(url).status_code == 403


def _supervised_case(world) -> int:
    case = make_case(world, Status.IN_PROGRESS, on=today() - dt.timedelta(days=20))
    with as_of(today() - dt.timedelta(days=15)):
        services.supervise(case, world.supervisor, note="请按期办结。")
    return case.id


def test_the_supervision_ledger_shows_each_notice_with_its_lateness_and_exports(client, login, seed):
    case_id = seed(_supervised_case)
    login("supervisor")

    page = client.get("/staff/supervision/?late=y").get_data(as_text=True)
    assert "〔" in page and "日未答复" in page and f"/staff/cases/{case_id}#supervision" in page
    table = {"HX-Request": "true", "HX-Target": "supervision-table"}
    fragment = client.get("/staff/supervision/?state=accepted", headers=table)
    assert "<html" not in fragment.get_data(as_text=True) and "没有符合条件的督办单" in fragment.get_data(as_text=True)
    bad = client.get("/staff/supervision/?state=nonsense").get_data(as_text=True)
    assert "无效，已忽略" in bad

    export = client.get("/staff/supervision/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    header, first = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert header[0] == "督办单号" and "〔" in first[0] and first[6] == "待答复" and first[9] > 0


def test_the_lists_page_and_the_supervisors_work_page_count_the_lists(client, login, seed):
    seed(lambda w: due_in(make_case(w, Status.IN_PROGRESS), 1).id)
    login("supervisor")

    lists = client.get("/staff/supervision/lists").get_data(as_text=True)
    work = client.get("/staff/work/").get_data(as_text=True)

    assert "县住房和城乡建设局" in lists and "/staff/ledgers/due_soon?department=" in lists
    assert 'id="supervision-lists"' in work and "临期" in work
    login("clerk")
    assert 'id="supervision-lists"' not in client.get("/staff/work/").get_data(as_text=True)


def test_the_supervisors_work_page_shows_a_list_over_the_cap_as_cap_plus(client, login, seed, monkeypatch):
    seed(lambda w: [due_in(make_case(w, Status.IN_PROGRESS), 1).id for _ in range(2)])
    monkeypatch.setattr("portal.work.views.COUNT_AHEAD", 1)
    login("supervisor")

    work = client.get("/staff/work/").get_data(as_text=True)

    assert re.search(r'due_soon">临期</a> <span class="count busy">1\+</span>', work)


def test_the_chain_is_taken_through_the_case_page_and_shown_on_it(app, client, login, seed):
    case_id = seed(lambda w: make_case(w, Status.IN_PROGRESS).id)

    def version() -> str:
        with app.app_context():
            return str(db.session.get(Case, case_id).version)

    login("supervisor")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f"/staff/cases/{case_id}/actions/supervise" in page
    response = client.post(
        f"/staff/cases/{case_id}/actions/supervise",
        data={"supervise-reason": "leader", "supervise-note": "县长批示：请一周内办结。", "supervise-days": "5",
              "supervise-version": version()},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200 and "下发督办单" in response.get_data(as_text=True)

    login("dept_head")
    assert "待答复督办" in client.get("/staff/work/").get_data(as_text=True)
    response = client.post(
        f"/staff/cases/{case_id}/actions/answer_supervision",
        data={"answer_supervision-text": "已制定维修方案。", "answer_supervision-version": version()},
        headers=HTMX,
    )
    assert response.status_code == 200

    login("supervisor")
    bad = client.post(
        f"/staff/cases/{case_id}/actions/urge_supervision",
        data={"urge_supervision-text": "请报送办结时限。", "urge_supervision-days": "99",
              "urge_supervision-version": version()},
        headers=HTMX,
    )  # fmt: skip
    assert bad.status_code == 422 and "答复期限应为1至30个工作日" in bad.get_data(as_text=True)
    response = client.post(
        f"/staff/cases/{case_id}/actions/accept_supervision",
        data={"accept_supervision-note": "同意。", "accept_supervision-version": version()},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "已办结" in html and "已制定维修方案" in html
    with app.app_context():
        supervision = db.session.execute(db.select(Supervision).filter_by(case_id=case_id)).scalar_one()
        assert supervision.state is SupervisionState.ACCEPTED


def test_an_unsatisfied_case_ordered_handled_again_shows_its_round(app, client, login, seed):
    def unhappy(w):
        case = make_case(w, Status.REPLIED)
        services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.UNSATISFIED)
        return case.id

    case_id = seed(unhappy)
    login("supervisor")
    with app.app_context():
        version = str(db.session.get(Case, case_id).version)

    response = client.post(
        f"/staff/cases/{case_id}/actions/order_rehandling",
        data={"order_rehandling-reason": "补偿标准未核实。", "order_rehandling-days": "20",
              "order_rehandling-version": version},
        headers=HTMX,
    )  # fmt: skip

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "第2轮办理" in html and "上一轮评价：受理满意，办理不满意" in html
    with app.app_context():  # the round's new reply is not yet rated: off the 不满意 list
        assert db.session.get(Case, case_id).unsatisfied is False
        assert case_id not in {
            r.case.id
            for r in rows(db.session, ledger_select(LEDGERS["unsatisfied"], Filters(), _user("supervisor"), today()))
        }


def _user(username):
    from portal.accounts.models import User

    return db.session.execute(db.select(User).filter_by(username=username)).scalar_one()


def test_the_stored_unsatisfied_flag_follows_the_evaluation(world):
    unhappy, happy = make_case(world, Status.REPLIED), make_case(world, Status.REPLIED)
    services.record_evaluation(unhappy, acceptance=Rating.UNSATISFIED, handling=Rating.SATISFIED)
    services.record_evaluation(happy, acceptance=Rating.SATISFIED, handling=Rating.BASICALLY)
    db.session.commit()
    db.session.expire_all()

    stored = dict(
        db.session.execute(db.select(Case.id, Case.unsatisfied).where(Case.id.in_([unhappy.id, happy.id]))).all()
    )
    assert stored == {unhappy.id: True, happy.id: False}
    assert unhappy.unsatisfied is True


def test_the_export_is_one_query_however_many_supervisions(client, login, seed, app):
    def supervised(w):
        ids = []
        for _ in range(3):
            case = make_case(w, Status.IN_PROGRESS, on=today() - dt.timedelta(days=20))
            with as_of(today() - dt.timedelta(days=15)):
                services.supervise(case, w.supervisor, note="请按期办结。")
            with as_of(today() - dt.timedelta(days=2)):
                services.answer_supervision(case, w.dept_head, text="已办理。")
            ids.append(case.id)
        return ids

    login("supervisor")
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_):
        seen.append(1)

    def export_queries():
        seen.clear()
        db.event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get("/staff/supervision/export.xlsx")
        finally:
            db.event.remove(engine, "before_cursor_execute", count)
        return response, len(seen)

    seed(supervised)
    _, few = export_queries()
    seed(supervised)
    seed(supervised)
    response, more = export_queries()

    sheet = load_workbook(io.BytesIO(response.data)).active
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(body) == 9 and all(r[10] == 1 and r[6] == "已答复待审核" and r[12] == "是" for r in body)
    assert more == few


def test_the_numbered_notices_are_written_notices_for_those_who_may_see_the_case(app, client, login, seed):
    def urged(w):
        case = make_case(w, Status.IN_PROGRESS)
        services.supervise(case, w.supervisor, note="请按期办结。")
        services.answer_supervision(case, w.dept_head, text="已办理。")
        services.urge_supervision(case, w.supervisor, text="请报送办结时限。")
        return case.supervisions[0].id

    supervision_id = seed(urged)
    with app.app_context():
        supervision = db.session.get(Supervision, supervision_id)
        documents = {d.kind: d for d in supervision.case.documents}
        assert documents["supervision_notice"].number == supervision.number
        assert documents["urging_notice"].number == supervision.urgings[0].number
        assert (
            not documents["supervision_notice"].public
            and documents["supervision_notice"].addressee == "县住房和城乡建设局"
        )
        number = supervision.number
        assert number in supervision.case.events[-1].text or number in supervision.case.events[-3].text

    login("dept_head")
    response = client.get(f"/staff/supervision/{supervision_id}/notice")
    assert response.status_code == 303 and "/staff/documents/" in response.headers["Location"]
    printed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "信访事项督办单" in printed and number in printed
    login("other_dept_head")
    assert client.get(f"/staff/supervision/{supervision_id}/notice").status_code == 403
    assert client.get("/staff/supervision/999/notice").status_code == 404
