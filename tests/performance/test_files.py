"""The performance file (实绩档案): each part worked out by hand on a leader's year; who may read it — the leader
(their own), supervisors and the organisation department, which sees files and never cases."""

import datetime as dt

import pytest

from portal.accounts.models import Role, separation_violation
from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Outcome, Status
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.localtime import as_of
from portal.performance.files import build_file
from portal.reception import services as reception
from portal.reception.models import Handling
from portal.reception.services import Visitor
from tests import factories
from tests.factories import make_case, register

D = dt.date
TODAY = D(2025, 12, 31)


def slot(leader, day):
    row = DutySlot(day=day, period=Period.MORNING, leader=leader, place="县人民来访接待中心", form=Form.FIXED)
    db.session.add(row)
    db.session.flush()
    return row


def build_year(world):
    leader = world.leader  # county level: at least one duty day a month
    first = slot(leader, D(2025, 1, 6))
    slot(leader, D(2025, 1, 7))
    slot(leader, D(2025, 3, 3))
    slot(factories.user("other_leader", Role.LEADER, department=world.office), D(2025, 2, 3))  # someone else's
    with as_of(D(2025, 1, 6)):
        reception.add_entry(
            first,
            world.clerk,
            Visitor(name="刘群众", matter="村道停工半年。", phone="13912340001", people_count=3),
            handling=Handling.ANSWERED,
            answer="已协调交通局，年底前复工。",
        )
    owned = make_case(world, Status.IN_PROGRESS, on=D(2025, 3, 3), owner_leader=leader)
    with as_of(dt.datetime(2025, 3, 10, 9, 0)):
        services.add_instruction(owned, leader, text="请住建局一周内拿出方案。")
    with as_of(dt.datetime(2025, 3, 12, 15, 0)):
        services.add_note(owned, world.handler, text="已到现场核实。")  # acted on two days later
    with as_of(dt.datetime(2025, 4, 1, 9, 0)):
        services.add_instruction(owned, leader, text="务必在月底前答复。")  # nothing done after it yet
    with as_of(D(2025, 4, 20)):
        services.draft_reply(owned, world.handler, outcome=Outcome.SUPPORT, text="已修复。")
        services.sign_reply(owned, world.dept_head)
        services.publish_reply(owned, world.clerk)
    # A repeat of the owned matter that skipped a level, and a skipped-level petition on nobody's matter.
    with as_of(D(2025, 5, 5)):
        register(world, repeat_of_id=owned.id, skipped_level=True, proper_level="城关镇信访办")
        register(world, skipped_level=True, title="别的事项")
    db.session.commit()
    return owned


def test_the_file_of_a_hand_built_year(world):
    owned = build_year(world)
    with as_of(TODAY):
        f = build_file(world.leader, 2025, TODAY)
    # duty: 6 and 7 January count as days (January is one period), 3 March another; every month asks for one day
    assert (f.duty.days_done, f.duty.required, f.duty.periods_behind, f.duty.days_scheduled) == (3, 12, 10, 0)
    assert (f.reception.entries, f.reception.people, f.reception.answered, f.reception.transferred) == (1, 3, 1, 0)
    # instructions: two given; the first acted on two days later (a note by the handler), the second not yet —
    # the reply came after it, but that is a step too, nineteen days later.
    assert (f.instructions.given, f.instructions.acted_on) == (2, 2)
    assert sorted(f.instructions.days) == [2, 19]
    # owned: one case received in 2025, replied within its clock (accepted 3 March, replied 20 April: 48 days)
    c = f.owned.counts
    assert (c.received, c.replied_in_time, c.handling_counted) == (1, 1, 1)
    assert f.owned.average_days_to_reply == 48.0
    assert f.owned.skipped_level == 1  # the repeat of the owned matter, not the other petition
    assert owned.replied_on == D(2025, 4, 20)


# --- who may read it -----------------------------------------------------------------------------------------------
@pytest.fixture
def org_dept(seed):
    def make(world):
        factories.user("orgdept", Role.ORG_DEPT, department=world.office, name="组织部干部科")
        return world.leader.id

    return seed(make)


def file_url(leader_id: int, year: int = 2026) -> str:
    return f"/staff/performance/{leader_id}/{year}"


def test_the_organisation_department_reads_files_and_never_cases(client, auth, org_dept, app):
    assert auth.login("orgdept").status_code == 303
    assert client.get("/staff/").headers["Location"].endswith("/staff/performance/")
    index = client.get("/staff/performance/")
    assert index.status_code == 200 and "王县长" in index.get_data(as_text=True)
    page = client.get(file_url(org_dept))
    assert page.status_code == 200 and "领导干部信访工作实绩档案" in page.get_data(as_text=True)
    for url in ("/staff/cases/", "/staff/ledgers/", "/staff/dashboard", "/staff/reports/", "/staff/work/"):
        assert client.get(url).status_code in (403, 302, 303), url
        assert client.get(url).status_code != 200, url
    with app.app_context():
        reads = db.session.scalars(db.select(AuditLog).filter_by(action="performance.read")).all()
        assert [r.object_id for r in reads] == [org_dept]


def test_a_leader_reads_their_own_file_and_no_one_elses(client, login, seed):
    other = seed(lambda world: factories.user("leader_b", Role.LEADER, department=world.office).id)
    me = login("leader")
    assert client.get("/staff/performance/").headers["Location"].endswith(file_url(me.id))
    assert client.get(file_url(me.id)).status_code == 200
    assert client.get(file_url(other)).status_code == 403


def test_a_supervisor_reads_every_file(client, login, staff):
    login("supervisor")
    assert client.get(file_url(staff["leader"].id)).status_code == 200


@pytest.mark.parametrize("role", ["clerk", "handler", "dept_head", "admin", "auditor"])
def test_others_read_no_file(client, login, staff, role):
    login(role)
    assert client.get(file_url(staff["leader"].id)).status_code == 403


def test_a_file_is_only_for_a_leader_and_a_year_that_can_be_shown(client, login, staff):
    login("supervisor")
    assert client.get(file_url(staff["clerk"].id)).status_code == 404
    assert client.get(file_url(staff["leader"].id, 1999)).status_code == 404
    assert client.get(file_url(staff["leader"].id, 2999)).status_code == 404


def test_org_dept_keeps_the_separation_of_duties():
    assert separation_violation({Role.ORG_DEPT}) is None
    assert separation_violation({Role.ORG_DEPT, Role.AUDITOR}) is not None
    assert "组织部门" in separation_violation({Role.ORG_DEPT, Role.CLERK})  # it sees files, never cases


def test_the_security_administrator_is_offered_the_role(ctx):
    from portal.security.forms import RolesForm

    with ctx.test_request_context():
        form = RolesForm()
    assert ("org_dept", "组织部门") in [(c.value, c.label) for c in form.roles.choices]
