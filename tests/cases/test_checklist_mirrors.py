"""The checklist on the case page: items that stand for an event (署名, 书面答复, 回访) are ticked by that event and
never by hand, 五包 items only by the owner leader, every button says what it ticks, an htmx tick redraws the 销号
hint, and a draft sent back is reworked from its last text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.cases import services
from portal.cases.models import Case, ChecklistTemplate, ChecklistTemplateItem, Status
from portal.extensions import db
from tests.factories import FIVE_BAO, make_case

S = Status
HTMX = {"HX-Request": "true", "HX-Target": "case"}
SIGN_ITEM = "领导审签"
DRAFT_TEXT = "经调查，责令物业公司限期修复电梯。"  # what make_case drafts


class Page(HTMLParser):
    """What assistive technology reads of a page's buttons (their text without aria-hidden parts), and the text of
    its textareas by name."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.buttons: list[str] = []
        self.textareas: dict[str, str] = {}
        self._button: list[str] | None = None
        self._hidden: list[bool] = []  # per open element inside the button: is it aria-hidden?
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "button":
            self._button, self._hidden = [], []
        elif self._button is not None:
            self._hidden.append(a.get("aria-hidden") == "true")
        if tag == "textarea":
            self._textarea = a.get("name")
            self.textareas[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.buttons.append(" ".join("".join(self._button).split()))
            self._button = None
        elif self._button is not None and self._hidden:
            self._hidden.pop()
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._button is not None and not any(self._hidden):
            self._button.append(data)
        if self._textarea:
            self.textareas[self._textarea] += data

    def textarea(self, name: str) -> str:
        return self.textareas[name].removeprefix("\r\n").removeprefix("\n")  # a browser drops the first newline


def item_of(app, case_id: int, label: str) -> dict:
    """A checklist item as stored: who ticked it and by which event."""
    with app.app_context():
        item = next(i for i in db.session.get(Case, case_id).checklist if i.label == label)
        event = item.done_event
        return {
            "done": item.done,
            "by": item.done_by_id,
            "event": (event.action, event.actor_id) if event else None,
            "id": item.id,
        }


def tick_url(html: str, label: str) -> str:
    for form in re.findall(r"<form[^>]*/checklist/.*?</form>", html, re.DOTALL):
        if f"：{label}<" in form:
            return re.search(r'action="([^"]+)"', form).group(1)
    raise AssertionError(f"no tick button for {label}")


def post_offered(client, case_id: int, name: str, data: dict | None = None):
    """Post the action form the page offers, with its version."""
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    version = re.search(rf'name="{name}-version"[^>]*value="(\d+)"', html)
    assert version, f"{name} is not offered"
    payload = {f"{name}-version": version.group(1)} | {f"{name}-{k}": v for k, v in (data or {}).items()}
    return client.post(f"/staff/cases/{case_id}/actions/{name}", headers=HTMX, data=payload)


def with_sign_item(world) -> None:
    """A checklist template with an item the department head's signature stands for."""
    db.session.add(
        ChecklistTemplate(
            name="审签", items=[ChecklistTemplateItem(position=1, label=SIGN_ITEM, required=True, mirrors="sign")]
        )
    )
    db.session.flush()


# --- events tick their items ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, key, name, data, label",
    [
        (S.AWAITING_SIGNATURE, "dept_head", "sign", {}, SIGN_ITEM),
        (S.AWAITING_VERIFICATION, "clerk", "publish", {"method": "in_person"}, "书面答复"),
        (S.REPLIED, "clerk", "follow_up", {"method": "电话", "notes": "信访人表示满意"}, "回访"),
    ],
)
def test_an_event_ticks_the_item_it_stands_for_attributed_to_its_actor_and_event(
    app, client, login, seed, staff, status, key, name, data, label
):
    def build(world):
        with_sign_item(world)
        return make_case(world, status).id

    case_id = seed(build)
    assert not item_of(app, case_id, label)["done"]
    login(key)

    response = post_offered(client, case_id, name, data)

    assert response.status_code == 200, response.get_data(as_text=True)
    item = item_of(app, case_id, label)
    assert item["done"] and item["by"] == staff[key].id
    assert item["event"] == (name, staff[key].id)
    assert "自动勾销" in response.get_data(as_text=True)  # the page says which event ticked it


@pytest.mark.parametrize("label, action", [("书面答复", "审核通过并送达"), ("回访", "记录回访")])
def test_an_item_an_event_ticks_has_no_button_and_cannot_be_ticked_by_hand(app, client, login, seed, label, action):
    case_id = seed(lambda world: make_case(world, S.ASSIGNED).id)
    login("clerk")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f"勾销：{label}" not in Page(html).buttons
    version = re.search(r'name="version" value="(\d+)"', html).group(1)

    response = client.post(
        f"/staff/cases/{case_id}/checklist/{item_of(app, case_id, label)['id']}",
        headers=HTMX,
        data={"version": version, "done": "1"},
    )

    assert response.status_code == 422
    assert f"该事项在“{action}”后自动勾销，无需手动勾销。" in response.get_data(as_text=True)
    assert not item_of(app, case_id, label)["done"]


# --- 五包: the owner leader's own ------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["clerk", "handler", "dept_head"])
def test_a_five_guarantees_item_cannot_be_ticked_by_anyone_but_the_owner_leader(app, client, login, seed, key):
    case_id = seed(lambda world: make_case(world, S.IN_PROGRESS, owner_leader=world.leader).id)
    label = FIVE_BAO[0][0]
    login(key)
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f"勾销：{label}" not in Page(html).buttons and "（由包案领导勾销）" in html

    response = client.post(
        f"/staff/cases/{case_id}/checklist/{item_of(app, case_id, label)['id']}", headers=HTMX, data={"done": "1"}
    )

    assert response.status_code == 403
    assert "“五包”事项只能由包案领导勾销。" in response.get_data(as_text=True)
    assert not item_of(app, case_id, label)["done"]


def test_the_owner_leader_ticks_the_five_guarantees_and_only_them(app, client, login, seed, staff):
    case_id = seed(lambda world: make_case(world, S.IN_PROGRESS, owner_leader=world.leader).id)
    login("leader")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    buttons = [b for b in Page(html).buttons if b.startswith("勾销：")]
    assert buttons == [f"勾销：{label}" for label, _ in FIVE_BAO]

    response = client.post(tick_url(html, FIVE_BAO[0][0]), headers=HTMX, data={"done": "1"})

    assert response.status_code == 200
    item = item_of(app, case_id, FIVE_BAO[0][0])
    assert item["done"] and item["by"] == staff["leader"].id and item["event"] is None


# --- the buttons and the 销号 hint -------------------------------------------------------------------------------
def test_each_tick_button_is_named_after_what_it_ticks_or_takes_back(client, login, seed):
    case_id = seed(lambda world: make_case(world, S.IN_PROGRESS).id)
    login("handler")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert {"勾销：调查核实", "勾销：形成处理意见"} <= set(Page(html).buttons)

    ticked = client.post(tick_url(html, "调查核实"), headers=HTMX, data={"done": "1"}).get_data(as_text=True)

    assert "撤销勾销：调查核实" in Page(ticked).buttons and "勾销：调查核实" not in Page(ticked).buttons
    assert "勾销：形成处理意见" in Page(ticked).buttons


def test_an_htmx_tick_redraws_the_mark_off_hint_without_the_ticked_item(client, login, seed):
    case_id = seed(lambda world: make_case(world, S.REPLIED).id)
    login("clerk")
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    hint = re.search(r'<p[^>]*id="mark-off-blockers".*?</p>', html, re.DOTALL).group(0)
    assert "清单事项未勾销：调查核实、形成处理意见" in hint

    response = client.post(tick_url(html, "调查核实"), headers=HTMX, data={"done": "1"})

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    hint = re.search(r'<p[^>]*id="mark-off-blockers".*?</p>', fragment, re.DOTALL).group(0)
    assert "清单事项未勾销：形成处理意见" in hint and "调查核实" not in hint


# --- a redraft starts from the last draft ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, key, name",
    [(S.AWAITING_SIGNATURE, "dept_head", "return_draft"), (S.AWAITING_VERIFICATION, "clerk", "send_back")],
)
def test_a_draft_sent_back_is_reworked_from_its_last_text(app, client, login, seed, status, key, name):
    case_id = seed(lambda world: make_case(world, status).id)
    login(key)
    assert post_offered(client, case_id, name, {"comment": "请补充整改期限"}).status_code == 200

    login("handler")
    page = Page(client.get(f"/staff/cases/{case_id}").get_data(as_text=True))

    assert page.textarea("draft-text") == DRAFT_TEXT
    assert page.textarea("draft-legal_basis") == "《物业管理条例》"
    with app.app_context():
        assert db.session.get(Case, case_id).status is S.IN_PROGRESS


def test_a_first_draft_starts_empty(client, login, seed):
    case_id = seed(lambda world: make_case(world, S.IN_PROGRESS).id)
    login("handler")

    page = Page(client.get(f"/staff/cases/{case_id}").get_data(as_text=True))

    assert page.textarea("draft-text") == ""


def test_a_rehandled_case_is_redrafted_from_the_signed_text(app, client, login, seed):
    """退回 by the leader's 批示重办 too: the rework starts from what was signed."""

    def build(world):
        case = make_case(world, S.AWAITING_VERIFICATION)
        services.rehandle(case, world.leader, text="请补充整改期限后重新答复")
        return case.id

    case_id = seed(build)
    login("handler")

    page = Page(client.get(f"/staff/cases/{case_id}").get_data(as_text=True))

    assert page.textarea("draft-text") == DRAFT_TEXT
