"""One rule behind every button: for every action of ``lifecycle.ACTIONS`` and every person of the test world, on
cases in several states, the page offers the action exactly when ``Case.can`` says so, and a POST the page would
not offer is refused — 403 or 422 with the refusal's own message — and writes nothing."""

from __future__ import annotations

import re

import pytest

from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.lifecycle import ACTIONS, Status
from portal.cases.models import Case, CaseEvent, CaseType, Channel, FollowUp, Procedure, Rating
from portal.extensions import db
from portal.localtime import today
from tests.factories import USERS, make_case, ready_for_mark_off

S = Status
HTMX = {"HX-Request": "true", "HX-Target": "case"}
ROLES = list(USERS)
REASON = "信访人提出新的情况，需要补充说明"


def pending_extension(world) -> int:
    case = make_case(world, S.IN_PROGRESS, owner_leader=world.leader)
    services.request_extension(case, world.handler, days=10, reason=REASON)
    return case.id


def rated_unsatisfied(world) -> int:
    case = make_case(world, S.REPLIED, owner_leader=world.leader)
    services.record_evaluation(case, acceptance=Rating.UNSATISFIED, handling=Rating.BASICALLY)
    return case.id


def ready_to_close(world) -> int:
    return ready_for_mark_off(make_case(world, S.REPLIED, owner_leader=world.leader), world).id


def supervised(case, world, step: str) -> int:
    """``case`` with a 督办单 taken as far as ``step``; after each escalation but the last the department has
    answered, so the supervisor has the next step."""
    services.supervise(case, world.supervisor, note=REASON)
    head = world.head_for(case)
    escalations = {
        "urged": lambda: services.urge_supervision(case, world.supervisor, text=REASON),
        "interviewed": lambda: services.record_interview(
            case, world.supervisor, held_on=today(), interviewee="周局长", interviewers="赵督查", agreed=REASON
        ),
        "proposed": lambda: services.propose_accountability(
            case, world.supervisor, leader_id=world.leader.id, subject="该局", measure="通报批评", facts=REASON
        ),
    }
    if step != "awaiting":
        services.answer_supervision(case, head, text=REASON)
    for later, escalate in escalations.items():
        if step in ("awaiting", "answered"):
            break
        escalate()
        if later == "proposed":
            break
        services.answer_supervision(case, head, text=REASON)
        if later == step:
            break
    db.session.commit()
    return case.id


def unconfirmed_identity(world) -> int:
    """An online submission with the ID number of a known petitioner: the clerk is asked “同一人？”."""
    known = make_case(world, S.REGISTERED, id_number="110105198503071230")
    case, _ = services.register_case(
        None,
        channel=Channel.ONLINE,
        case_type=CaseType.CLAIM,
        title="同一事项再次反映",
        content="电梯仍未修复。",
        petitioner_name="张三",
        id_number=known.petitioner.id_number,
    )
    return case.id


def assisted(world) -> int:
    """Led by housing with labour assisting (协办): labour's people read it and send an opinion, nothing else."""
    case = make_case(world, S.ACCEPTED)
    services.assign(case, world.clerk, department_id=world.housing.id, assisting_ids=[world.labour.id])
    return case.id


# Cases in states that between them let every action be taken by someone. From assignment on they are owned by
# the leader, so the checklist has both the office's items and the 五包 items only the owner leader ticks.
STATES = {
    "registered": lambda w: make_case(w, S.REGISTERED).id,
    "repeat_of_open": lambda w: make_case(w, S.REGISTERED, repeat_of_id=make_case(w, S.IN_PROGRESS).id).id,
    "unconfirmed_identity": unconfirmed_identity,
    "accepted": lambda w: make_case(w, S.ACCEPTED).id,
    "assigned": lambda w: supervised(make_case(w, S.ASSIGNED, owner_leader=w.leader), w, "awaiting"),
    "assigned_with_assist": assisted,
    "in_progress_extension": pending_extension,
    "simple_in_progress": lambda w: make_case(w, S.IN_PROGRESS, procedure=Procedure.SIMPLE, owner_leader=w.leader).id,
    "awaiting_signature": lambda w: supervised(
        make_case(w, S.AWAITING_SIGNATURE, owner_leader=w.leader), w, "answered"
    ),
    "awaiting_verification": lambda w: supervised(
        make_case(w, S.AWAITING_VERIFICATION, owner_leader=w.leader), w, "urged"
    ),
    "replied_unsatisfied": rated_unsatisfied,
    "ready_to_close": ready_to_close,
    "under_review": lambda w: supervised(make_case(w, S.UNDER_REVIEW, owner_leader=w.leader), w, "interviewed"),
    "replied_after_review": lambda w: make_case(w, S.REPLIED, review_level=1, owner_leader=w.leader).id,
    "under_rereview": lambda w: supervised(make_case(w, S.UNDER_REREVIEW, owner_leader=w.leader), w, "proposed"),
    "final": lambda w: make_case(w, S.FINAL, owner_leader=w.leader).id,
    "closed": lambda w: make_case(w, S.CLOSED, owner_leader=w.leader).id,
}


# Posting every action as every person costs a request each: the refusals are posted on the states where they differ
# most (before the reply with a decision pending, after it with 销号 blocked, all done); the offers are checked on all.
POST_STATES = ("in_progress_extension", "assigned_with_assist", "replied_unsatisfied", "closed")


def valid_form(name: str, world_ids: dict) -> dict:
    """What a filled-in form of ``name`` sends: it passes the form's validation, so a refusal is the rule's."""
    day = today().isoformat()
    fields = {
        "accept": {"procedure": "normal"},
        "merge": {"note": "同一事项"},
        "not_accept": {"route": "litigation"},
        "forward": {"authority": "市自然资源和规划局"},
        "assign": {"department_id": world_ids["housing"], "owner_leader_id": "0"},
        "assign_handler": {"handler_id": world_ids["handler"]},
        "object_assignment": {"reason": REASON},
        "draft": {"outcome": "support", "text": "经调查，限期修复。"},
        "return_draft": {"comment": REASON},
        "send_back": {"comment": REASON},
        "publish": {"method": "in_person"},
        "rehandle": {"text": REASON},
        "to_ordinary": {"reason": REASON},
        "request_extension": {"days": "10", "reason": REASON},
        "approve_extension": {"note": "同意"},
        "refuse_extension": {"note": "不同意"},
        "request_review": {"reason": REASON},
        "decide_review": {"outcome": "explain", "text": "维持原处理意见。"},
        "request_rereview": {"reason": REASON},
        "hearing": {"starts_on": day, "ends_on": day},
        "decide_rereview": {"outcome": "explain", "text": "维持复查意见。"},
        "supervise": {"note": REASON, "reason": "overdue", "days": "5"},
        "answer_supervision": {"text": REASON},
        "accept_supervision": {"note": "同意"},
        "urge_supervision": {"text": REASON, "days": "5"},
        "interview": {"held_on": day, "interviewee": "周局长", "interviewers": "赵督查", "agreed": REASON},
        "propose_accountability": {
            "leader_id": world_ids.get("leader", 0),
            "subject": "该局",
            "measure": "通报批评",
            "facts": REASON,
        },
        "decide_accountability": {"decision": "同意"},
        "order_rehandling": {"reason": REASON, "days": "20"},
        "clear_unsatisfied": {"reason": REASON},
        "mark_off": {"note": "已办结"},
        "note": {"text": REASON},
        "contribute": {"text": REASON},
        "instruct": {"text": REASON},
        "follow_up": {"method": "电话"},
        "record_accused": {"name": "某某", "post": "科长"},
        "confirm_petitioner": {"petitioner_id": "0"},
        "edit_petitioner": {"address": "城关镇新址2号"},
    }.get(name, {})
    return {f"{name}-{key}": str(value) for key, value in fields.items()}


ALIASED_BUG = (
    "regression guard: 复查 and 复核 share their services; a POST to the other level's action must be refused with "
    "its own message, never taken as this level's (the forms pass the posted action to the service)"
)


def served_as(name: str, case: Case) -> str:
    """The action the service takes a POST to ``name`` for: the review services pick the level from the case
    (ALIASED_BUG)."""
    if name in ("request_review", "request_rereview"):
        return "request_review" if case.review_level == 0 else "request_rereview"
    if name in ("decide_review", "decide_rereview"):
        return "decide_review" if case.status is S.UNDER_REVIEW else "decide_rereview"
    return name


def offered(html: str) -> tuple[set[str], set[int]]:
    """The actions the page offers (forms posting to …/actions/<name>) and the checklist items it has a button for."""
    actions = set(re.findall(r'action="/staff/cases/\d+/actions/(\w+)"', html))
    ticks = {int(i) for i in re.findall(r'action="/staff/cases/\d+/checklist/(\d+)"', html)}
    return actions, ticks


def written(app, case_id: int) -> tuple[int, int, int]:
    """What a refused POST must leave as it was: the case version, its events, the audit trail."""
    count = db.func.count
    with app.app_context():
        return tuple(
            db.session.execute(
                db.select(
                    db.select(Case.version).where(Case.id == case_id).scalar_subquery(),
                    db.select(count()).where(CaseEvent.case_id == case_id).scalar_subquery(),
                    # Every 403 is audited as http.forbidden (portal.audit.hooks): that is the refusal, not a write.
                    db.select(count())
                    .select_from(AuditLog)
                    .where(AuditLog.action != "http.forbidden")
                    .scalar_subquery(),
                )
            ).one()
        )


def rule_for(app, case_id: int, key: str, staff) -> dict:
    """What the one rule says for this person on this case: per action the refusal (None: allowed), per checklist
    item its refusal, whether they see the case at all."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        user = db.session.get(User, staff[key].id)
        return {
            "view": case.can_view(user),
            "can": {name: case.can(name, user) for name in ACTIONS},
            "refusals": {name: case.refusal(name, user) for name in ACTIONS},
            # Whether the service takes the POST for another action, and that action would answer otherwise.
            "aliased": {
                name
                for name in ACTIONS
                if served_as(name, case) != name
                and case.refusal(served_as(name, case), user) != case.refusal(name, user)
            },
            "items": {i.id: (i.refusal(user), i.done, i.mirrors, i.owner_only) for i in case.checklist},
        }


def test_the_page_offers_an_action_exactly_when_the_case_can_and_every_action_to_someone(
    app, client, login, seed, staff
):
    cases = {state: seed(build) for state, build in STATES.items()}
    mismatches, offered_somewhere = [], set()
    for key in ROLES:
        login(key)
        for state, case_id in cases.items():
            response = client.get(f"/staff/cases/{case_id}")
            rule = rule_for(app, case_id, key, staff)
            assert response.status_code == (200 if rule["view"] else 403), (state, key)
            actions, ticks = offered(response.get_data(as_text=True))
            offered_somewhere |= actions | ({"tick"} if ticks else set())

            expected = {name for name, can in rule["can"].items() if can and name != "tick"}
            tickable = {item for item, (refusal, *_) in rule["items"].items() if refusal is None}
            if actions != expected:
                mismatches.append((state, key, "offered", actions - expected, "missing", expected - actions))
            if ticks != tickable:
                mismatches.append((state, key, "tick buttons", ticks, "tickable", tickable))
            # A case without a checklist has nothing to tick, whatever the rule says; with one, there is a button
            # exactly when the person may tick.
            if rule["items"] and bool(ticks) is not rule["can"]["tick"]:
                mismatches.append((state, key, "tick offered", bool(ticks), "case.can('tick')", rule["can"]["tick"]))

    assert mismatches == []
    assert offered_somewhere == set(ACTIONS)  # the states above leave no action untried


def _representative_items(items: dict) -> list[int]:
    """One checklist item of each kind (the office's, one mirroring an event, a 五包 item; done or not)."""
    kinds = {}
    for item, (_, done, mirrors, owner_only) in items.items():
        kinds.setdefault((bool(mirrors), owner_only, done), item)
    return list(kinds.values())


def post_what_is_not_offered(app, client, login, staff, case_id: int, *, aliased: bool = False):
    """As every person, post each action the rule refuses them (one item of each kind for ticks) with a form that
    passes validation; return what was not refused as the rule says, or wrote something, and how many posts were
    made. ``aliased``: post only the actions the service takes for the other review level instead (see
    ``served_as``), which the rule's own check leaves out."""
    ids = {"housing": staff["dept:housing"], "handler": staff["handler"].id, "leader": staff["leader"].id}
    problems, posts = [], 0
    before = None

    def refused(key, url, data, refusal, sees):
        nonlocal before, posts
        response = client.post(url, headers=HTMX, data=data)
        posts += 1
        if not sees:
            ok = response.status_code == 403  # the case is not theirs to open: refused before any action
        else:
            expected = 403 if refusal.forbidden else 422
            ok = response.status_code == expected and refusal.message in response.get_data(as_text=True)
        after = written(app, case_id)
        if not ok or after != before:
            problems.append((key, url, response.status_code, refusal and refusal.message, before, after))
        before = after

    for key in ROLES:
        login(key)
        before = written(app, case_id)  # signing in is audited: count from here
        rule = rule_for(app, case_id, key, staff)
        for name, can in rule["can"].items():
            if not can and name != "tick" and (name in rule["aliased"]) is aliased:
                url = f"/staff/cases/{case_id}/actions/{name}"
                refused(key, url, valid_form(name, ids), rule["refusals"][name], rule["view"])
        for item in [] if aliased else _representative_items(rule["items"]):
            refusal, done, *_ = rule["items"][item]
            if refusal is not None:
                url = f"/staff/cases/{case_id}/checklist/{item}"
                refused(key, url, {"done": "0" if done else "1"}, refusal, rule["view"])
    return problems, posts


@pytest.mark.parametrize("state", POST_STATES)
def test_a_post_the_page_would_not_offer_is_refused_with_the_rules_message_and_writes_nothing(
    app, client, login, seed, staff, state
):
    case_id = seed(STATES[state])

    problems, posts = post_what_is_not_offered(app, client, login, staff, case_id)

    assert problems == []
    assert posts > len(ROLES) * len(ACTIONS) // 2  # most of what could be posted was refused and checked


@pytest.mark.parametrize("state", POST_STATES)
def test_a_review_action_the_page_would_not_offer_is_refused_with_its_own_message(
    app, client, login, seed, staff, state
):
    """The posts the test above leaves out: review requests and decisions of the other level."""
    case_id = seed(STATES[state])

    problems, posts = post_what_is_not_offered(app, client, login, staff, case_id, aliased=True)

    assert posts > 0 and problems == []


def test_a_follow_up_on_a_closed_case_is_refused_and_not_saved(app, client, login, seed):
    case_id = seed(lambda world: make_case(world, S.CLOSED).id)
    login("clerk")
    before = written(app, case_id)

    response = client.post(
        f"/staff/cases/{case_id}/actions/follow_up",
        headers=HTMX,
        data={"follow_up-method": "电话", "follow_up-notes": "再次回访，信访人表示满意"},
    )

    assert response.status_code == 422
    assert "该信访件已销号，不能再记录回访。" in response.get_data(as_text=True)
    assert written(app, case_id) == before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(FollowUp.case_id == case_id)) == 1  # make_case's


@pytest.mark.parametrize(
    "status, posted, kept",
    [
        (S.UNDER_REREVIEW, "decide_review", S.UNDER_REREVIEW),  # becomes a 复核意见: the case goes final
        (S.REPLIED, "request_rereview", S.REPLIED),  # a 复核 asked before any 复查: a 复查 is opened
    ],
)
def test_a_review_posted_under_the_other_levels_name_is_refused(app, client, login, seed, staff, status, posted, kept):
    case_id = seed(lambda world: make_case(world, status).id)
    login("clerk")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert posted not in offered(html)[0]
    before = written(app, case_id)

    response = client.post(
        f"/staff/cases/{case_id}/actions/{posted}",
        headers=HTMX,
        data=valid_form(posted, {"housing": staff["dept:housing"], "handler": staff["handler"].id}),
    )

    assert response.status_code == 422
    assert written(app, case_id) == before
    with app.app_context():
        assert db.session.get(Case, case_id).status is kept
