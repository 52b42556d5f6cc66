"""The department tree on the system administrator's pages: create, rename, move, level and kind, deactivate; a
department with users or cases is never deleted; every change audited."""

from __future__ import annotations

from portal.cases.models import Status
from portal.extensions import db
from portal.org.models import Department, Kind, Level
from tests.administration.conftest import actions


def _department(app, name: str) -> Department | None:
    with app.app_context():
        found = db.session.execute(db.select(Department).filter_by(name=name)).scalar_one_or_none()
        if found is not None:
            found.parent  # noqa: B018
            db.session.expunge(found)
        return found


def _form(name, parent="", level="county", kind="functional", active=True) -> dict:
    data = {"name": name, "parent": str(parent), "level": level, "kind": kind}
    if active:
        data["active"] = "y"
    return data


def test_create_a_department_under_a_parent_audited(app, client, login, staff):
    login("admin")

    response = client.post(
        "/staff/admin/departments/", data=_form("城关镇人民政府", staff["dept:housing"], "township", "local")
    )

    assert response.status_code == 303
    created = _department(app, "城关镇人民政府")
    assert (created.level, created.kind, created.parent_id) == (Level.TOWNSHIP, Kind.LOCAL, staff["dept:housing"])
    [row] = actions(app, "department.create")
    assert row.detail["parent"] == "县住房和城乡建设局"
    assert "城关镇人民政府" in client.get("/staff/admin/departments/").get_data(as_text=True)


def test_a_duplicate_name_or_a_higher_level_under_a_lower_one_is_refused(app, client, login, staff):
    login("admin")
    client.post("/staff/admin/departments/", data=_form("南湖村村民委员会", staff["dept:housing"], "village", "local"))
    village = _department(app, "南湖村村民委员会")

    duplicate = client.post("/staff/admin/departments/", data=_form("县住房和城乡建设局"))
    upside_down = client.post("/staff/admin/departments/", data=_form("县某局", village.id, "county"))

    assert duplicate.status_code == 422 and "已有名为“县住房和城乡建设局”的单位" in duplicate.get_data(as_text=True)
    assert upside_down.status_code == 422
    assert "县级单位不能隶属于村（社区）单位" in upside_down.get_data(as_text=True)
    assert _department(app, "县某局") is None


def test_rename_move_and_deactivate(app, client, login, staff):
    login("admin")
    housing = staff["dept:housing"]

    response = client.post(
        f"/staff/admin/departments/{housing}",
        data=_form("县住房和城乡建设局（人防办）", staff["dept:office"], active=False),
    )

    assert response.status_code == 303
    moved = _department(app, "县住房和城乡建设局（人防办）")
    assert moved.parent_id == staff["dept:office"]
    assert moved.active is False
    [row] = actions(app, "department.update")
    assert row.detail["name"] == "县住房和城乡建设局 → 县住房和城乡建设局（人防办）"
    assert row.detail["active"] == "True → False"


def test_a_department_cannot_move_under_its_own_child(app, client, login, staff):
    login("admin")
    office = staff["dept:office"]
    client.post("/staff/admin/departments/", data=_form("来访接待科", office, kind="petition_office"))
    child = _department(app, "来访接待科")

    response = client.post(
        f"/staff/admin/departments/{office}", data=_form("县信访局", child.id, kind="petition_office")
    )

    assert response.status_code == 422
    assert "是“县信访局”的下级单位" in response.get_data(as_text=True)
    assert _department(app, "县信访局").parent_id is None


def test_a_department_with_users_is_never_deleted_one_made_by_mistake_is(app, client, login, staff):
    login("admin")
    housing = staff["dept:housing"]
    page = client.get(f"/staff/admin/departments/{housing}").get_data(as_text=True)
    assert "不能删除" in page and "删除该单位" not in page

    refused = client.post(f"/staff/admin/departments/{housing}/delete")

    assert refused.status_code == 303
    assert _department(app, "县住房和城乡建设局") is not None
    client.post("/staff/admin/departments/", data=_form("误建的单位"))
    mistake = _department(app, "误建的单位")
    assert client.post(f"/staff/admin/departments/{mistake.id}/delete").status_code == 303
    assert _department(app, "误建的单位") is None
    assert [r.detail["name"] for r in actions(app, "department.delete")] == ["误建的单位"]


def test_a_department_with_cases_is_never_deleted(app, client, login, seed):
    from tests import factories

    def setup(world):
        department = factories.department("县交通运输局", Kind.FUNCTIONAL)
        factories.make_case(world, Status.ASSIGNED, department=department, commit=False)
        return department.id

    department_id = seed(setup)
    login("admin")

    client.post(f"/staff/admin/departments/{department_id}/delete")

    assert _department(app, "县交通运输局") is not None


def test_nonsense_in_the_form_is_a_422_not_a_500(client, login, staff):
    login("admin")
    for data in (
        {"name": "x", "level": "planet", "kind": "functional"},
        {"name": "x", "level": "county", "kind": "functional", "parent": "999999999999"},
        {"name": "坏\x00名", "level": "county", "kind": "functional"},
        {},
    ):
        assert client.post("/staff/admin/departments/", data=data).status_code == 422, data
    assert client.get("/staff/admin/departments/999999").status_code == 404


def test_the_new_department_form_starts_at_the_petition_offices_level_as_a_functional_department(app, client, login):
    import re

    login("admin")
    page = client.get("/staff/admin/departments/").get_data(as_text=True)
    level = re.search(r'<select[^>]*name="level".*?</select>', page, re.S).group(0)
    kind = re.search(r'<select[^>]*name="kind".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="county">|<option value="county" selected>', level)
    assert re.search(r'<option selected value="functional">|<option value="functional" selected>', kind)
