"""A leader's instruction (领导批示) through the case page: the form the page shows saves the text and the page then
shows it; anyone else is refused; an empty text is sent back with a Chinese message."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.cases.models import Case, Instruction, Status
from portal.extensions import db
from tests.factories import make_case

TEXT = "请县住建局三日内现场核实，依法妥善处理。"


def owned_case(world) -> int:
    """An assigned case that the leader owns (包案)."""
    return make_case(world, Status.ASSIGNED, owner_leader=world.leader).id


def instruction_form(html: str) -> tuple[str, dict[str, str], str]:
    """The instruction form on a case page, as a browser would submit it: its action, its hidden fields, and the
    name of its text field."""
    section = re.search(r"<section[^>]*>\s*<h2>领导批示</h2>.*?</section>", html, re.S)
    assert section, "the case page has no 领导批示 section"
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', section.group(0), re.S)
    assert form, "the instructions section has no form"
    hidden = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
    text_name = re.search(r'<textarea[^>]*name="([^"]+)"', form.group(2)).group(1)
    return unescape(form.group(1)), hidden, text_name


def leaders_form(client, login, case_id: int) -> tuple[str, dict[str, str], str]:
    login("leader")
    return instruction_form(client.get(f"/staff/cases/{case_id}").get_data(as_text=True))


def instructions(app, case_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(db.select(Instruction).filter_by(case_id=case_id).order_by(Instruction.id))
        return [(row.leader_id, row.text) for row in rows.scalars()]


def test_a_leaders_instruction_is_saved_and_shown_on_the_case_page(app, client, login, seed, staff):
    case_id = seed(owned_case)
    action, hidden, text_name = leaders_form(client, login, case_id)

    response = client.post(action, data={**hidden, text_name: TEXT})

    assert response.status_code == 303
    assert instructions(app, case_id) == [(staff["leader"].id, TEXT)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf'<blockquote class="instruction">\s*<p>{TEXT}</p>', page)
    with app.app_context():
        assert db.session.get(Case, case_id).status is Status.ASSIGNED  # an instruction alone moves nothing


@pytest.mark.parametrize("key", ["clerk", "handler", "dept_head", "supervisor"])
def test_anyone_but_a_leader_is_refused(app, client, login, auth, seed, key):
    case_id = seed(owned_case)
    action, hidden, text_name = leaders_form(client, login, case_id)
    auth.logout()
    login(key)

    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    response = client.post(action, data={**hidden, text_name: TEXT})

    assert f'action="{action}"' not in page  # the page offers no instruction form …
    assert response.status_code == 403  # … and posting one anyway is refused
    assert instructions(app, case_id) == []


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_instruction_is_sent_back_with_a_chinese_message(app, client, login, seed, text):
    case_id = seed(owned_case)
    action, hidden, text_name = leaders_form(client, login, case_id)

    response = client.post(action, data={**hidden, text_name: text})

    assert response.status_code == 422
    assert "请填写批示内容" in response.get_data(as_text=True)
    assert instructions(app, case_id) == []
