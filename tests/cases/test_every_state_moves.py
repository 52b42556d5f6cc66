"""No case gets stuck: in every state the office still owes work on, some role is offered — on the case page — the
step that moves it on, and posting that form moves it. Mark-off is reached the same way, with what it needs (ticks,
a follow-up, a supervisor's explanation of a 不满意 rating) done through the forms the pages offer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from portal.cases import services
from portal.cases.lifecycle import ACTIONS, TERMINAL, TRANSITIONS, Status
from portal.cases.models import Case, Rating
from portal.extensions import db
from tests.factories import USERS, make_case

S = Status
ROLES = list(USERS)  # every signed-in person of the test world, in the order of factories.USERS
TYPED = "经核实，已当面向信访人说明情况。"  # what a person types into a text field the form leaves empty


@dataclass
class Form:
    """A form as a browser would submit it: its action and the values of its fields."""

    action: str
    values: dict[str, str] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)  # text fields a person would have to fill

    @property
    def name(self) -> str | None:
        """The lifecycle action it posts to; ``tick`` for a checklist button."""
        if "/checklist/" in self.action:
            return "tick"
        match = re.search(r"/actions/(\w+)$", self.action)
        return match.group(1) if match else None

    def filled(self) -> dict[str, str]:
        return {**self.values, **dict.fromkeys(self.empty, TYPED)}


class Forms(HTMLParser):
    """The POST forms of a page, with the values a browser would send: hidden and typed inputs, the selected (or
    first) option of a select, a textarea's text, checked boxes only."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option = False
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = Form(a["action"])
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.values[name] = a.get("value", "y")
            elif a.get("value"):
                self._form.values[name] = a["value"]
            elif kind in ("text", "search"):
                self._form.empty.append(name)
        elif tag == "select" and name:
            self._select, self._first_option = name, True
        elif tag == "option" and self._select:
            if self._first_option or "selected" in a:
                self._form.values[self._select] = a.get("value", "")
            self._first_option = False
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.values[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.values[self._textarea] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # WTForms writes a newline after <textarea>; a browser drops it.
            text = self._form.values[self._textarea].removeprefix("\r\n").removeprefix("\n")
            self._form.values[self._textarea] = text
            if not text:
                del self._form.values[self._textarea]
                self._form.empty.append(self._textarea)
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def status_of(app, case_id: int) -> Status:
    with app.app_context():
        return db.session.get(Case, case_id).status


class Walker:
    """Signs in as each role in turn and uses only what the case page offers that role."""

    def __init__(self, client, login, case_id: int):
        self.client, self.login = client, login
        self.url = f"/staff/cases/{case_id}"

    def page(self, key: str) -> tuple[str, list[Form]]:
        self.login(key)
        response = self.client.get(self.url)
        html = response.get_data(as_text=True) if response.status_code == 200 else ""
        return html, Forms(html).forms

    def forms(self, key: str) -> list[Form]:
        return self.page(key)[1]

    def post(self, form: Form):
        response = self.client.post(form.action, data=form.filled())
        assert response.status_code == 303, (form.action, response.status_code, response.get_data(as_text=True))
        return response

    def primary_step(self) -> tuple[str, str] | None:
        """The first role whose page offers the transition that moves the case on: (role, action)."""
        for key in ROLES:
            for form in self.forms(key):
                if form.name in TRANSITIONS and ACTIONS[form.name].primary:
                    return key, form.name
        return None

    def take(self, key: str, name: str) -> None:
        form = next(f for f in self.forms(key) if f.name == name)
        self.post(form)

    def complete_mark_off(self) -> list[tuple[str, str]]:
        """Do, through the pages, what 销号 waits for: every unticked box a role is offered, the follow-up, the
        supervisor's explanation. Returns what was done, as (role, action)."""
        done = []
        for key in ROLES:
            while True:
                html, forms = self.page(key)
                todo = [f for f in forms if f.name == "tick" and f.values.get("done") == "1"]
                todo += [f for f in forms if f.name == "clear_unsatisfied"]
                if "也未回访" in html:  # the blocker hint asks for a follow-up (the form stays offered after one)
                    todo += [f for f in forms if f.name == "follow_up"]
                if not todo:
                    break
                self.post(todo[0])  # one at a time: each action makes the other forms on the page stale
                done.append((key, todo[0].name))
        return done


OWED = [s for s in Status if s not in TERMINAL]  # FINAL is not terminal: the office still marks it off


@pytest.mark.parametrize("status", OWED, ids=[s.value for s in OWED])
def test_every_state_the_office_still_owes_work_on_is_moved_on_through_the_pages(app, client, login, seed, status):
    case_id = seed(lambda world: make_case(world, status).id)
    walk = Walker(client, login, case_id)

    step = walk.primary_step()
    if step is None:  # 销号 waits for the checklist and a follow-up: do them on the pages, then it is offered
        assert walk.complete_mark_off(), f"nothing offered on a {status.value} case"
        step = walk.primary_step()
    assert step is not None, f"no role is offered a step that moves a {status.value} case on"

    walk.take(*step)

    assert status_of(app, case_id) is TRANSITIONS[step[1]].target


def test_a_registered_case_is_walked_to_mark_off_through_the_pages(app, client, login, seed):
    """Registered to marked off, each step taken by the role the page offers it to."""
    case_id = seed(lambda world: make_case(world, S.REGISTERED).id)
    walk = Walker(client, login, case_id)
    taken = []

    while status_of(app, case_id) is not S.CLOSED:
        step = walk.primary_step()
        if step is None:
            walk.complete_mark_off()
            step = walk.primary_step()
        assert step is not None and len(taken) < 20, taken
        walk.take(*step)
        taken.append(step)

    assert [name for _, name in taken] == ["accept", "assign", "start", "draft", "sign", "publish", "mark_off"]
    assert {key for key, name in taken if name in ("accept", "assign", "publish", "mark_off")} == {"clerk"}


def test_a_final_case_with_an_unticked_checklist_shows_tick_buttons_to_the_clerk_and_is_then_marked_off(
    app, client, login, seed
):
    case_id = seed(lambda world: make_case(world, S.FINAL).id)
    walk = Walker(client, login, case_id)
    login("clerk")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "勾销：调查核实" in html and "勾销：形成处理意见" in html
    assert 'id="mark-off-blockers"' in html and "清单事项未勾销" in html
    assert "mark_off" not in {f.name for f in walk.forms("clerk")}

    done = walk.complete_mark_off()
    walk.take("clerk", "mark_off")

    assert done == [("clerk", "tick"), ("clerk", "tick"), ("clerk", "follow_up")]
    assert status_of(app, case_id) is S.CLOSED


def test_a_leader_owned_case_is_marked_off_once_the_leader_ticks_the_five_guarantees_on_the_page(
    app, client, login, seed
):
    case_id = seed(lambda world: make_case(world, S.REPLIED, owner_leader=world.leader).id)
    walk = Walker(client, login, case_id)

    done = walk.complete_mark_off()
    walk.take("clerk", "mark_off")

    assert ("leader", "tick") in done and done.count(("leader", "tick")) == 5  # 五包: the owner leader's own
    assert status_of(app, case_id) is S.CLOSED


def test_a_replied_case_rated_unsatisfied_is_explained_by_the_supervisor_on_the_page_and_then_marked_off(
    app, client, login, seed
):
    def unsatisfied(world):
        case = make_case(world, S.REPLIED)
        services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.UNSATISFIED)
        return case.id

    case_id = seed(unsatisfied)
    walk = Walker(client, login, case_id)
    login("clerk")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "须由督查人员说明可以销号的理由" in html  # the clerk is told why 销号 is not offered yet
    assert "clear_unsatisfied" in {f.name for f in walk.forms("supervisor")}

    done = walk.complete_mark_off()
    walk.take("clerk", "mark_off")

    assert ("supervisor", "clear_unsatisfied") in done
    assert ("clerk", "follow_up") not in done  # the evaluation stands in for the follow-up
    assert status_of(app, case_id) is S.CLOSED
    with app.app_context():
        evaluation = db.session.get(Case, case_id).evaluation
        assert evaluation.override_reason == TYPED and evaluation.override_at is not None
