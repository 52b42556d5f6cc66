"""Categories and checklist templates on the system administrator's pages: create, rename, deactivate; items with
their ``mirrors``, order and removal; a case assigned afterwards gets the items as they are now."""

from __future__ import annotations

from portal.cases.models import Category, ChecklistTemplate, Status
from portal.extensions import db
from tests import factories
from tests.administration.conftest import actions


def _categories(app) -> dict[str, bool]:
    with app.app_context():
        return {c.name: c.active for c in db.session.execute(db.select(Category)).scalars()}


def test_create_rename_and_deactivate_a_category(app, client, login):
    login("admin")

    assert client.post("/staff/admin/categories/", data={"name": "征地拆迁"}).status_code == 303
    with app.app_context():
        category_id = db.session.execute(db.select(Category.id)).scalar_one()
    assert client.post(f"/staff/admin/categories/{category_id}", data={"name": "征地补偿"}).status_code == 303

    assert _categories(app) == {"征地补偿": False}  # the box left unticked: deactivated
    assert [r.action for r in actions(app, "category.")] == ["category.create", "category.update"]


def test_a_duplicate_category_is_refused(app, client, login):
    login("admin")
    client.post("/staff/admin/categories/", data={"name": "劳动社保"})

    response = client.post("/staff/admin/categories/", data={"name": "劳动社保"})

    assert response.status_code == 422
    assert "已有名为“劳动社保”的分类" in response.get_data(as_text=True)


def test_a_deactivated_category_is_not_offered_to_the_public(app, client, login, auth):
    login("admin")
    client.post("/staff/admin/categories/", data={"name": "旧分类"})
    with app.app_context():
        category_id = db.session.execute(db.select(Category.id)).scalar_one()
    client.post(f"/staff/admin/categories/{category_id}", data={"name": "旧分类"})
    auth.logout()

    assert "旧分类" not in client.get("/submit").get_data(as_text=True)


def _template(app, name: str) -> ChecklistTemplate:
    with app.app_context():
        template = db.session.execute(db.select(ChecklistTemplate).filter_by(name=name)).scalar_one()
        template.items  # noqa: B018
        db.session.expunge_all()
        return template


def test_a_template_with_items_and_mirrors_is_given_to_cases_assigned_afterwards(app, client, login, seed):
    login("admin")
    response = client.post("/staff/admin/checklists/", data={"name": "检举控告件清单", "case_type": "accusation"})
    assert response.status_code == 303
    template = _template(app, "检举控告件清单")
    url = f"/staff/admin/checklists/{template.id}/items"
    client.post(url, data={"label": "线索初步核实", "required": "y"})
    client.post(url, data={"label": "书面答复", "required": "y", "mirrors": "publish"})
    client.post(url, data={"label": "回访", "mirrors": "follow_up"})
    template = _template(app, "检举控告件清单")
    first, _, third = template.items
    client.post(f"/staff/admin/checklists/items/{third.id}/up")
    client.post(f"/staff/admin/checklists/items/{first.id}", data={"label": "线索核实", "required": "y"})

    template = _template(app, "检举控告件清单")
    assert [(i.label, i.required, i.mirrors) for i in template.items] == [
        ("线索核实", True, None),
        ("回访", False, "follow_up"),
        ("书面答复", True, "publish"),
    ]

    def assigned(world):
        case = factories.make_case(world, Status.ASSIGNED, case_type=factories.CaseType.ACCUSATION, commit=False)
        return [(i.label, i.mirrors) for i in case.checklist[-3:]]  # after the world's own 办理步骤

    assert seed(assigned) == [("线索核实", None), ("回访", "follow_up"), ("书面答复", "publish")]
    assert {r.action for r in actions(app, "checklist.")} >= {
        "checklist.create",
        "checklist.item_add",
        "checklist.item_move",
        "checklist.item_update",
    }


def test_an_unknown_mirror_or_a_duplicate_item_is_refused(app, client, login):
    login("admin")
    client.post("/staff/admin/checklists/", data={"name": "清单"})
    template = _template(app, "清单")
    url = f"/staff/admin/checklists/{template.id}/items"
    client.post(url, data={"label": "调查核实", "required": "y"})

    assert client.post(url, data={"label": "调查核实"}).status_code == 422
    assert client.post(url, data={"label": "删库", "mirrors": "mark_off; drop"}).status_code == 422
    assert [i.label for i in _template(app, "清单").items] == ["调查核实"]


def test_remove_an_item_and_delete_a_template(app, client, login):
    login("admin")
    client.post("/staff/admin/checklists/", data={"name": "临时清单"})
    template = _template(app, "临时清单")
    client.post(f"/staff/admin/checklists/{template.id}/items", data={"label": "甲"})
    client.post(f"/staff/admin/checklists/{template.id}/items", data={"label": "乙"})
    first = _template(app, "临时清单").items[0]

    client.post(f"/staff/admin/checklists/items/{first.id}/delete")
    assert [(i.label, i.position) for i in _template(app, "临时清单").items] == [("乙", 1)]

    assert client.post(f"/staff/admin/checklists/{template.id}/delete").status_code == 303
    with app.app_context():
        assert db.session.execute(db.select(ChecklistTemplate).filter_by(name="临时清单")).first() is None
