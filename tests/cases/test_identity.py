"""Identity is never taken over by a claim (issue 11): an online submission changes no known petitioner, a match is a
suggestion the clerk answers, a clerk's registration with an ID number known under another name asks first, the
petitioner's details change only by a clerk's audited edit; staff pages mask phone and ID numbers until an entitled
person asks to see them (audited)."""

from __future__ import annotations

import pytest

from portal import validation
from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, CaseType, Channel, Petitioner, Status
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.masking import mask_address, mask_id_number
from tests.factories import make_case, register

S = Status
ID_BASE = "41010219900101123"
VICTIM_ID = ID_BASE + validation.id_check_digit(ID_BASE)
VICTIM_PHONE = "13812345678"
ATTACKER_PHONE = "13000000000"


def victim_accusation(world) -> Case:
    """The victim's confidential accusation, with the victim's own phone, ID number and address."""
    return make_case(
        world,
        S.ASSIGNED,
        case_type=CaseType.ACCUSATION,
        petitioner_name="王真",
        phone=VICTIM_PHONE,
        id_number=VICTIM_ID,
    )


SUBMISSION = {
    "case_type": "claim",
    "name": "冒名者",
    "phone": ATTACKER_PHONE,
    "id_number": VICTIM_ID,
    "address": "某地某路999号",
    "title": "随便写点什么",
    "content": "借用他人身份证号提交。",
}


# --- the attack of the first finding ------------------------------------------------------------------------
def test_an_anonymous_submission_with_anothers_id_number_changes_nothing_of_theirs(app, client, seed, login, staff):
    case_id = seed(lambda world: victim_accusation(world).id)

    response = client.post("/submit", data={**SUBMISSION, "consent": "y", "category_id": "0"})

    assert response.status_code == 201
    with app.app_context():
        victim = db.session.get(Case, case_id).petitioner
        assert (victim.name, victim.phone, victim.address) == ("王真", VICTIM_PHONE, "城关镇幸福路1号")
        submitted = db.session.execute(db.select(Case).where(Case.id != case_id)).scalar_one()
        assert submitted.petitioner_id != victim.id  # a petitioner of its own, waiting for the clerk
        assert submitted.identity_unconfirmed
        assert submitted.contact_phone == ATTACKER_PHONE

    # The investigating organ (entitled to the accuser's identity) still reaches the victim, not the attacker.
    login("discipline_handler")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "138****5678" in page and "130****0000" not in page
    shown = client.post(f"/staff/cases/{case_id}/identity", headers={"HX-Request": "true", "HX-Target": "identity"})
    assert shown.status_code == 200
    assert VICTIM_PHONE in shown.get_data(as_text=True) and ATTACKER_PHONE not in shown.get_data(as_text=True)


def test_the_api_submission_changes_no_known_petitioner_either(app, client, seed):
    case_id = seed(lambda world: victim_accusation(world).id)

    response = client.post(
        "/api/v1/petitions",
        json=SUBMISSION,
    )

    assert response.status_code == 201
    with app.app_context():
        victim = db.session.get(Case, case_id).petitioner
        assert (victim.name, victim.phone) == ("王真", VICTIM_PHONE)


# --- the clerk's 同一人 answer ---------------------------------------------------------------------------------------
def _submitted(world, **details) -> Case:
    case, _ = services.register_case(
        None,
        channel=Channel.ONLINE,
        case_type=CaseType.CLAIM,
        title="电梯仍未修复",
        content="再次反映。",
        petitioner_name=details.pop("petitioner_name", "王真"),
        **details,
    )
    return case


def test_a_match_is_a_suggestion_and_same_person_links_the_case_and_is_audited(world):
    earlier = victim_accusation(world)
    case = _submitted(world, id_number=VICTIM_ID, phone="13911112222")
    made = case.petitioner_id

    assert services.identity_suggestions(case) == [earlier.petitioner]
    services.confirm_petitioner(case, world.clerk, petitioner_id=earlier.petitioner_id)

    assert case.petitioner_id == earlier.petitioner_id and not case.identity_unconfirmed
    assert earlier.petitioner.phone == VICTIM_PHONE  # linking changes nobody's details
    assert case.contact_phone == "13911112222"  # the case keeps what it was given
    assert db.session.get(Petitioner, made) is None  # the stand-in petitioner had no other case
    assert db.session.execute(db.select(AuditLog).filter_by(action="case.confirm_petitioner")).scalar_one()


def test_keeping_them_apart_leaves_two_petitioners(world):
    earlier = victim_accusation(world)
    case = _submitted(world, id_number=VICTIM_ID)

    services.confirm_petitioner(case, world.clerk, petitioner_id=None)

    assert case.petitioner_id != earlier.petitioner_id and not case.identity_unconfirmed
    assert services.identity_suggestions(case) == []


def test_only_a_suggested_petitioner_can_be_linked(world):
    victim_accusation(world)
    stranger = make_case(world, S.REGISTERED, petitioner_name="路人").petitioner
    case = _submitted(world, id_number=VICTIM_ID)

    with pytest.raises(DomainError, match="不在可能是同一人的名单中"):
        services.confirm_petitioner(case, world.clerk, petitioner_id=stranger.id)


@pytest.mark.parametrize("who", ["handler", "leader", "supervisor"])
def test_only_the_petition_office_answers_same_person(world, who):
    victim_accusation(world)
    case = _submitted(world, id_number=VICTIM_ID)

    with pytest.raises(NotAllowed):
        services.confirm_petitioner(case, getattr(world, who), petitioner_id=None)


def test_the_clerk_sees_the_suggestion_on_the_case_page_and_answers_it(app, client, seed, login):
    ids = seed(lambda world: (victim_accusation(world).petitioner_id, _submitted(world, id_number=VICTIM_ID).id))
    login("clerk")

    page = client.get(f"/staff/cases/{ids[1]}").get_data(as_text=True)
    assert "可能是同一人" in page and "confirm_petitioner" in page
    response = client.post(
        f"/staff/cases/{ids[1]}/actions/confirm_petitioner", data={"confirm_petitioner-petitioner_id": str(ids[0])}
    )

    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Case, ids[1]).petitioner_id == ids[0]


# --- a clerk's registration with an ID number known under another name ---------------------------------------------
def test_an_id_number_known_under_another_name_asks_and_saves_nothing(world):
    victim_accusation(world)
    before = db.session.execute(db.select(db.func.count(Case.id))).scalar()

    with pytest.raises(services.IdentityConflict):
        register(world, petitioner_name="李四", id_number=VICTIM_ID)
    db.session.rollback()

    assert db.session.execute(db.select(db.func.count(Case.id))).scalar() == before


@pytest.mark.parametrize("same", [True, False])
def test_the_clerks_answer_decides_and_the_known_name_stays(world, same):
    earlier = victim_accusation(world)

    case, _ = register(world, petitioner_name="李四", id_number=VICTIM_ID, same_person=same)

    assert (case.petitioner_id == earlier.petitioner_id) is same
    assert earlier.petitioner.name == "王真"


def test_the_registration_page_asks_same_person_before_saving(app, client, seed, login):
    seed(lambda world: victim_accusation(world).id)
    login("clerk")
    form = {
        "channel": "letter",
        "received_on": "2026-12-01",
        "petitioner_name": "李四",
        "id_number": VICTIM_ID,
        "case_type": "claim",
        "category_id": "0",
        "title": "道路破损",
        "content": "门前道路破损。",
        "people_count": "1",
        "procedure": "normal",
        "repeat_of_id": "0",
    }

    asked = client.post("/staff/cases/new", data=form)
    assert asked.status_code == 409 and "请确认是否为同一人" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Case.id))).scalar() == 1

    answered = client.post("/staff/cases/new", data={**form, "same_person": "no"})
    assert answered.status_code == 201


# --- a clerk's edit of the petitioner ------------------------------------------------------------------------------
def test_a_clerks_edit_changes_the_petitioner_and_is_audited_without_the_values(world):
    case = make_case(world, S.ACCEPTED, phone=VICTIM_PHONE)

    services.edit_petitioner(case, world.clerk, phone="13922223333")

    assert case.petitioner.phone == "13922223333"
    row = db.session.execute(db.select(AuditLog).filter_by(action="case.edit_petitioner")).scalar_one()
    assert row.detail["fields"] == "phone" and "13922223333" not in str(row.detail)


def test_only_the_petition_office_edits_a_petitioner(world):
    case = make_case(world, S.ASSIGNED, phone=VICTIM_PHONE)

    with pytest.raises(NotAllowed):
        services.edit_petitioner(case, world.handler, phone="13922223333")
    assert case.petitioner.phone == VICTIM_PHONE


def test_an_edit_cannot_take_an_id_number_of_another_petitioner(world):
    victim_accusation(world)
    case = make_case(world, S.ACCEPTED, petitioner_name="李四")

    with pytest.raises(DomainError, match="已属于另一信访人"):
        services.edit_petitioner(case, world.clerk, id_number=VICTIM_ID)


# --- masked by default, 显示 on request ---------------------------------------------------------------------------
def test_masks():
    assert mask_id_number(VICTIM_ID) == "4101**********" + VICTIM_ID[-4:]
    assert mask_id_number(None) == "—"
    assert mask_address("城关镇幸福路1号") == "城关镇****"


def test_staff_pages_mask_and_the_reveal_is_audited(app, client, seed, login):
    case_id = seed(lambda world: make_case(world, S.ASSIGNED, phone=VICTIM_PHONE, id_number=VICTIM_ID).id)
    login("handler")

    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "138****5678" in page and VICTIM_PHONE not in page
    assert mask_id_number(VICTIM_ID) in page and VICTIM_ID not in page
    assert "显示" in page

    shown = client.post(f"/staff/cases/{case_id}/identity")
    assert shown.status_code == 200 and VICTIM_PHONE in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        row = db.session.execute(db.select(AuditLog).filter_by(action="case.identity_reveal")).scalar_one()
        assert row.object_id == case_id


@pytest.mark.parametrize(
    "who, entitled",
    [
        ("clerk", True),
        ("handler", True),  # the assigned department, a case that is not confidential
        ("dept_head", True),
        ("leader", False),  # a leader who does not own the case
        ("supervisor", False),
        ("other_handler", False),  # cannot see the case at all
    ],
)
def test_who_may_reveal(app, client, seed, login, who, entitled):
    case_id = seed(lambda world: make_case(world, S.ASSIGNED, phone=VICTIM_PHONE).id)
    login(who)

    response = client.post(f"/staff/cases/{case_id}/identity")

    assert (response.status_code == 200) is entitled
    assert (VICTIM_PHONE in response.get_data(as_text=True)) is entitled
    with app.app_context():
        reveals = db.session.execute(db.select(AuditLog).filter_by(action="case.identity_reveal")).scalars().all()
        assert len(reveals) == (1 if entitled else 0)


def test_the_owner_leader_may_reveal(world):
    case = make_case(world, S.ASSIGNED, owner_leader=world.leader)

    assert case.can_reveal_identity(world.leader)
    assert services.reveal_identity(case, world.leader).phone == case.petitioner.phone


def test_the_service_refuses_a_reveal_the_page_would_not_offer(world):
    case = make_case(world, S.ASSIGNED)

    with pytest.raises(NotAllowed):
        services.reveal_identity(case, world.supervisor)


def test_a_confidential_groups_representatives_are_masked_for_the_department(app, client, seed, login):
    case_id = seed(
        lambda world: (
            make_case(
                world,
                S.ASSIGNED,
                channel=Channel.VISIT,
                confidential=True,
                people_count=6,
                representatives=["刘大明", "陈小红"],
            ).id
        )
    )
    login("handler")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "刘大明" not in page and "刘**" in page

    login("clerk")
    assert "刘大明" in client.get(f"/staff/cases/{case_id}").get_data(as_text=True)


def test_an_anonymous_accusation_is_accepted_and_labelled(world):
    case, _ = register(world, case_type=CaseType.ACCUSATION, anonymous=True, phone=None, petitioner_name="")

    assert case.anonymous and case.petitioner.name == "匿名"
    assert case.petitioner.phone is None and not case.can_reveal_identity(world.clerk)


def test_only_an_accusation_may_be_anonymous(world):
    with pytest.raises(DomainError, match="只有检举控告类"):
        register(world, anonymous=True, petitioner_name="")
