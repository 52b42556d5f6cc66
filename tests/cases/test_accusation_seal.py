"""The seal of 条例 art.30: who sees an accusation, table-driven over every place a case can surface — its page, the
case list, search, related cases (相关信访件), the earlier-petition lookups, the ledger and its export — and the
routing rules that keep the accused away from handling it."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from portal.accounts.models import Role, User
from portal.cases import services
from portal.cases.accused import Accused, CadreLevel
from portal.cases.models import SEALED_TITLE, Case, CaseType, Status
from portal.errors import DomainError
from portal.extensions import db
from portal.org.models import Kind
from tests import factories
from tests.factories import make_case

S = Status
ACCUSER_PHONE = "13812345678"
TITLE = "住建局周局长收受开发商礼金"


def sealed_world(world) -> dict:
    """An accusation against the housing bureau and its head, sent to the discipline organ and owned by the
    leader; the accuser's other, ordinary case lies with the labour bureau. An accused county leader (a person with
    a leader role) is named too."""
    factories.user("accused_leader", Role.LEADER, department=world.office, name="钱副县长")
    accusation = make_case(
        world, S.ACCEPTED, case_type=CaseType.ACCUSATION, title=TITLE, phone=ACCUSER_PHONE, commit=False
    )
    services.record_accused(accusation, world.clerk, unit_id=world.housing.id, name="周某某", post="局长")
    services.record_accused(
        accusation, world.clerk, username="accused_leader", post="副县长", cadre_level=CadreLevel.COUNTY
    )
    services.assign(accusation, world.clerk, department_id=world.discipline.id, owner_leader_id=world.leader.id)
    other = make_case(world, S.ASSIGNED, department=world.labour, phone=ACCUSER_PHONE, commit=False)
    db.session.commit()
    return {"accusation": accusation.id, "code": accusation.tracking_code, "other": other.id}


# who → (reads the accusation, knows it exists)
WHO_SEES = {
    "dept_head": (False, False),  # head of the accused unit
    "handler": (False, False),  # handler in the accused unit
    "accused_leader": (False, False),  # the accused person, holding a leader role
    "discipline_handler": (True, True),  # the investigating organ
    "discipline_head": (True, True),
    "other_handler": (False, False),  # another department
    "supervisor": (False, True),  # knows it exists and its clocks, not its text or accuser
    "clerk": (True, True),
    "leader": (True, True),  # the owner leader
}


def _login(auth, username):
    assert auth.login(username).status_code == 303


@pytest.mark.parametrize("who", list(WHO_SEES))
def test_who_sees_an_accusation(app, client, auth, staff, who):
    with app.app_context():
        ids = sealed_world(factories.load_world())
    reads, knows = WHO_SEES[who]
    username = "accused_leader" if who == "accused_leader" else staff[who].username
    _login(auth, username)

    page = client.get(f"/staff/cases/{ids['accusation']}")
    assert page.status_code == (200 if knows else 403)
    body = page.get_data(as_text=True)
    assert (TITLE in body) is reads
    assert ("周某某" in body) is reads  # whom it accuses
    if knows and not reads:
        assert SEALED_TITLE in body and "138****5678" not in body

    listed = client.get("/staff/cases/").get_data(as_text=True)
    assert (ids["code"] in listed) is knows
    assert (TITLE in listed) is reads

    link = f'href="/staff/cases/{ids["accusation"]}"'  # the search box repeats the typed code: look for the row
    found = client.get("/staff/cases/", query_string={"q": ids["code"]}).get_data(as_text=True)
    assert (link in found) is knows
    by_phone = client.get("/staff/cases/", query_string={"q": ACCUSER_PHONE}).get_data(as_text=True)
    assert (link in by_phone) is (reads and who != "supervisor")

    related = client.get(f"/staff/cases/{ids['other']}")
    if related.status_code == 200:
        assert (ids["code"] in related.get_data(as_text=True)) is reads

    for lookup in ("/staff/reception/earlier", "/staff/cases/earlier"):
        earlier = client.get(lookup, query_string={"phone": ACCUSER_PHONE})
        if earlier.status_code == 200:
            assert (ids["code"] in earlier.get_data(as_text=True)) is reads

    ledger = client.get("/staff/ledgers/assigned")
    if ledger.status_code == 200:
        text = ledger.get_data(as_text=True)
        assert (ids["code"] in text) is knows and (TITLE in text) is reads
    export = client.get("/staff/ledgers/assigned/export.xlsx")
    if export.status_code == 200:
        cells = [c.value for row in load_workbook(BytesIO(export.data)).active.iter_rows() for c in row]
        assert (ids["code"] in cells) is knows
        assert (TITLE in cells) is reads


@pytest.mark.parametrize("who", list(WHO_SEES))
def test_the_model_says_the_same(world, who):
    ids = sealed_world(world)
    case = db.session.get(Case, ids["accusation"])
    user = db.session.execute(
        db.select(User).filter_by(username="accused_leader" if who == "accused_leader" else factories.USERS[who][0])
    ).scalar_one()
    reads, knows = WHO_SEES[who]

    assert case.can_view(user) is knows and case.can_read(user) is reads
    assert (case.id in db.session.execute(db.select(Case.id).where(Case.visible_to(user))).scalars().all()) is knows


def test_the_investigating_organ_sees_a_named_accusers_identity_and_may_reveal_it(world):
    case = db.session.get(Case, sealed_world(world)["accusation"])

    assert case.can_see_identity(world.discipline_handler) and case.can_reveal_identity(world.discipline_handler)
    assert not case.can_see_identity(world.supervisor)


# --- routing: where an accusation may go, and who may never hold it --------------------------------------------
def test_an_accusation_that_names_no_official_may_go_to_the_competent_authority(world):
    """条例 art.30: “a factory is dumping waste” goes to the authority competent to handle it, not only 纪委."""
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION, title="某厂偷排污水")

    assert case.assignment_refusal(world.labour) is None
    services.assign(case, world.clerk, department_id=world.labour.id)
    assert case.department_id == world.labour.id


def test_an_accused_unit_is_never_the_assignee(world):
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, unit_id=world.housing.id)

    with pytest.raises(DomainError, match="被检举控告的单位"):
        services.assign(case, world.clerk, department_id=world.housing.id)


def test_an_accused_official_goes_to_a_discipline_organ(world):
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, name="某科长", cadre_level=CadreLevel.TOWNSHIP)

    with pytest.raises(DomainError, match="纪检监察机关"):
        services.assign(case, world.clerk, department_id=world.labour.id)
    services.assign(case, world.clerk, department_id=world.discipline.id)


def test_the_cadre_setting_names_the_receiving_organ(app, world):
    city_organ = factories.department("市纪委监委", Kind.DISCIPLINE)
    app.config["CADRE_ORGANS"] = "city=市纪委监委"
    try:
        case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
        services.record_accused(case, world.clerk, name="某副市长", cadre_level=CadreLevel.CITY)

        assert "市纪委监委" in case.assignment_refusal(world.discipline)
        assert case.assignment_refusal(city_organ) is None
    finally:
        app.config["CADRE_ORGANS"] = ""


def test_the_accused_person_is_never_the_owner_leader(world):
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, username=world.leader.username)

    with pytest.raises(DomainError, match="不能担任包案领导"):
        services.assign(case, world.clerk, department_id=world.discipline.id, owner_leader_id=world.leader.id)


def test_the_owner_leaders_unit_may_not_be_the_accused_unit(world):
    housing_leader = factories.user("housing_leader", Role.LEADER, department=world.housing, name="住建局党组书记")
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION)
    services.record_accused(case, world.clerk, unit_id=world.housing.id)

    assert case.owner_refusal(housing_leader) is not None
    with pytest.raises(DomainError, match="不能担任包案领导"):
        services.assign(case, world.clerk, department_id=world.discipline.id, owner_leader_id=housing_leader.id)


def test_the_accused_person_can_neither_sign_nor_review(world):
    case = make_case(world, S.AWAITING_SIGNATURE, case_type=CaseType.ACCUSATION, commit=False)
    services.record_accused(case, world.clerk, username=world.discipline_head.username)

    assert case.refusal("sign", world.discipline_head).forbidden
    assert not case.can_decide_review(world.discipline_head)


def test_the_unit_holding_a_case_cannot_be_recorded_as_accused_while_it_holds_it(world):
    case = make_case(world, S.ASSIGNED)

    with pytest.raises(DomainError, match="不能由被检举控告单位办理"):
        services.record_accused(case, world.clerk, unit_id=world.housing.id)


def test_a_complaint_naming_a_staff_member_is_sealed_from_them(world):
    """The same seal for a complaint that is not an accusation: the named staff member never sees it."""
    case = make_case(world, S.ACCEPTED, case_type=CaseType.CLAIM)
    services.record_accused(case, world.clerk, username=world.other_handler.username, post="科员")
    services.assign(case, world.clerk, department_id=world.labour.id)

    assert case.sealed and not case.can_view(world.other_handler)
    assert case.can_view(world.other_dept_head)
    assert not case.can_view(world.supervisor) or not case.can_read(world.supervisor)


def test_a_review_skips_the_accused_unit(world):
    county = factories.department("县人民政府", Kind.LEADERSHIP)
    city = factories.department("市人民政府", Kind.LEADERSHIP)
    county.parent = city
    world.labour.parent = county
    case = make_case(world, S.REPLIED, department=world.labour, commit=False)
    case.accused.append(Accused(unit=county))
    db.session.flush()

    assert services.review_organ(case) is city
