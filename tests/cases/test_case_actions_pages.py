"""The case page's actions beyond the lifecycle (指定承办人, 延期, 听证, 调查记录): each role is offered exactly what it
may do, and posting to /staff/cases/<id>/actions/<name> works with and without htmx, keeping what was typed on 422
and on 409."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.accounts.models import Role, User
from portal.cases import services
from portal.cases.accused import CadreLevel
from portal.cases.models import Case, CaseType, ExtensionRequest, ExtensionState, Outcome, Status
from portal.errors import StaleCase
from portal.extensions import db
from portal.org.models import Kind, Level
from tests import factories
from tests.factories import make_case

S = Status
HTMX = {"HX-Request": "true", "HX-Target": "case"}
REASON = "涉及多个部门，需现场勘验后答复"


def offered(html: str) -> set[str]:
    """The actions the page offers: every form posting to /staff/cases/<id>/actions/<name>."""
    return set(re.findall(r'/staff/cases/\d+/actions/(\w+)"', html))


def form_version(html: str, name: str) -> str:
    match = re.search(rf'name="{name}-version"[^>]*value="(\d+)"', html)
    assert match, f"no version field for {name}"
    return match.group(1)


def load(app, case_id: int) -> Case:
    """The case as stored now (read in a short context; the attributes are loaded before it ends)."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.extensions, case.hearings, case.notes  # noqa: B018 - load them while the session is open
        db.session.expunge(case)
        return case


def assigned(world) -> int:
    return make_case(world, S.ASSIGNED).id


def pending_extension(world, owner_leader=False) -> int:
    case = make_case(world, S.IN_PROGRESS, owner_leader=world.leader if owner_leader else None)
    services.request_extension(case, world.handler, days=20, reason=REASON)
    return case.id


def organs(world) -> dict:
    """A city bureau above housing and the city government above it, with a head each."""
    government = factories.department("市人民政府", Kind.LEADERSHIP, Level.CITY)
    city = factories.department("市住房和城乡建设局", Kind.FUNCTIONAL, Level.CITY, parent=government)
    world.housing.parent = city
    return {
        "city_head": factories.user("city_head", Role.DEPT_HEAD, department=city, name="市局长").username,
        "government_head": factories.user("gov_head", Role.DEPT_HEAD, department=government, name="市秘书长").username,
    }


def under_rereview(world) -> dict:
    case = make_case(world, S.REPLIED)
    names = organs(world)
    services.request_review(case, None, reason="不服")
    city_head = db.session.execute(db.select(User).filter_by(username=names["city_head"])).scalar_one()
    services.decide_review(case, city_head, outcome=Outcome.EXPLAIN, text="维持")
    services.request_review(case, None, reason="不服复查意见")
    return {"case_id": case.id, "clock_start": case.clock_start, **names}


# --- what each role is offered -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key, expected",
    [
        ("handler", {"start", "request_extension", "note"}),
        ("dept_head", {"start", "assign_handler", "object_assignment", "request_extension", "note"}),
        ("clerk", {"note", "record_accused", "edit_petitioner"}),
        ("leader", {"instruct"}),  # a leader may give an instruction at any stage
        ("supervisor", {"supervise"}),
    ],
)
def test_an_assigned_case_offers_each_role_exactly_its_actions(client, login, seed, key, expected):
    case_id = seed(assigned)
    login(key)

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    assert offered(html) == expected
    assert ("申请延期" in html) is ("request_extension" in expected)
    assert ("指定承办人" in html) is ("assign_handler" in expected)


@pytest.mark.parametrize(
    "key, owner, expected",
    [
        ("handler", False, {"draft", "note"}),
        # Within 5 working days of the assignment the head may still object to it (条例 art.23).
        ("dept_head", False, {"assign_handler", "object_assignment", "approve_extension", "refuse_extension", "note"}),
        ("clerk", False, {"note", "record_accused", "edit_petitioner"}),
        ("leader", False, {"instruct"}),
        ("leader", True, {"instruct"}),  # the owner leader does not decide an extension (条例 art.34)
    ],
)
def test_a_pending_extension_is_offered_to_its_deciders_only(client, login, seed, key, owner, expected):
    case_id = seed(lambda world: pending_extension(world, owner_leader=owner))
    login(key)

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    assert offered(html) == expected
    assert ("批准延期" in html) is ("approve_extension" in expected)
    assert ("不予延期" in html) is ("refuse_extension" in expected)


def test_a_request_left_pending_after_the_reply_went_out_is_not_offered_for_approval(client, login, seed):
    def replied_with_pending_request(world):
        case = make_case(world, S.IN_PROGRESS)
        services.request_extension(case, world.handler, days=10, reason=REASON)
        services.draft_reply(case, world.handler, outcome=Outcome.SUPPORT, text="限期修复。")
        services.sign_reply(case, world.dept_head)
        services.publish_reply(case, world.clerk)
        return case.id

    case_id = seed(replied_with_pending_request)
    login("dept_head")

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "approve_extension" not in offered(html)  # a button that shows must work


@pytest.mark.parametrize(
    "key, expected",
    [
        ("government_head", {"decide_rereview", "hearing", "note"}),
        (
            "clerk",
            {"note", "follow_up", "record_accused", "edit_petitioner"},
        ),  # the reply was delivered: the office may follow up meanwhile
        ("dept_head", {"note"}),
    ],
)
def test_the_rereview_organ_is_offered_the_hearing(client, auth, login, seed, key, expected):
    setup = seed(under_rereview)
    if key in setup:
        auth.login(setup[key])
    else:
        login(key)

    html = client.get(f"/staff/cases/{setup['case_id']}").get_data(as_text=True)

    assert offered(html) == expected
    assert ("记录听证" in html) is ("hearing" in expected)


def test_the_review_organ_cannot_open_the_case_once_it_went_up_a_level(client, auth, seed):
    setup = seed(under_rereview)
    auth.login(setup["city_head"])

    assert client.get(f"/staff/cases/{setup['case_id']}").status_code == 403


def _accusation_against_an_official(world) -> int:
    case = make_case(world, S.ACCEPTED, case_type=CaseType.ACCUSATION, commit=False)
    services.record_accused(case, world.clerk, name="某局长", cadre_level=CadreLevel.COUNTY)
    return case.id


def test_an_accusation_against_an_official_is_assigned_to_the_discipline_department_on_the_page(client, login, seed):
    case_id = seed(_accusation_against_an_official)
    login("clerk")

    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    select = re.search(r'<select[^>]*name="assign-department_id".*?</select>', html, re.DOTALL).group(0)
    assert "县纪委监委" in select
    assert "县住房和城乡建设局" not in select and "县人力资源和社会保障局" not in select


# --- posting the actions ----------------------------------------------------------------------------------------------
def test_the_handler_asks_for_an_extension_with_htmx_and_gets_the_fragment(app, client, login, seed):
    case_id = seed(assigned)
    login("handler")
    version = form_version(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), "request_extension")

    response = client.post(
        f"/staff/cases/{case_id}/actions/request_extension",
        headers=HTMX,
        data={"request_extension-version": version, "request_extension-days": "20", "request_extension-reason": REASON},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "已申请延期。" in html
    assert "HX-Request" in response.headers.get("Vary", "")
    assert "request_extension" not in offered(html)  # a pending request blocks another
    case = load(app, case_id)
    assert [(e.state, e.days, e.reason) for e in case.extensions] == [(ExtensionState.REQUESTED, 20, REASON)]


def test_without_htmx_an_action_redirects_to_the_case_page(app, client, login, seed):
    case_id = seed(assigned)
    login("handler")

    response = client.post(
        f"/staff/cases/{case_id}/actions/request_extension",
        data={"request_extension-days": "20", "request_extension-reason": REASON},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/cases/{case_id}")
    assert load(app, case_id).pending_extension is not None


@pytest.mark.parametrize(
    "name, state", [("approve_extension", ExtensionState.APPROVED), ("refuse_extension", ExtensionState.REFUSED)]
)
def test_the_department_head_decides_the_extension_on_the_page(app, client, login, seed, name, state):
    case_id = seed(pending_extension)
    login("dept_head")
    version = form_version(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), name)

    response = client.post(
        f"/staff/cases/{case_id}/actions/{name}",
        headers=HTMX,
        data={f"{name}-version": version, f"{name}-note": "同意按期补充勘验"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    case = load(app, case_id)
    assert case.extensions[0].state is state and case.extensions[0].decision_note == "同意按期补充勘验"
    assert case.extended is (state is ExtensionState.APPROVED)
    assert ("延期告知" in html) is (state is ExtensionState.APPROVED)
    assert not {"approve_extension", "refuse_extension"} & offered(html)


def test_the_department_head_designates_the_handler_on_the_page(app, client, login, seed):
    def setup(world):
        case_id = assigned(world)
        return case_id, factories.user("housing_handler2", Role.HANDLER, department=world.housing, name="郑承办").id

    case_id, handler_id = seed(setup)
    login("dept_head")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f'value="{handler_id}"' in re.search(
        r'<select[^>]*name="assign_handler-handler_id".*?</select>', page, re.DOTALL
    ).group(0)

    response = client.post(
        f"/staff/cases/{case_id}/actions/assign_handler",
        headers=HTMX,
        data={
            "assign_handler-version": form_version(page, "assign_handler"),
            "assign_handler-handler_id": str(handler_id),
        },
    )

    assert response.status_code == 200
    assert "郑承办" in response.get_data(as_text=True)
    assert load(app, case_id).handler_id == handler_id


def test_the_rereview_organ_records_a_hearing_on_the_page(app, client, auth, seed):
    setup = seed(under_rereview)
    auth.login(setup["government_head"])
    case_id, start = setup["case_id"], setup["clock_start"]

    response = client.post(
        f"/staff/cases/{case_id}/actions/hearing",
        headers=HTMX,
        data={
            "hearing-starts_on": start.isoformat(),
            "hearing-ends_on": start.isoformat(),
            "hearing-place": "听证室",
            "hearing-note": "各方到场陈述",
        },
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert "已记录听证。" in response.get_data(as_text=True)
    case = load(app, case_id)
    assert len(case.hearings) == 1 and case.clock_paused_days == 1


def test_a_note_is_added_on_the_page_and_shown_to_staff(app, client, login, seed):
    case_id = seed(assigned)
    login("handler")

    response = client.post(
        f"/staff/cases/{case_id}/actions/note", headers=HTMX, data={"note-text": "已约谈物业公司负责人"}
    )

    assert response.status_code == 200
    assert "已约谈物业公司负责人" in response.get_data(as_text=True)
    assert [n.text for n in load(app, case_id).notes] == ["已约谈物业公司负责人"]


# --- refusals keep what was typed -------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_validation_error_is_422_and_keeps_the_typed_text(app, client, login, seed, headers):
    case_id = seed(assigned)
    login("handler")

    response = client.post(
        f"/staff/cases/{case_id}/actions/request_extension",
        headers=headers,
        data={"request_extension-days": "45", "request_extension-reason": REASON},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "延长期限应为1至30日" in html
    assert REASON in html and 'value="45"' in html
    assert ("<html" in html) is (not headers)
    assert load(app, case_id).extensions == []


def test_a_domain_refusal_is_422_and_keeps_the_typed_text(app, client, auth, seed):
    setup = seed(under_rereview)
    auth.login(setup["government_head"])
    case_id, start = setup["case_id"], setup["clock_start"]

    response = client.post(
        f"/staff/cases/{case_id}/actions/hearing",
        headers=HTMX,
        data={
            "hearing-starts_on": (start + dt.timedelta(days=2)).isoformat(),
            "hearing-ends_on": (start + dt.timedelta(days=1)).isoformat(),
            "hearing-note": "听证记录草稿：三方意见",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "听证结束日期不能早于开始日期" in html
    assert "听证记录草稿：三方意见" in html
    assert load(app, case_id).hearings == []


def test_a_stale_form_is_409_and_keeps_the_typed_text(app, client, login, seed):
    case_id = seed(assigned)
    login("handler")
    version = form_version(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), "request_extension")

    seed(lambda world: services.supervise(db.session.get(Case, case_id), world.supervisor, note="请加快办理"))

    response = client.post(
        f"/staff/cases/{case_id}/actions/request_extension",
        headers=HTMX,
        data={"request_extension-version": version, "request_extension-days": "20", "request_extension-reason": REASON},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "已被他人更新" in html
    assert REASON in html
    assert load(app, case_id).extensions == []


def test_a_stale_transition_form_is_409_with_the_message_from_the_errors_module(app, client, login, seed):
    case_id = seed(lambda world: make_case(world, S.AWAITING_VERIFICATION).id)
    login("clerk")
    version = form_version(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), "send_back")
    seed(lambda world: services.supervise(db.session.get(Case, case_id), world.supervisor, note="请加快办理"))

    response = client.post(
        f"/staff/cases/{case_id}/actions/send_back",
        headers=HTMX,
        data={"send_back-version": version, "send_back-comment": "答复未回应诉求，退回重办"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert StaleCase().message in html
    assert "答复未回应诉求，退回重办" in html
    assert load(app, case_id).status is S.AWAITING_VERIFICATION


@pytest.mark.parametrize(
    "key, name, data",
    [
        ("handler", "approve_extension", {}),
        ("clerk", "refuse_extension", {}),
        ("handler", "assign_handler", {"assign_handler-handler_id": "1"}),
    ],
)
def test_an_action_by_the_wrong_role_is_403_and_changes_nothing(app, client, login, seed, key, name, data):
    case_id = seed(pending_extension)
    login(key)
    before = load(app, case_id)

    response = client.post(f"/staff/cases/{case_id}/actions/{name}", headers=HTMX, data=data)

    assert response.status_code == 403
    after = load(app, case_id)
    assert (after.version, after.handler_id, [e.state for e in after.extensions]) == (
        before.version,
        before.handler_id,
        [ExtensionState.REQUESTED],
    )


def test_another_departments_handler_cannot_post_to_the_case(app, client, login, seed):
    case_id = seed(assigned)
    login("other_handler")

    response = client.post(
        f"/staff/cases/{case_id}/actions/request_extension",
        data={"request_extension-days": "20", "request_extension-reason": REASON},
    )

    assert response.status_code == 403
    assert load(app, case_id).extensions == []


def test_an_unknown_action_is_404(client, login, seed):
    case_id = seed(assigned)
    login("clerk")

    assert client.post(f"/staff/cases/{case_id}/actions/delete_everything").status_code == 404


def test_extension_requests_are_counted_once_per_post(app, client, login, seed):
    case_id = seed(assigned)
    login("handler")
    data = {"request_extension-days": "20", "request_extension-reason": REASON}

    assert client.post(f"/staff/cases/{case_id}/actions/request_extension", data=data).status_code == 303
    second = client.post(f"/staff/cases/{case_id}/actions/request_extension", headers=HTMX, data=data)

    assert second.status_code == 422 and "已有待审批的延期申请" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ExtensionRequest)) == 1
