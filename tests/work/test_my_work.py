"""My work: each role sees what waits for it, most urgent first, and only its own department's cases."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.cases import services
from portal.cases.models import Status
from tests.factories import make_case


def codes_in(html: str, queue: str) -> str:
    start = html.index(f'id="q-{queue}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_the_clerk_sees_cases_to_decide_most_urgent_first(client, seed, as_clerk):
    older, newer = seed(
        lambda w: [
            make_case(w, Status.REGISTERED, on=dt.date(2026, 11, 2)).tracking_code,
            make_case(w, Status.REGISTERED, on=dt.date(2026, 11, 20)).tracking_code,
        ]
    )
    html = client.get("/staff/work/").get_data(as_text=True)
    block = codes_in(html, "decide")
    assert block.index(older) < block.index(newer)


def test_the_department_head_sees_signatures_and_extension_requests_of_his_department_only(client, seed, login):
    def build(w):
        mine = make_case(w, Status.AWAITING_SIGNATURE)
        other = make_case(w, Status.AWAITING_SIGNATURE, department=w.labour)
        extended = make_case(w, Status.IN_PROGRESS)
        services.request_extension(extended, w.handler, days=10, reason="需要现场勘验")
        from portal.extensions import db

        db.session.commit()
        return mine.tracking_code, other.tracking_code, extended.tracking_code

    mine, other, extended = seed(build)
    login("dept_head")
    html = client.get("/staff/work/").get_data(as_text=True)
    assert mine in codes_in(html, "sign") and other not in html
    assert extended in codes_in(html, "extension")


def test_the_handler_sees_cases_to_start_and_to_draft(client, seed, login):
    assigned, working = seed(
        lambda w: [make_case(w, Status.ASSIGNED).tracking_code, make_case(w, Status.IN_PROGRESS).tracking_code]
    )
    login("handler")
    html = client.get("/staff/work/").get_data(as_text=True)
    assert assigned in codes_in(html, "start") and working in codes_in(html, "draft")


def test_the_supervisor_sees_overdue_cases_but_not_petitioners_windows(client, seed, login):
    overdue, window = seed(
        lambda w: [
            make_case(w, Status.ASSIGNED, on=dt.date(2026, 8, 1)).tracking_code,
            make_case(w, Status.REPLIED, on=dt.date(2026, 8, 1)).tracking_code,
        ]
    )
    login("supervisor")
    block = codes_in(client.get("/staff/work/").get_data(as_text=True), "overdue")
    assert overdue in block and window not in block


@pytest.mark.parametrize("key", ["admin", "auditor"])
def test_roles_that_never_work_cases_get_403(client, login, key):
    login(key)
    assert client.get("/staff/work/").status_code == 403


def test_signing_in_lands_on_my_work(client, staff, auth):
    response = auth.login(staff["clerk"].username)
    assert response.location.endswith("/staff/") or response.location.endswith("/staff/work/")
