"""条例 art.19 (2022): a matter already accepted or being handled, brought within the period to a superior of the
organ that accepted or handles it, is not accepted by the superior. Known two ways: a case of this system assigned
to an organ below and still being handled (merged, 并案, and the petitioner told where it stands), and a matter the
petitioner says an organ below accepted (不予受理, route “下级机关正在办理”, recorded by the clerk)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.lifecycle import Status
from portal.cases.models import Case, CaseEvent, NotAcceptedRoute
from portal.deadlines.services import deadline
from portal.documents.models import Document
from portal.documents.services import html_text
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import as_of
from portal.public.progress import public_case
from tests.factories import make_case, register

D = dt.date
S = Status
BELOW = NotAcceptedRoute.PENDING_BELOW
TODAY = D(2026, 11, 23)


@pytest.fixture(autouse=True)
def on_a_monday():
    with as_of(dt.datetime(2026, 11, 23, 10, 0)):
        yield


def repeat_of(world, earlier: Case) -> Case:
    case, _ = register(world, petitioner_name="张三", phone=earlier.petitioner.phone, repeat_of_id=earlier.id)
    db.session.commit()
    return case


@pytest.mark.parametrize("status", [S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_SIGNATURE])
def test_a_repeat_while_the_organ_it_was_assigned_to_handles_it_is_refused_naming_the_organ_since_when_and_until_when(
    world, status
):
    earlier = make_case(world, status)
    case = repeat_of(world, earlier)
    since, due = f"{earlier.assigned_on:%Y年%m月%d日}", f"{earlier.due_date:%Y年%m月%d日}"

    refusal = case.refusal("accept", world.clerk)
    assert refusal is not None and not refusal.forbidden
    for told in ("县住房和城乡建设局", since, due, "《信访工作条例》第十九条"):
        assert told in refusal.message
    with pytest.raises(DomainError, match="第十九条"):
        services.accept(case, world.clerk)

    services.merge(case, world.clerk)
    db.session.commit()
    notice = public_case(case, TODAY).events[-1]
    assert notice.title == "并案告知"
    for told in (earlier.tracking_code, "县住房和城乡建设局", since, due, "第十九条"):
        assert told in notice.text


def test_a_repeat_while_the_petition_office_still_holds_the_case_is_merged_without_citing_article_19(world):
    # Not yet assigned: the office itself holds the matter, so it is the same organ, not its superior.
    earlier = make_case(world, S.ACCEPTED)
    case = repeat_of(world, earlier)

    services.merge(case, world.clerk)

    notice = next(e for e in case.events if e.title == "并案告知")
    assert "本机关信访部门" in notice.text and "第十九条" not in notice.text


def test_a_matter_an_organ_below_accepted_and_still_handles_is_not_accepted_and_the_petitioner_told_where_it_stands(
    world,
):
    case, _ = register(world, received_on=D(2026, 11, 20))

    services.not_accept(
        case,
        world.clerk,
        route=BELOW,
        pending_organ="城关镇人民政府",
        pending_since=D(2026, 11, 2),
        pending_due=D(2026, 12, 31),
    )
    db.session.commit()

    assert case.status is S.NOT_ACCEPTED and case.not_accepted_route is BELOW
    assert (case.pending_organ, case.pending_since, case.pending_due) == (
        "城关镇人民政府",
        D(2026, 11, 2),
        D(2026, 12, 31),
    )
    notice = public_case(case, TODAY).events[-1]
    assert notice.title == "不予受理告知"
    for told in ("城关镇人民政府", "2026年11月02日", "2026年12月31日", "《信访工作条例》第十九条"):
        assert told in notice.text
    row = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "case.not_accept")).one()
    assert row.detail["to_status"] == "not_accepted"
    notice_doc = db.session.scalars(db.select(Document).filter_by(case_id=case.id, kind="not_accept_notice")).one()
    written_notice = html_text(notice_doc)  # the 不予受理告知书 says the same
    assert "城关镇人民政府于2026年11月2日受理，正在办理中，办理期限至2026年12月31日" in written_notice
    assert "第十九条" in written_notice


def test_without_a_known_deadline_the_organ_below_is_given_the_sixty_days_of_article_34_from_its_acceptance(world):
    case, _ = register(world, received_on=D(2026, 11, 20))

    services.not_accept(case, world.clerk, route=BELOW, pending_organ="城关镇人民政府", pending_since=D(2026, 11, 2))

    expected = deadline("handle", D(2026, 11, 2)).due
    assert case.pending_due == expected
    assert f"{expected:%Y年%m月%d日}" in case.events[-1].text and "第三十四条" in case.events[-1].text


def written(case: Case) -> tuple:
    return (
        case.status,
        db.session.scalar(db.select(db.func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)),
    )


@pytest.mark.parametrize(
    "details, message",
    [
        # Brought here after the organ below's period ended: art.19 no longer applies, the office takes it up.
        ({"pending_since": D(2026, 8, 3), "pending_due": D(2026, 11, 1)}, "不适用《信访工作条例》第十九条"),
        ({"pending_since": D(2026, 8, 3)}, "不适用《信访工作条例》第十九条"),  # 60 days from 08-03 ended before 11-20
        ({"pending_since": None}, "受理该事项的日期"),
        ({"pending_since": D(2026, 11, 21)}, "不能晚于本机关收到"),
        ({"pending_since": D(2026, 11, 2), "pending_due": D(2026, 11, 1)}, "不能早于其受理日期"),
        ({"pending_organ": " "}, "正在办理的机关"),
    ],
)
def test_an_article_19_refusal_is_refused_outside_the_organ_belows_period_or_without_its_facts_and_writes_nothing(
    world, details, message
):
    case, _ = register(world, received_on=D(2026, 11, 20))
    db.session.commit()
    before = written(case)
    arguments = {"pending_organ": "城关镇人民政府", "pending_since": D(2026, 11, 2)} | details

    with pytest.raises(DomainError, match=message):
        services.not_accept(case, world.clerk, route=BELOW, **arguments)
    db.session.rollback()

    assert written(case) == before and case.pending_organ == ""


def test_a_repeat_of_a_case_being_handled_here_is_merged_not_refused_as_pending_below(world):
    earlier = make_case(world, S.IN_PROGRESS)
    case = repeat_of(world, earlier)

    with pytest.raises(DomainError, match="应并案办理"):
        services.not_accept(
            case, world.clerk, route=BELOW, pending_organ="城关镇人民政府", pending_since=D(2026, 11, 2)
        )


def test_the_clerk_refuses_under_article_19_on_the_case_page_and_the_petitioner_reads_it_on_the_progress_page(
    app, client, login, seed
):
    case_id = seed(lambda w: register(w, received_on=D(2026, 11, 20))[0].id)
    login("clerk")
    with app.app_context():
        version = db.session.get(Case, case_id).version
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "下级机关正在办理" in page and "not_accept-pending_organ" in page

    response = client.post(
        f"/staff/cases/{case_id}/actions/not_accept",
        data={
            "not_accept-version": str(version),
            "not_accept-route": "pending_below",
            "not_accept-pending_organ": "城关镇人民政府",
            "not_accept-pending_since": "2026-11-02",
            "not_accept-pending_due": "2026-12-31",
        },
    )

    assert response.status_code == 303
    detail = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "城关镇人民政府于2026-11-02受理，办理期限至2026-12-31" in detail
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert "第十九条" in public_case(case, TODAY).events[-1].text
