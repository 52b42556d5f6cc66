"""The settings page: every setting with its meaning and unit, each value checked (a refused one saves nothing),
changes and resets audited, the 干部管理权限 mapping shown where it is set."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.settings.models import SPECS, get_setting
from tests.administration.conftest import actions


def _value(app, key):
    with app.app_context():
        return get_setting(key)


def test_the_page_lists_every_setting_with_its_meaning_and_unit(client, login):
    login("admin")

    html = client.get("/staff/admin/settings").get_data(as_text=True)

    for spec in SPECS.values():
        assert spec.label in html
        assert spec.meaning in html
        if spec.unit:
            assert f"单位：{spec.unit}" in html
    assert "CADRE_ORGANS" in html
    assert "安全管理员" in html  # the security settings are elsewhere


def test_a_valid_value_is_saved_and_audited(app, client, login):
    login("admin")

    response = client.post("/staff/admin/settings/max_representatives", data={"value": "3"})

    assert response.status_code == 303
    assert _value(app, "max_representatives") == 3
    [row] = actions(app, "setting.change")
    assert (row.detail["key"], row.detail["before"], row.detail["after"]) == ("max_representatives", 5, 3)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("max_representatives", "6", "不能大于5人"),
        ("max_representatives", "0", "不能小于1人"),
        ("evaluation_window_days", "三十", "应为整数"),
        ("evaluation_window_days", "99999999999999999999", "应为整数"),
        ("office_postcode", "41830", "应为6位数字"),
        ("office_email", "xfj at yunxi", "格式不正确"),
        ("office_phone", "请拨打", "格式不正确"),
        ("office_name", "", "请填写信访部门名称"),
        ("office_address", "地址\x07", "控制字符"),
    ],
)
def test_a_refused_value_saves_nothing(app, client, login, key, value, message):
    login("admin")

    response = client.post(f"/staff/admin/settings/{key}", data={"value": value})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _value(app, key) == SPECS[key].default
    assert actions(app, "setting.") == []


def test_a_contact_cleared_is_no_longer_published(app, client, login, auth):
    login("admin")
    client.post("/staff/admin/settings/office_phone", data={"value": "0745-8223110"})
    auth.logout()
    assert "0745-8223110" in client.get("/").get_data(as_text=True)
    login("admin")

    assert client.post("/staff/admin/settings/office_phone/reset").status_code == 303
    auth.logout()

    assert "0745-8223110" not in client.get("/").get_data(as_text=True)
    assert [r.action for r in actions(app, "setting.")] == ["setting.change", "setting.reset"]


def test_an_unknown_setting_is_404(client, login):
    login("admin")
    assert client.post("/staff/admin/settings/SECRET_KEY", data={"value": "x"}).status_code == 404


def test_the_service_refuses_anyone_but_the_system_administrator(ctx, world):
    from portal.errors import NotAllowed
    from portal.settings.services import change_setting

    with pytest.raises(NotAllowed):
        change_setting("office_phone", "0745-8223110", world.clerk)
    db.session.rollback()
    assert get_setting("office_phone") == ""


def test_settings_are_read_once_per_transaction_and_a_change_is_read_back_at_once(app):
    from portal.settings.services import change_setting, reset_setting

    with app.app_context():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        db.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            get_setting("max_representatives"), get_setting("office_name"), get_setting("max_representatives")
        finally:
            db.event.remove(db.engine, "before_cursor_execute", listener)
        assert len([s for s in statements if "FROM settings" in s]) == 1
        change_setting("max_representatives", "3", None)
        assert get_setting("max_representatives") == 3  # same transaction, after the flush
        db.session.commit()
        assert get_setting("max_representatives") == 3
        reset_setting("max_representatives", None)
        assert get_setting("max_representatives") == SPECS["max_representatives"].default
        db.session.rollback()
        assert get_setting("max_representatives") == 3  # the reset was rolled back: read again
