"""Every action on a case checks the version the person saw and moves it on: notes, follow-ups, instructions,
ticks, supervision and the 不满意 explanation posted from a page someone else has since changed get 409 and keep what
was typed; a successful one makes every form opened before it stale, down to an open 销号 form."""

from __future__ import annotations

import re

import pytest

from portal.cases import services
from portal.cases.models import Case, CaseEvent, Rating, Status
from portal.errors import StaleCase
from portal.extensions import db
from tests.factories import complete_checklist, make_case

S = Status
HTMX = {"HX-Request": "true", "HX-Target": "case"}
TYPED = "已电话联系信访人，约定下周现场查看"


def version_of(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).version


def events_of(app, case_id: int) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).where(CaseEvent.case_id == case_id))


def form_version(html: str, name: str) -> str:
    match = re.search(rf'name="{name}-version"[^>]*value="(\d+)"', html)
    assert match, f"the page offers no {name} form"
    return match.group(1)


def versions_on(html: str) -> set[str]:
    """The case versions the forms of a page carry (action forms and checklist buttons)."""
    return set(re.findall(r'name="(?:\w+-)?version"[^>]*value="(\d+)"', html))


def tick_form(html: str, label: str) -> tuple[str, dict]:
    """The checklist button for ``label``: where it posts and what it sends."""
    for form in re.findall(r"<form[^>]*/checklist/.*?</form>", html, re.DOTALL):
        if f"：{label}<" in form:
            action = re.search(r'action="([^"]+)"', form).group(1)
            fields = dict(re.findall(r'name="(version|done)" value="([^"]*)"', form))
            return action, fields
    raise AssertionError(f"no tick button for {label}")


def replied(world) -> int:
    return make_case(world, S.REPLIED).id


def unsatisfied(world) -> int:
    case = make_case(world, S.REPLIED)
    services.record_evaluation(case, acceptance=Rating.UNSATISFIED, handling=Rating.UNSATISFIED)
    return case.id


def assigned(world) -> int:
    return make_case(world, S.ASSIGNED).id


def someone_else_acts(world, case_id: int) -> None:
    """Another person records something on the case meanwhile (a note by the petition office)."""
    services.add_note(db.session.get(Case, case_id), world.clerk, text="信访人来电补充材料")


# action → (who, how the case is made, the typed fields); each posts its form prefix-<field>.
SIDE_ACTIONS = {
    "note": ("handler", assigned, {"text": TYPED}),
    "follow_up": ("clerk", replied, {"method": "电话", "notes": TYPED}),
    "instruct": ("leader", assigned, {"text": TYPED}),
    "supervise": ("supervisor", unsatisfied, {"note": TYPED}),  # the page still has his other actions after it
    "clear_unsatisfied": ("supervisor", unsatisfied, {"reason": TYPED}),
}


@pytest.mark.parametrize("name", SIDE_ACTIONS)
def test_a_stale_form_is_409_keeps_the_typed_text_and_writes_nothing(app, client, login, seed, name):
    key, build, typed = SIDE_ACTIONS[name]
    case_id = seed(build)
    login(key)
    seen = form_version(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), name)
    seed(lambda world: someone_else_acts(world, case_id))
    version, events = version_of(app, case_id), events_of(app, case_id)

    response = client.post(
        f"/staff/cases/{case_id}/actions/{name}",
        headers=HTMX,
        data={f"{name}-version": seen} | {f"{name}-{field}": value for field, value in typed.items()},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert StaleCase().message in html and TYPED in html
    assert (version_of(app, case_id), events_of(app, case_id)) == (version, events)


@pytest.mark.parametrize("name", SIDE_ACTIONS)
def test_each_action_moves_the_case_version_on(app, client, login, seed, name):
    key, build, typed = SIDE_ACTIONS[name]
    case_id = seed(build)
    login(key)
    seen = form_version(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), name)

    response = client.post(
        f"/staff/cases/{case_id}/actions/{name}",
        headers=HTMX,
        data={f"{name}-version": seen} | {f"{name}-{field}": value for field, value in typed.items()},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    now = version_of(app, case_id)
    assert now > int(seen)
    # The page that came back carries the new version, so the next post from it is not stale.
    assert versions_on(response.get_data(as_text=True)) == {str(now)}


def test_a_stale_tick_is_409_and_leaves_the_item_unticked(app, client, login, seed):
    case_id = seed(assigned)
    login("clerk")
    action, fields = tick_form(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), "调查核实")
    seed(lambda world: someone_else_acts(world, case_id))

    response = client.post(action, headers=HTMX, data=fields)

    assert response.status_code == 409
    assert StaleCase().message in response.get_data(as_text=True)
    with app.app_context():
        item = next(i for i in db.session.get(Case, case_id).checklist if i.label == "调查核实")
        assert not item.done


def test_a_tick_moves_the_case_version_on(app, client, login, seed):
    case_id = seed(assigned)
    login("clerk")
    action, fields = tick_form(client.get(f"/staff/cases/{case_id}").get_data(as_text=True), "调查核实")

    response = client.post(action, headers=HTMX, data=fields)

    assert response.status_code == 200
    now = version_of(app, case_id)
    assert now > int(fields["version"])
    assert versions_on(response.get_data(as_text=True)) == {str(now)}  # the buttons and forms that came back


def test_a_tick_makes_an_open_mark_off_form_stale(app, client, login, seed):
    def ready(world):
        case = make_case(world, S.REPLIED)
        complete_checklist(case, world.clerk)
        services.record_follow_up(case, world.clerk, method="电话", satisfaction=Rating.SATISFIED)
        return case.id

    case_id = seed(ready)
    login("clerk")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    seen = form_version(page, "mark_off")

    # In another tab the clerk takes a tick back and gives it again: the case is as ready as before, but changed.
    action, fields = tick_form(page, "调查核实")
    assert fields["done"] == "0"
    undone = client.post(action, headers=HTMX, data=fields).get_data(as_text=True)
    action, fields = tick_form(undone, "调查核实")
    assert client.post(action, headers=HTMX, data=fields).status_code == 200

    response = client.post(
        f"/staff/cases/{case_id}/actions/mark_off",
        headers=HTMX,
        data={"mark_off-version": seen, "mark_off-note": "已办结，信访人满意"},
    )

    assert response.status_code == 409
    assert "已办结，信访人满意" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).status is S.REPLIED
