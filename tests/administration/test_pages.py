"""Who may open the system administrator's pages: the 系统管理员 only (403 for every other role, the security
administrator included); the accounts' import only for the security administrator (403 for the 系统管理员)."""

from __future__ import annotations

import pytest

from portal.cases.models import Category, ChecklistTemplate
from portal.extensions import db
from portal.org.models import Department

OTHER_ROLES = ["clerk", "leader", "dept_head", "handler", "supervisor", "auditor"]


def admin_pages(app, staff) -> list[tuple[str, str]]:
    with app.app_context():
        template = db.session.execute(db.select(ChecklistTemplate).limit(1)).scalar_one()
        item = template.items[0]
        category = Category(name="征地拆迁")
        db.session.add(category)
        db.session.commit()
        ids = template.id, item.id, category.id
    template_id, item_id, category_id = ids
    housing = staff["dept:housing"]
    return [
        ("GET", "/staff/admin/"),
        ("GET", "/staff/admin/departments/"),
        ("POST", "/staff/admin/departments/"),
        ("GET", f"/staff/admin/departments/{housing}"),
        ("POST", f"/staff/admin/departments/{housing}"),
        ("POST", f"/staff/admin/departments/{housing}/delete"),
        ("GET", "/staff/admin/departments/import"),
        ("POST", "/staff/admin/departments/import"),
        ("POST", "/staff/admin/departments/import/apply"),
        ("GET", "/staff/admin/departments/template.xlsx"),
        ("GET", "/staff/admin/departments/export.xlsx"),
        ("GET", "/staff/admin/categories/"),
        ("POST", "/staff/admin/categories/"),
        ("POST", f"/staff/admin/categories/{category_id}"),
        ("GET", "/staff/admin/checklists/"),
        ("POST", "/staff/admin/checklists/"),
        ("GET", f"/staff/admin/checklists/{template_id}"),
        ("POST", f"/staff/admin/checklists/{template_id}"),
        ("POST", f"/staff/admin/checklists/{template_id}/delete"),
        ("POST", f"/staff/admin/checklists/{template_id}/items"),
        ("POST", f"/staff/admin/checklists/items/{item_id}"),
        ("POST", f"/staff/admin/checklists/items/{item_id}/up"),
        ("POST", f"/staff/admin/checklists/items/{item_id}/delete"),
        ("GET", "/staff/admin/settings"),
        ("POST", "/staff/admin/settings/office_phone"),
        ("POST", "/staff/admin/settings/office_phone/reset"),
    ]


USER_PAGES = [
    ("GET", "/staff/admin/users/import"),
    ("POST", "/staff/admin/users/import"),
    ("POST", "/staff/admin/users/import/apply"),
    ("GET", "/staff/admin/users/template.xlsx"),
    ("GET", "/staff/admin/users/export.xlsx"),
]


def _state(app, staff):
    with app.app_context():
        housing = db.session.get(Department, staff["dept:housing"])
        template = db.session.execute(db.select(ChecklistTemplate).order_by(ChecklistTemplate.id)).scalars().first()
        return housing.name, housing.active, len(template.items)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_admin_page_is_403_for_other_roles_and_changes_nothing(app, client, login, staff, role):
    pages = admin_pages(app, staff)
    before = _state(app, staff)
    login(role)

    for method, url in pages:
        data = {"name": "改名", "level": "county", "kind": "functional", "value": "1", "label": "x"}
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)
    for method, url in USER_PAGES:
        assert client.open(url, method=method).status_code == 403, (method, url)
    assert _state(app, staff) == before


def test_the_security_administrator_gets_403_on_the_system_administrators_pages(app, client, staff, as_security_admin):
    for method, url in admin_pages(app, staff):
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_the_system_administrator_opens_every_page_but_not_the_accounts_import(app, client, login, staff):
    pages = admin_pages(app, staff)
    login("admin")

    for method, url in pages:
        if method == "GET":
            assert client.get(url).status_code == 200, url
    for method, url in USER_PAGES:
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_the_security_administrator_opens_the_accounts_import(client, as_security_admin):
    for method, url in USER_PAGES:
        if method == "GET":
            assert client.get(url).status_code == 200, url
    assert "Excel 导入导出" in client.get("/staff/security/accounts/").get_data(as_text=True)


def test_the_admin_pages_require_sign_in(client, staff):
    assert client.get("/staff/admin/").status_code == 302
    assert client.get("/staff/admin/users/import").status_code == 302


def test_the_navigation_shows_system_administration_to_the_admin_only(client, login, auth):
    login("admin")
    assert "系统管理" in client.get("/staff/admin/").get_data(as_text=True)
    auth.logout()
    login("clerk")
    assert "/staff/admin/" not in client.get("/staff/cases/").get_data(as_text=True)


def test_the_index_links_the_holiday_corrections(client, login):
    login("admin")
    html = client.get("/staff/admin/").get_data(as_text=True)
    assert "/staff/calendar" in html
    assert "安全管理员" in html


def test_the_system_administrator_starts_on_the_administration_page(client, login):
    login("admin")

    response = client.get("/staff/")

    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/admin/")
