"""An expired session never loses what was typed: a post that arrives on a timed-out session is kept for the person
it was signed in as, and restored — to that person only — after they sign in again."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.cases.models import Case, Status
from portal.extensions import db
from portal.localtime import as_of
from portal.security.stash import FormStash
from tests.factories import make_case
from tests.security.conftest import at

DRAFT = "经调查核实，责令物业公司于十日内修复电梯，并由街道办跟踪落实。"


@pytest.fixture
def case_in_progress(seed):
    def build(world):
        case = make_case(world, Status.IN_PROGRESS, department=world.housing)
        return case.id, case.version

    return seed(build)


def draft_form(version: int) -> dict:
    return {
        "csrf_token": "the-old-token",
        "draft-version": str(version),
        "draft-outcome": "support",
        "draft-text": DRAFT,
        "draft-legal_basis": "《物业管理条例》第五十五条",
    }


def stashes(app) -> list[tuple[int, str, list]]:
    with app.app_context():
        return [(s.user_id, s.url, s.fields) for s in db.session.execute(db.select(FormStash)).scalars()]


@pytest.fixture
def lapsed_draft(app, client, login, case_in_progress):
    """The handler drafts the 处理意见书 for 40 minutes and posts it: the session has lapsed by then."""
    case_id, version = case_in_progress
    with as_of(at()):
        ref = login("handler")
    with as_of(at(minutes=40)):
        response = client.post(f"/staff/cases/{case_id}/actions/draft", data=draft_form(version))
    return ref, case_id, response


def test_a_post_on_a_timed_out_session_is_kept_and_sends_the_person_to_sign_in(app, lapsed_draft):
    ref, case_id, response = lapsed_draft

    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    assert parse_qs(location.query)["next"][0].startswith("/staff/security/restore/")
    [(user_id, url, fields)] = stashes(app)
    assert user_id == ref.id and url == f"/staff/cases/{case_id}/actions/draft"
    assert ["draft-text", DRAFT] in fields
    assert all(name != "csrf_token" for name, _ in fields)
    with app.app_context():
        assert db.session.get(Case, case_id).status is Status.IN_PROGRESS


def test_the_draft_is_restored_and_submitted_after_signing_in_again(app, client, auth, lapsed_draft, staff):
    _ref, case_id, response = lapsed_draft
    next_page = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]

    with as_of(at(minutes=42)):
        signed_in = auth.login(staff["handler"].username, next=next_page)
        assert signed_in.status_code == 303, (signed_in.status_code, signed_in.get_data(as_text=True)[-3000:])
        assert urlsplit(signed_in.headers["Location"]).path == next_page
        page = client.get(next_page)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "登录已过期，您填写的内容已保存" in body
    assert DRAFT in body and f'action="/staff/cases/{case_id}/actions/draft"' in body
    assert "the-old-token" not in body

    # One click: post the restored form as the browser would.
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
    fields["draft-text"] = DRAFT
    with as_of(at(minutes=43)):
        submitted = client.post(f"/staff/cases/{case_id}/actions/draft", data=fields)

    assert submitted.status_code == 303
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status is Status.AWAITING_SIGNATURE and case.last_draft.text == DRAFT
    assert stashes(app) == []  # used up
    assert client.get(next_page).status_code == 404


def test_another_user_never_sees_the_stash(app, client, auth, lapsed_draft, staff):
    _, _, response = lapsed_draft
    next_page = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]

    with as_of(at(minutes=42)):
        auth.login(staff["other_handler"].username, next=next_page)
        page = client.get(next_page)

    assert page.status_code == 404
    assert DRAFT not in page.get_data(as_text=True)
    assert len(stashes(app)) == 1  # still there for the handler


def test_a_post_with_a_cookie_replayed_after_logout_is_not_kept(app, client, auth, login, case_in_progress):
    case_id, version = case_in_progress
    login("handler")
    old = client.get_cookie("session").value
    auth.logout()
    client.set_cookie("session", old)

    response = client.post(f"/staff/cases/{case_id}/actions/draft", data=draft_form(version))

    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/staff/login"
    assert stashes(app) == []


def test_an_htmx_post_on_a_timed_out_session_redirects_the_browser(app, client, login, case_in_progress):
    case_id, version = case_in_progress
    with as_of(at()):
        login("handler")
    with as_of(at(minutes=31)):
        response = client.post(
            f"/staff/cases/{case_id}/actions/draft", data=draft_form(version), headers={"HX-Request": "true"}
        )

    assert response.status_code == 204
    assert urlsplit(response.headers["HX-Redirect"]).path == "/staff/login"
    assert len(stashes(app)) == 1


def test_a_kept_form_expires_after_a_day(app, client, auth, lapsed_draft, staff):
    _, _, response = lapsed_draft
    next_page = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]

    with as_of(at(hours=25)):
        assert auth.login(staff["handler"].username).status_code == 303
        assert client.get(next_page).status_code == 404
