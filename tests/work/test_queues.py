"""我的待办's queues: the leader's 待批示 lists what they own until they instruct; a long queue shows its most urgent
cases and links to pages of its own; a queue that is not the person's is 404, and roles that never work cases 403."""

from __future__ import annotations

import re

import pytest

from portal.cases.models import Status
from portal.work.queues import PER_PAGE, SHOWN
from tests.factories import make_case

S = Status
HTMX = {"HX-Request": "true", "HX-Target": "case"}


def queue_block(html: str, key: str) -> str:
    start = html.index(f'id="q-{key}"')
    return html[start : html.index("</section>", start)]


def codes(html: str) -> list[str]:
    """The tracking codes a list shows, in order (each case is one link)."""
    return re.findall(r'<span class="mono">([^<]+)</span>', html)


def test_the_leader_sees_an_owned_open_case_to_instruct_until_they_instruct(client, login, seed):
    def build(world):
        owned = make_case(world, S.ASSIGNED, owner_leader=world.leader)
        others = [
            make_case(world, S.ASSIGNED),  # nobody owns it
            make_case(world, S.CLOSED, owner_leader=world.leader),  # done with
        ]
        return owned.id, owned.tracking_code, [c.tracking_code for c in others]

    case_id, code, others = seed(build)
    login("leader")
    block = queue_block(client.get("/staff/work/").get_data(as_text=True), "instruct")
    assert "待批示" in block and codes(block) == [code]

    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    version = re.search(r'name="instruct-version"[^>]*value="(\d+)"', page).group(1)
    response = client.post(
        f"/staff/cases/{case_id}/actions/instruct",
        headers=HTMX,
        data={"instruct-version": version, "instruct-text": "请依法依规尽快解决"},
    )
    assert response.status_code == 200

    block = queue_block(client.get("/staff/work/").get_data(as_text=True), "instruct")
    assert codes(block) == [] and "暂无" in block
    assert not set(others) & set(codes(block))


def test_a_long_queue_shows_its_most_urgent_cases_and_pages_through_the_rest(client, login, seed):
    count = PER_PAGE + 3
    all_codes = seed(lambda world: [make_case(world, S.REGISTERED, commit=False).tracking_code for _ in range(count)])
    login("clerk")

    block = queue_block(client.get("/staff/work/").get_data(as_text=True), "decide")
    shown = codes(block)
    assert len(shown) == SHOWN
    link = re.search(r'<a href="([^"]+)">查看全部 (\d+) 件', block)
    assert link and link.group(1) == "/staff/work/decide" and int(link.group(2)) == count

    first = client.get(link.group(1)).get_data(as_text=True)
    second = client.get(link.group(1) + "?page=2").get_data(as_text=True)

    on_first, on_second = codes(queue_block(first, "decide")), codes(queue_block(second, "decide"))
    assert on_first[:SHOWN] == shown  # the same order: most urgent first
    assert len(on_first) == PER_PAGE and len(on_second) == count - PER_PAGE
    assert sorted(on_first + on_second) == sorted(all_codes)
    assert 'href="/staff/work/decide?page=2"' in first and 'href="/staff/work/decide?page=1"' in second


def test_a_short_queue_has_no_link_to_all(client, login, seed):
    seed(lambda world: make_case(world, S.REGISTERED).id)
    login("clerk")

    block = queue_block(client.get("/staff/work/").get_data(as_text=True), "decide")

    assert len(codes(block)) == 1 and "查看全部" not in block


@pytest.mark.parametrize(
    "key, queue",
    [
        ("clerk", "no_such_queue"),
        ("clerk", "sign"),  # a department head's queue
        ("handler", "instruct"),  # a leader's
        ("leader", "decide"),  # the petition office's
    ],
)
def test_a_queue_that_is_not_the_persons_is_404(client, login, key, queue):
    login(key)

    assert client.get(f"/staff/work/{queue}").status_code == 404


@pytest.mark.parametrize("key", ["admin", "auditor"])
@pytest.mark.parametrize("path", ["/staff/work/", "/staff/work/decide", "/staff/work/decide?page=2"])
def test_roles_that_never_work_cases_get_403_on_every_queue(client, login, key, path):
    login(key)

    assert client.get(path).status_code == 403
