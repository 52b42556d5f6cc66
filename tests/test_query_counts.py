"""Queries per page do not grow with the data (issue 18): every staff and public page is rendered at two data sizes
and issues the same number of SQL statements. A page that loads something per row (N+1), or runs a query per case,
department or queue item, fails here long before it is slow at a million cases."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from portal.cases import codes
from portal.cases.models import CaseType, Status
from portal.extensions import db
from portal.ledgers.queries import LEDGERS
from tests.factories import make_case

QUERY_CODE = "ACDEF34679"
PHONE = "13907319999"

# One batch of cases in the states the pages show; the second size is this batch twice.
MIX = [
    (Status.REGISTERED, {}),
    (Status.ACCEPTED, {}),
    (Status.ASSIGNED, {}),
    (Status.IN_PROGRESS, {"owner_leader": "leader"}),
    (Status.AWAITING_SIGNATURE, {}),
    (Status.AWAITING_VERIFICATION, {}),
    (Status.REPLIED, {}),
    (Status.ASSIGNED, {"case_type": CaseType.ACCUSATION}),
]

STAFF_PAGES = {
    "clerk": [
        "/staff/cases/",
        "/staff/cases/?status=assigned",
        "/staff/cases/?q=电梯",
        f"/staff/cases/?q={PHONE}",
        "/staff/cases/{case}",
        "/staff/ledgers/",
        *(f"/staff/ledgers/{name}" for name in LEDGERS),
        "/staff/ledgers/assigned?q=电梯&sort=-received",
        "/staff/ledgers/assigned/export.xlsx",
        "/staff/work/",
        "/staff/work/decide",
        "/staff/work/verify",
        "/staff/reception/",
        "/staff/duty/",
        "/staff/notices/",
        "/staff/notices/cases/{case}",
        "/staff/grassroots/",
        "/staff/agents/",
    ],
    "supervisor": [
        "/staff/work/",
        "/staff/ledgers/",
        "/staff/ledgers/overdue",
        "/staff/cases/",
        "/staff/supervision/",
        "/staff/supervision/lists",
        "/staff/supervision/export.xlsx",
    ],
    "leader": ["/staff/work/", "/staff/ledgers/owned", "/staff/cases/{case}"],
    "handler": ["/staff/work/", "/staff/cases/", "/staff/ledgers/assigned", "/staff/cases/{case}"],
    "dept_head": ["/staff/work/", "/staff/work/sign"],
}
PUBLIC_PAGES = ["/", "/stats", "/api/v1/stats", "/roster", "/api/v1/roster", "/track/{code}"]


def _add_batch(seed) -> tuple[int, str]:
    """Add one batch of MIX; returns the id of its owner-leader case and the tracking code of its first case."""

    def build(world):
        made = []
        for status, kwargs in MIX:
            kwargs = {**kwargs}
            if kwargs.get("owner_leader") == "leader":
                kwargs["owner_leader"] = world.leader
            made.append(make_case(world, status, phone=PHONE, **kwargs))
        made[0].query_code_hash = codes.hash_query_code(QUERY_CODE)
        return made[3].id, made[0].tracking_code

    return seed(build)


def _statements(app, client, url: str) -> int:
    """The SQL statements one GET of ``url`` issues (the second of two: one-time caches are not the page's)."""
    with app.app_context():
        engine = db.engine
    client.get(url)
    seen = []

    def listener(conn, cursor, statement, *args):
        # The sign-in's check and heartbeat (staff_sessions, last_seen_at written apart once a minute) belong to
        # the request, whatever the page and however much data.
        if "staff_sessions" not in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(seen)


def _measure(app, clients, case_id, tracking_code) -> dict[str, int]:
    counts = {}
    for who, pages in STAFF_PAGES.items():
        for page in pages:
            url = page.format(case=case_id)
            counts[f"{who} {url}"] = _statements(app, clients[who], url)
    for page in PUBLIC_PAGES:
        url = page.format(code=tracking_code)
        counts[f"public {url}"] = _statements(app, clients["public"], url)
    return counts


@pytest.fixture
def clients(app, staff, seed):
    from tests.conftest import AuthActions

    signed_in = {}
    for who in STAFF_PAGES:
        client = app.test_client()
        assert AuthActions(client, app).login(staff[who].username).status_code == 303
        signed_in[who] = client
    signed_in["public"] = app.test_client()
    return signed_in


def test_every_page_issues_the_same_queries_for_8_cases_as_for_16(app, clients, seed):
    case_id, tracking_code = _add_batch(seed)
    lookup = clients["public"].post("/track", data={"tracking_code": tracking_code, "query_code": QUERY_CODE})
    assert lookup.status_code == 303
    few = _measure(app, clients, case_id, tracking_code)
    _add_batch(seed)
    many = _measure(app, clients, case_id, tracking_code)
    grown = {page: (few[page], many[page]) for page in few if few[page] != many[page]}
    assert not grown, f"queries grew with the data (8 cases → 16): {grown}"
