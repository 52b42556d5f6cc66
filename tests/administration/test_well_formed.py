"""Every page of the area is well formed (no id twice, every <label for> names an element) — the check of
tests/test_pages_are_well_formed.py, on pages it does not reach from its start pages."""

from __future__ import annotations

from io import BytesIO

from portal.cases.models import ChecklistTemplate
from portal.extensions import db
from tests.administration.conftest import xlsx
from tests.test_pages_are_well_formed import problems_of


def test_every_admin_page_is_well_formed(app, client, login, staff):
    with app.app_context():
        template_id = db.session.execute(db.select(ChecklistTemplate.id).limit(1)).scalar_one()
    login("admin")
    pages = [
        "/staff/admin/",
        "/staff/admin/departments/",
        f"/staff/admin/departments/{staff['dept:housing']}",
        "/staff/admin/departments/import",
        "/staff/admin/categories/",
        "/staff/admin/checklists/",
        f"/staff/admin/checklists/{template_id}",
        "/staff/admin/settings",
    ]
    client.post("/staff/admin/categories/", data={"name": "劳动社保"})

    found = {url: problems_of(client.get(url).get_data(as_text=True)) for url in pages}
    checked = client.post(
        "/staff/admin/departments/import",
        data={
            "file": (
                BytesIO(
                    xlsx(["单位名称", "上级单位", "层级", "类型", "启用"], [["县甲局", "", "县级", "职能部门", ""]])
                ),
                "a.xlsx",
            )
        },
        content_type="multipart/form-data",
    )
    found["dry run"] = problems_of(checked.get_data(as_text=True))

    assert {url: p for url, p in found.items() if p} == {}
