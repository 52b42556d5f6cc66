"""Every staff page each role can reach is well formed: no id is used twice, every <label for> names an element that
exists, and in a year whose official holidays are not yet known the warning about it is said once a page, not once
per deadline. Pages are found by following the staff links of the start pages one level."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from portal.cases import services
from portal.cases.models import Rating, Status
from portal.deadlines.clock import official_year_known
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.localtime import as_of
from tests.factories import make_case

S = Status
# A day in a year the official holiday calendar does not know yet: the staff banner says so, and so would every
# deadline's explanation if it did not leave that to the banner.
TODAY = dt.date(2027, 3, 3)
WARNING = "放假调休安排尚未公布"
ROLES = ["clerk", "leader", "supervisor", "dept_head", "handler", "admin", "auditor"]
SKIP = re.compile(r"logout|export|feed|\.ics|\.xlsx|/attachments/")


@pytest.fixture(autouse=True)
def in_a_year_without_official_holidays():
    assert not official_year_known(TODAY.year), f"{TODAY.year} is known now: move TODAY to a year that is not"
    with as_of(TODAY):
        yield


class Parts(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") is not None:
            self.ids.append(a["id"])
        if tag == "label" and a.get("for") is not None:
            self.label_for.append(a["for"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])


def problems_of(html: str) -> list[str]:
    parts = Parts(html)
    found = [f"id used {n} times: {i}" for i, n in Counter(parts.ids).items() if n > 1]
    found += [f"<label for={target!r}> names no element" for target in parts.label_for if target not in parts.ids]
    if html.count(WARNING) > 1:
        found.append(f"the missing-holidays warning is said {html.count(WARNING)} times")
    return found


def build(world) -> dict:
    """Cases in several states (with clocks running into the unknown year), and a leader's reception today."""
    owned = make_case(world, S.IN_PROGRESS, owner_leader=world.leader)
    services.request_extension(owned, world.handler, days=20, reason="需要现场勘验")
    unsatisfied = make_case(world, S.REPLIED)
    services.record_evaluation(unsatisfied, acceptance=Rating.UNSATISFIED, handling=Rating.SATISFIED)
    cases = [
        make_case(world, S.REGISTERED),
        owned,
        make_case(world, S.AWAITING_SIGNATURE),
        unsatisfied,
        make_case(world, S.UNDER_REREVIEW),
        make_case(world, S.FINAL),
        make_case(world, S.CLOSED, owner_leader=world.leader),
    ]
    slot = DutySlot(
        day=TODAY,
        period=Period.MORNING,
        leader=world.leader,
        place="县人民来访接待中心",
        form=Form.FIXED,
        published=True,
    )
    db.session.add(slot)
    db.session.flush()
    return {"cases": [c.id for c in cases], "slot": slot.id}


def start_pages(setup: dict) -> list[str]:
    return [
        "/staff/work/",
        "/staff/cases/",
        "/staff/cases/new",
        *(f"/staff/cases/{case_id}" for case_id in setup["cases"]),
        "/staff/ledgers/",
        "/staff/duty/",
        "/staff/duty/list",
        "/staff/duty/mine",
        "/staff/reception/",
        f"/staff/reception/slots/{setup['slot']}",
        "/staff/calendar",
        "/staff/audit/",
        f"/deadline?rule=handle&start={TODAY.isoformat()}",  # the calculator, linked from every staff page
    ]


@pytest.mark.parametrize("key", ROLES)
def test_every_staff_page_a_role_reaches_is_well_formed(client, login, seed, key):
    setup = seed(build)
    login(key)
    seen: dict[str, tuple[int, str]] = {}
    problems: dict[str, list[str]] = {}

    def visit(path: str) -> str:
        if path not in seen:
            response = client.get(path)
            ok = response.status_code == 200 and response.mimetype == "text/html"
            seen[path] = (response.status_code, response.get_data(as_text=True) if ok else "")
            if ok and (found := problems_of(seen[path][1])):
                problems[path] = found
        return seen[path][1]

    followed = set()  # one link per page: ?day=… or ?month=… variants are the same template
    for start in start_pages(setup):
        for link in Parts(visit(start)).links:
            path = link.split("#", 1)[0]
            if path.startswith("/staff/") and not SKIP.search(path) and path.split("?")[0] not in followed:
                followed.add(path.split("?")[0])
                visit(path)
    assert problems == {}
    assert [path for path, (status, _) in seen.items() if status >= 500] == []
    pages = [path for path, (status, _) in seen.items() if status == 200]
    assert len(pages) >= 2, seen  # the role reached pages of its own, not only refusals


@pytest.mark.parametrize("key", ["clerk", "handler"])
def test_a_case_page_whose_clock_runs_in_that_year_says_so_once_in_the_banner(client, login, seed, key):
    setup = seed(build)
    login(key)

    html = client.get(f"/staff/cases/{setup['cases'][1]}").get_data(as_text=True)

    assert 'class="explain"' in html  # the deadline is explained …
    assert html.count(WARNING) == 1
    assert f"{TODAY.year}年的国务院放假调休安排尚未公布" in html  # … and the banner, which covers its year, warns
