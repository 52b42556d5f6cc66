"""Two people acting on the same case at the same moment (PostgreSQL only: real row locks and READ COMMITTED).

Each side has its own session and loaded the case at the same version; exactly one write may win, the other is
refused as stale and leaves nothing behind — in the services and through the case page (409, 已被他人更新)."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import Role
from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, CaseEvent, ExtensionRequest, ExtensionState, ReplyState, Status
from portal.errors import StaleCase
from portal.extensions import db
from tests import factories
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.factories import make_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL and is_postgres(TEST_DATABASE_URL)),
        reason="needs TEST_DATABASE_URL pointing at PostgreSQL",
    ),
]

S = Status
COMMITTED = "committed"
STALE = (StaleCase, StaleDataError)
TIMEOUT = 20


def race(app, case_id: int, **acts) -> dict:
    """Run each ``act(case, world, seen_version)`` in its own thread, app context and session. Every side loads the
    case (with its replies and extensions, as the page did) before any side writes; then all act at once."""
    barrier = threading.Barrier(len(acts), timeout=TIMEOUT)
    results: dict = {}

    def run(name, act):
        with app.app_context():
            try:
                world = factories.load_world()
                case = db.session.get(Case, case_id)
                case.replies, case.extensions, case.checklist  # noqa: B018 - what the page had loaded
                seen = case.version
                barrier.wait()
                act(case, world, seen)
                db.session.commit()
                results[name] = COMMITTED
            except Exception as error:  # noqa: BLE001 - recorded and judged by the test
                db.session.rollback()
                results[name] = error

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in acts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a side is still waiting: a lock was never released"
    return results


def one_won(results: dict) -> str:
    """Exactly one side committed and every other side was refused as stale; return the winner."""
    winners = [name for name, result in results.items() if result == COMMITTED]
    losers = {name: result for name, result in results.items() if result != COMMITTED}
    assert len(winners) == 1, results
    for name, error in losers.items():
        assert isinstance(error, STALE), f"{name} failed with {error!r}, not as stale"
    return winners[0]


def stored(app, case_id: int) -> dict:
    with app.app_context():
        case = db.session.get(Case, case_id)
        events = (
            db.session.execute(db.select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
            .scalars()
            .all()
        )
        audits = (
            db.session.execute(
                db.select(AuditLog.action).where(AuditLog.object_type == "cases", AuditLog.object_id == case_id)
            )
            .scalars()
            .all()
        )
        return {
            "status": case.status,
            "version": case.version,
            "events": events,
            "audits": audits,
            "replies": [(r.version, r.state) for r in case.replies],
            "extensions": [(e.state, e.decided_by_id) for e in case.extensions],
            "handle_due": case.handle_due,
            "extended": case.extended,
        }


def second_user(key: str, role: Role, department: str):
    def create(world):
        return factories.user(key, role, department=getattr(world, department), name=key).id

    return create


# --- two sessions in the services -------------------------------------------------------------------------------------
def test_publish_and_send_back_of_the_same_reply_one_wins(app, seed):
    case_id = seed(lambda world: make_case(world, S.AWAITING_VERIFICATION).id)
    clerk2_id = seed(second_user("clerk2", Role.CLERK, "office"))
    before = stored(app, case_id)

    def publish(case, world, seen):
        services.publish_reply(case, world.clerk, expected_version=seen)

    def send_back(case, world, seen):
        services.send_back(
            case, db.session.get(factories.User, clerk2_id), comment="答复敷衍，退回重办", expected_version=seen
        )

    winner = one_won(race(app, case_id, publish=publish, send_back=send_back))

    after = stored(app, case_id)
    loser = "send_back" if winner == "publish" else "publish"
    assert after["status"] is (S.REPLIED if winner == "publish" else S.IN_PROGRESS)
    assert after["replies"] == [(1, ReplyState.PUBLISHED if winner == "publish" else ReplyState.SENT_BACK)]
    assert after["events"] == before["events"] + [winner]
    assert after["audits"] == before["audits"] + [f"case.{winner}"]
    assert loser not in after["events"]


def test_two_clerks_accepting_the_same_case_write_one_acceptance(app, seed):
    case_id = seed(lambda world: make_case(world, S.REGISTERED).id)
    clerk2_id = seed(second_user("clerk2", Role.CLERK, "office"))
    before = stored(app, case_id)

    winner = one_won(
        race(
            app,
            case_id,
            first=lambda case, world, seen: services.accept(case, world.clerk, expected_version=seen),
            second=lambda case, world, seen: services.accept(
                case, db.session.get(factories.User, clerk2_id), expected_version=seen
            ),
        )
    )

    after = stored(app, case_id)
    assert winner in ("first", "second")
    assert after["status"] is S.ACCEPTED
    assert after["events"] == before["events"] + ["accept"]
    assert after["audits"].count("case.accept") == 1


def test_two_department_heads_approving_the_same_extension_approve_it_once(app, seed):
    def pending(world):
        case = make_case(world, S.IN_PROGRESS)
        services.request_extension(case, world.handler, days=20, reason="需现场勘验")
        return case.id

    case_id = seed(pending)
    head2_id = seed(second_user("housing_head2", Role.DEPT_HEAD, "housing"))
    before = stored(app, case_id)

    def approve_as(user_id_of):
        def act(case, world, seen):
            services.decide_extension(case, user_id_of(world), approve=True, note="同意", expected_version=seen)

        return act

    winner = one_won(
        race(
            app,
            case_id,
            head=approve_as(lambda w: w.dept_head),
            head2=approve_as(lambda w: db.session.get(factories.User, head2_id)),
        )
    )

    after = stored(app, case_id)
    with app.app_context():
        expected_decider = factories.load_world().dept_head.id if winner == "head" else head2_id
    assert after["extensions"] == [(ExtensionState.APPROVED, expected_decider)]
    assert after["extended"]
    assert after["events"] == before["events"] + ["approve_extension"]
    assert after["audits"].count("case.approve_extension") == 1


def test_one_head_approving_while_another_refuses_the_same_extension_one_wins(app, seed):
    # Approval writes the request row first (the deadline lookup flushes it), then the case row; refusal writes the
    # case row, then the request row. The hooks below hold each side at that point so that both orders meet, as
    # they do by chance under load; the second side must come out as stale, not as a database error.
    def pending(world):
        case = make_case(world, S.IN_PROGRESS)
        services.request_extension(case, world.handler, days=20, reason="需现场勘验")
        return case.id

    case_id = seed(pending)
    head2_id = seed(second_user("housing_head2", Role.DEPT_HEAD, "housing"))
    before = stored(app, case_id)
    request_written, case_written = threading.Event(), threading.Event()

    def approval_waits_after_its_first_flush(session, context):
        if threading.current_thread().name == "approve" and not request_written.is_set():
            request_written.set()
            case_written.wait(3)

    def refusal_reaches_the_request_row(mapper, connection, target):
        if threading.current_thread().name == "refuse":
            case_written.set()

    def refuse(case, world, seen):
        request_written.wait(3)
        services.decide_extension(case, db.session.get(factories.User, head2_id), approve=False, expected_version=seen)

    event.listen(Session, "after_flush", approval_waits_after_its_first_flush)
    event.listen(ExtensionRequest, "before_update", refusal_reaches_the_request_row)
    try:
        results = race(
            app,
            case_id,
            refuse=refuse,
            approve=lambda case, world, seen: services.decide_extension(
                case, world.dept_head, approve=True, expected_version=seen
            ),
        )
    finally:
        event.remove(Session, "after_flush", approval_waits_after_its_first_flush)
        event.remove(ExtensionRequest, "before_update", refusal_reaches_the_request_row)
    winner = one_won(results)

    after = stored(app, case_id)
    state = ExtensionState.APPROVED if winner == "approve" else ExtensionState.REFUSED
    assert [s for s, _ in after["extensions"]] == [state]
    assert after["extended"] is (winner == "approve")
    assert after["events"] == before["events"] + [f"{winner}_extension"]


# --- two people on the case page --------------------------------------------------------------------------------------
def signed_in(app, username: str):
    client = app.test_client()
    assert client.post("/staff/login", data={"username": username, "password": factories.PASSWORD}).status_code == 303
    return client


def version_on_page(client, case_id: int, name: str) -> str:
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    return re.search(rf'name="{name}-version"[^>]*value="(\d+)"', html).group(1)


def test_the_second_of_two_clerks_with_the_same_form_gets_409_and_keeps_the_comment(app, staff, seed):
    case_id = seed(lambda world: make_case(world, S.AWAITING_VERIFICATION).id)
    seed(second_user("clerk2", Role.CLERK, "office"))
    first, second = signed_in(app, "clerk"), signed_in(app, "clerk2")
    version = version_on_page(first, case_id, "publish")
    assert version_on_page(second, case_id, "send_back") == version

    published = first.post(
        f"/staff/cases/{case_id}/actions/publish", data={"publish-version": version, "publish-method": "in_person"}
    )
    sent_back = second.post(
        f"/staff/cases/{case_id}/actions/send_back",
        data={"send_back-version": version, "send_back-comment": "答复未回应诉求，请重新核实"},
    )

    assert published.status_code == 303
    html = sent_back.get_data(as_text=True)
    assert sent_back.status_code == 409
    assert "已被他人更新" in html
    assert "答复未回应诉求，请重新核实" in html  # the message promises 您填写的内容已保留
    after = stored(app, case_id)
    assert after["status"] is S.REPLIED and "send_back" not in after["events"]


def test_a_write_that_lands_while_the_other_request_is_under_way_gives_409_not_an_error(app, staff, seed, monkeypatch):
    # The second clerk's request has loaded the case (same version) when the first clerk's acceptance commits;
    # the stale write is then found by the database at flush time, inside the service call.
    case_id = seed(lambda world: make_case(world, S.REGISTERED).id)
    seed(second_user("clerk2", Role.CLERK, "office"))
    first, second = signed_in(app, "clerk"), signed_in(app, "clerk2")
    version = version_on_page(first, case_id, "accept")
    loaded, go = threading.Event(), threading.Event()
    original = services.not_accept

    def not_accept_after_the_other_commit(*args, **kwargs):
        loaded.set()
        assert go.wait(TIMEOUT)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "not_accept", not_accept_after_the_other_commit)

    outcome: dict = {}

    def post_not_accept():
        try:
            outcome["response"] = second.post(
                f"/staff/cases/{case_id}/actions/not_accept",
                data={
                    "not_accept-version": version,
                    "not_accept-route": "litigation",
                    "not_accept-reason": "已进入诉讼程序",
                },
            )
        except Exception as error:  # noqa: BLE001 - Flask propagates unhandled errors in testing
            outcome["error"] = error

    thread = threading.Thread(target=post_not_accept)
    thread.start()
    assert loaded.wait(TIMEOUT)
    accepted = first.post(
        f"/staff/cases/{case_id}/actions/accept", data={"accept-version": version, "accept-procedure": "normal"}
    )
    go.set()
    thread.join(TIMEOUT)

    assert accepted.status_code == 303
    assert "error" not in outcome, f"the stale request failed with {outcome.get('error')!r} instead of a 409"
    response = outcome["response"]
    assert response.status_code == 409
    assert "已被他人更新" in response.get_data(as_text=True)
    after = stored(app, case_id)
    assert after["status"] is S.ACCEPTED and "not_accept" not in after["events"]
