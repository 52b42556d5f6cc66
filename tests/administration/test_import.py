"""Departments and accounts from Excel: the dry run lists every problem by row and writes nothing; apply writes every
row or none; the export has the template's format, text stays text, and an export imports back to the same tree."""

from __future__ import annotations

import base64
import re
from io import BytesIO

from portal.accounts.models import Role, User
from portal.administration import workbooks
from portal.extensions import db
from portal.org.models import Department, Kind, Level
from tests.administration.conftest import actions, sheet_rows, xlsx

DEPT_HEADERS = ["单位名称", "上级单位", "层级", "类型", "启用"]
USER_HEADERS = ["用户名", "姓名", "职务", "单位", "角色", "初始密码"]
STRONG = "Qiang-Mima-2026!"


def upload(client, kind: str, data: bytes):
    return client.post(
        f"/staff/admin/{kind}/import",
        data={"file": (BytesIO(data), "导入.xlsx")},
        content_type="multipart/form-data",
    )


def problems(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td>(第\d+行|文件)</td><td>([^<]*)</td></tr>", html)


def confirm_data(html: str) -> str:
    return re.search(r'name="workbook" type="hidden" value="([^"]+)"', html).group(1)


def _names(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(db.select(Department.name)).scalars())


# --- departments ---------------------------------------------------------------------------------------------
def test_the_dry_run_lists_every_problem_by_row_and_writes_nothing(app, client, login):
    login("admin")
    before = _names(app)
    data = xlsx(
        DEPT_HEADERS,
        [
            ["县政府", "", "县级", "领导机关", "是"],
            ["县教育局", "县政府", "县级", "职能部门", ""],
            ["县教育局", "县政府", "县级", "职能部门", ""],
            ["城关镇", "县不存在局", "乡镇", "属地", ""],
            ["南湖村", "城关镇", "星球", "属地", ""],
            ["县某局", "县政府", "县级", "外星部门", "也许"],
            ["青石村", "县信访局", "村", "村", ""],
            ["县大局", "青石村", "县级", "职能部门", ""],
        ],
    )

    response = upload(client, "departments", data)

    assert response.status_code == 422
    found = problems(response.get_data(as_text=True))
    assert ("第4行", "单位名称“县教育局”与第3行重复。") in found
    assert ("第5行", "上级单位“县不存在局”不存在（本表和系统中都没有）。") in found
    assert any(row == "第6行" and message.startswith("层级“星球”无法识别") for row, message in found)
    assert any(row == "第7行" and message.startswith("类型“外星部门”无法识别") for row, message in found)
    assert ("第7行", "启用“也许”无法识别，应为“是”或“否”。") in found
    assert ("第9行", "县级单位不能隶属于村（社区）单位“青石村”。") in found
    assert not any(row in ("第2行", "第3行", "第8行") for row, _ in found)
    assert "未导入任何数据" in response.get_data(as_text=True)
    assert 'name="workbook"' not in response.get_data(as_text=True)  # nothing to confirm
    assert _names(app) == before


def test_a_clean_file_is_checked_then_applied_and_audited(app, client, login):
    login("admin")
    data = xlsx(
        DEPT_HEADERS,
        [
            ["城关镇人民政府", "县政府", "乡镇", "乡镇", ""],  # the parent comes later in the file
            ["县政府", "", "县", "领导机关", "是"],
            ["东关社区居民委员会", "城关镇人民政府", "村（社区）", "属地", "否"],
            ["县住房和城乡建设局", "县政府", "县级", "职能部门", "是"],  # exists: moved under 县政府
        ],
    )

    checked = upload(client, "departments", data)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "检查通过：4 行" in html
    assert _names(app) == {"县信访局", "县纪委监委", "县住房和城乡建设局", "县人力资源和社会保障局"}

    applied = client.post("/staff/admin/departments/import/apply", data={"workbook": confirm_data(html)})

    assert applied.status_code == 303
    with app.app_context():
        by_name = {d.name: d for d in db.session.execute(db.select(Department)).scalars()}
        assert by_name["城关镇人民政府"].parent.name == "县政府"
        assert (by_name["城关镇人民政府"].level, by_name["城关镇人民政府"].kind) == (Level.TOWNSHIP, Kind.LOCAL)
        assert by_name["东关社区居民委员会"].active is False
        assert by_name["县住房和城乡建设局"].parent.name == "县政府"
    assert len(actions(app, "department.create")) == 3
    assert len(actions(app, "department.update")) == 1
    [summary] = actions(app, "department.import")
    assert (summary.detail["created"], summary.detail["changed"]) == (3, 1)


def test_apply_checks_again_and_writes_nothing_when_any_row_is_wrong(app, client, login):
    login("admin")
    before = _names(app)
    # A confirmation made up by hand (never checked): the apply runs the same checks and writes no row at all.
    data = xlsx(DEPT_HEADERS, [["县甲局", "", "县级", "职能部门", ""], ["县乙局", "没有这个", "县级", "职能部门", ""]])

    response = client.post("/staff/admin/departments/import/apply", data={"workbook": base64.b64encode(data).decode()})

    assert response.status_code == 422
    assert "未导入任何单位" in response.get_data(as_text=True)
    assert _names(app) == before
    assert actions(app, "department.") == []


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_one_clear_problem(client, login):
    login("admin")

    for data, message in (
        (b"PK\x03\x04 not really a zip", "无法读取该文件"),
        (b"", "请选择要导入的 Excel 文件"),
        (xlsx(["名称", "上级"], [["县甲局", ""]]), "第1行缺少列：单位名称、上级单位、层级、类型、启用"),
        (xlsx(DEPT_HEADERS, []), "文件中没有要导入的行"),
    ):
        response = upload(client, "departments", data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), message
    garbled = client.post("/staff/admin/departments/import/apply", data={"workbook": "%%%not base64"})
    assert garbled.status_code == 422


def test_the_template_offers_the_columns_and_the_allowed_values(client, login):
    login("admin")

    response = client.get("/staff/admin/departments/template.xlsx")

    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet_rows(response.data) == [DEPT_HEADERS]
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(response.data))
    assert "说明" in wb.sheetnames
    formulas = [v.formula1 for v in wb.worksheets[0].data_validations.dataValidation]
    assert any("乡镇（街道）" in f for f in formulas)


def test_the_export_imports_back_into_an_empty_tree_unchanged(app, client, login, seed):
    def more(world):
        from tests import factories

        town = factories.department("城关镇人民政府", Kind.LOCAL, Level.TOWNSHIP, parent=world.housing)
        village = factories.department("南湖村村民委员会", Kind.LOCAL, Level.VILLAGE, parent=town)
        village.active = False

    seed(more)
    login("admin")
    exported = client.get("/staff/admin/departments/export.xlsx").data
    rows = sheet_rows(exported)
    assert rows[0] == DEPT_HEADERS
    with app.app_context():
        tree = {
            d.name: (d.parent.name if d.parent else "", d.level, d.kind, d.active)
            for d in db.session.execute(db.select(Department)).scalars()
        }
        # An empty tree beside it: the same import into it must rebuild the same tree.
        for d in db.session.execute(db.select(Department)).scalars():
            d.name = "旧-" + d.name
        db.session.commit()

    html = upload(client, "departments", exported).get_data(as_text=True)
    assert (
        client.post("/staff/admin/departments/import/apply", data={"workbook": confirm_data(html)}).status_code == 303
    )

    with app.app_context():
        rebuilt = {
            d.name: (d.parent.name if d.parent else "", d.level, d.kind, d.active)
            for d in db.session.execute(db.select(Department)).scalars()
            if not d.name.startswith("旧-")
        }
    assert rebuilt == tree
    # Exported again, nothing changes.
    html = upload(client, "departments", client.get("/staff/admin/departments/export.xlsx").data).get_data(as_text=True)
    assert "检查通过" in html


def test_text_that_looks_like_a_formula_is_exported_as_text(app, client, login, seed):
    seed(lambda w: setattr(w.housing, "name", '=HYPERLINK("http://evil")'))
    login("admin")

    data = client.get("/staff/admin/departments/export.xlsx").data

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(data)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


# --- accounts (the security administrator) -------------------------------------------------------------------
def test_the_accounts_dry_run_lists_every_problem_by_row(app, client, as_security_admin):
    data = xlsx(
        USER_HEADERS,
        [
            ["zhangsan", "张三", "科员", "县住房和城乡建设局", "承办人", ""],
            ["zhangsan", "张三二", "", "县住房和城乡建设局", "承办人", ""],
            ["clerk", "重名", "", "县信访局", "信访登记员", ""],
            ["lisi", "李四", "", "县不存在局", "承办人", ""],
            ["wangwu", "王五", "", "县信访局", "厨师", ""],
            ["zhaoliu", "赵六", "", "县信访局", "系统管理员、信访登记员", ""],
            ["sunqi", "孙七", "", "县信访局", "信访登记员", "123456"],
            ["坏 名字", "", "", "", "", ""],
        ],
    )

    response = upload(client, "users", data)

    assert response.status_code == 422
    found = problems(response.get_data(as_text=True))
    rows = {row for row, _ in found}
    assert "第2行" not in rows
    assert ("第3行", "用户名“zhangsan”与第2行重复。") in found
    assert ("第4行", "用户名“clerk”已存在。") in found
    assert ("第5行", "单位“县不存在局”不存在，请先导入或新建该单位。") in found
    assert any(row == "第6行" and m.startswith("角色“厨师”无法识别") for row, m in found)
    assert any(row == "第7行" and "三员分立" in m for row, m in found)
    assert any(row == "第8行" and m.startswith("初始密码：") for row, m in found)
    assert {"第9行"} <= rows and sum(row == "第9行" for row, _ in found) >= 4  # username, name, unit, role
    with app.app_context():
        assert db.session.execute(db.select(User).filter_by(username="zhangsan")).first() is None


def test_accounts_are_created_through_the_security_service_with_temporary_passwords_shown_once(
    app, client, as_security_admin
):
    data = xlsx(
        USER_HEADERS,
        [
            ["zhangsan", "张三", "科员", "县住房和城乡建设局", "承办人", ""],
            ["lisi", "李四", "局长", "县住房和城乡建设局", "责任单位负责人、领导", STRONG],
        ],
    )
    html = upload(client, "users", data).get_data(as_text=True)
    assert "检查通过：2 行" in html

    response = client.post("/staff/admin/users/import/apply", data={"workbook": confirm_data(html)})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    temporary = re.search(r'<td class="mono">([A-Za-z0-9-]{14})</td>', page).group(1)
    assert STRONG not in page
    with app.app_context():
        zhang = db.session.execute(db.select(User).filter_by(username="zhangsan")).scalar_one()
        li = db.session.execute(db.select(User).filter_by(username="lisi")).scalar_one()
        assert zhang.check_password(temporary) and li.check_password(STRONG)
        assert zhang.must_change_password and li.must_change_password
        assert li.roles == {Role.DEPT_HEAD, Role.LEADER}
    created = [r for r in actions(app, "user.create") if r.detail["username"] in ("zhangsan", "lisi")]
    assert [r.actor_name for r in created] == ["周安全（security）"] * 2
    assert len(actions(app, "user.import")) == 1


def test_one_bad_account_means_no_account_is_created(app, client, as_security_admin):
    data = xlsx(
        USER_HEADERS,
        [["zhangsan", "张三", "", "县住房和城乡建设局", "承办人", ""], ["x", "短", "", "县信访局", "承办人", ""]],
    )

    response = client.post("/staff/admin/users/import/apply", data={"workbook": base64.b64encode(data).decode()})

    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(db.select(User).filter_by(username="zhangsan")).first() is None


def test_the_accounts_export_has_the_import_format_and_no_passwords(client, as_security_admin):
    rows = sheet_rows(client.get("/staff/admin/users/export.xlsx").data)

    assert rows[0] == USER_HEADERS
    by_username = {row[0]: row for row in rows[1:]}
    assert by_username["housing_handler"][1:5] == ["吴承办", "科员", "县住房和城乡建设局", "承办人"]
    assert all(row[5] is None for row in rows[1:])


def test_an_exported_account_list_imports_into_another_installation(app, client, as_security_admin):
    exported = client.get("/staff/admin/users/export.xlsx").data
    with app.app_context():
        for user in db.session.execute(db.select(User)).scalars():
            user.username = "old-" + user.username
        db.session.commit()

    html = upload(client, "users", exported).get_data(as_text=True)

    assert "检查通过" in html, problems(html)
    assert client.post("/staff/admin/users/import/apply", data={"workbook": confirm_data(html)}).status_code == 200
    with app.app_context():
        handler = db.session.execute(db.select(User).filter_by(username="housing_handler")).scalar_one()
        assert (handler.name, handler.department.name, handler.roles) == (
            "吴承办",
            "县住房和城乡建设局",
            {Role.HANDLER},
        )


def test_the_apply_service_refuses_the_system_administrator(ctx, world):
    import pytest

    from portal.errors import NotAllowed

    data = xlsx(USER_HEADERS, [["zhangsan", "张三", "", "县信访局", "信访登记员", ""]])
    with pytest.raises(NotAllowed):
        workbooks.apply_users(data, world.admin)
    with pytest.raises(NotAllowed):
        workbooks.apply_departments(xlsx(DEPT_HEADERS, [["县甲局", "", "县级", "职能部门", ""]]), world.clerk)
