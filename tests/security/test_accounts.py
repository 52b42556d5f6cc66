"""The security administrator's pages (安全管理员): accounts list, create, roles (三员分立), disable and enable,
unlock, reset the password, sessions, the security settings — each change audited, every page 403 for other roles."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from portal.accounts.models import CASE_ROLES, SEPARATED, Role, User
from portal.accounts.services import create_user
from portal.audit.models import AuditLog
from portal.errors import DomainError
from portal.extensions import db
from portal.org.models import Department
from portal.security import services
from tests.security.conftest import audit_actions, user_state

ROLES = ["clerk", "leader", "dept_head", "handler", "supervisor", "admin", "auditor"]
STRONG = "Qiang-Mima-2026!"


def pages(user_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/staff/security/accounts/"),
        ("GET", "/staff/security/accounts/new"),
        ("POST", "/staff/security/accounts/new"),
        ("GET", f"/staff/security/accounts/{user_id}"),
        ("POST", f"/staff/security/accounts/{user_id}/roles"),
        ("POST", f"/staff/security/accounts/{user_id}/disable"),
        ("POST", f"/staff/security/accounts/{user_id}/enable"),
        ("POST", f"/staff/security/accounts/{user_id}/unlock"),
        ("POST", f"/staff/security/accounts/{user_id}/reset-password"),
        ("GET", "/staff/security/sessions/all"),
        ("GET", "/staff/security/settings"),
    ]


# --- who may open the pages --------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_security_page_is_403_for_other_roles(app, client, login, staff, role):
    login(role)
    target = staff["clerk"].id

    for method, url in pages(target):
        assert client.open(url, method=method).status_code == 403, (method, url)
    assert user_state(app, target).active


def test_the_security_administrator_opens_every_page(client, as_security_admin, staff):
    for method, url in pages(staff["clerk"].id):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_the_security_pages_require_sign_in(client, staff):
    assert client.get("/staff/security/accounts/").status_code == 302
    assert client.get("/staff/security/sessions").status_code == 302


def test_the_header_links_the_accounts_only_for_the_security_administrator(client, login, auth, security_admin):
    login("admin")
    assert "/staff/security/accounts/" not in client.get("/staff/security/sessions").get_data(as_text=True)
    auth.logout()
    auth.login(security_admin.username)
    assert "/staff/security/accounts/" in client.get("/staff/security/sessions").get_data(as_text=True)


# --- three administrators kept apart (三员分立) --------------------------------------------------------------------
@pytest.mark.parametrize(
    "roles",
    [set(pair) for pair in itertools.combinations(sorted(SEPARATED), 2)]
    + [{separated, case_role} for separated in sorted(SEPARATED) for case_role in sorted(CASE_ROLES)],
)
def test_no_account_holds_an_administrator_role_with_another_role(world, roles):
    user = User(username="x", name="x", department=world.office)
    with pytest.raises(ValueError, match="三员分立"):
        user.roles = roles
    with pytest.raises(DomainError, match="三员分立"):
        create_user(username="x2", password=STRONG, name="x", department=world.office, roles=roles)


@pytest.mark.parametrize("role", sorted(SEPARATED))
def test_each_administrator_role_alone_is_allowed(world, role):
    user = User(username="x", name="x", department=world.office)
    user.roles = {role}
    assert user.roles == {role}


def test_the_labels_of_the_three(ctx):
    assert [Role.ADMIN.label, Role.SECURITY_ADMIN.label, Role.AUDITOR.label] == [
        "系统管理员",
        "安全管理员",
        "审计管理员",
    ]


def test_only_the_security_administrator_may_use_the_services(world):
    with pytest.raises(DomainError):
        services.set_active(world.clerk, False, world.admin)
    with pytest.raises(DomainError):
        services.change_roles(world.clerk, {Role.LEADER}, world.admin)


# --- create ------------------------------------------------------------------------------------------------------
def new_account(staff, **changes) -> dict:
    return {
        "username": "newclerk",
        "name": "吴新",
        "title": "科员",
        "department": str(staff["dept:office"]),
        "roles": ["clerk"],
        "password": STRONG,
        "confirm": STRONG,
        **changes,
    }


def test_create_an_account_that_must_change_its_password(app, client, as_security_admin, staff):
    response = client.post("/staff/security/accounts/new", data=new_account(staff))

    assert response.status_code == 303
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="newclerk")).scalar_one()
        assert user.roles == {Role.CLERK} and user.must_change_password and user.check_password(STRONG)
    [created] = [r for r in audit_actions(app, "user.create") if r.detail["username"] == "newclerk"]
    assert created.actor_id == as_security_admin.id


def test_an_account_created_without_a_password_gets_a_temporary_one_shown_once(app, client, as_security_admin, staff):
    response = client.post("/staff/security/accounts/new", data=new_account(staff, password="", confirm=""))

    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "已创建账户" in page
    temporary = re.search(r'<p class="big mono">([^<]+)</p>', page).group(1)
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="newclerk")).scalar_one()
        assert user.must_change_password and user.check_password(temporary)
        assert temporary not in str([r.detail for r in db.session.execute(db.select(AuditLog)).scalars()])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"password": STRONG, "confirm": ""}, "请再次输入"),
        ({"roles": ["admin", "clerk"]}, "三员分立"),
        ({"roles": ["security_admin", "auditor"]}, "三员分立"),
        ({"password": "password", "confirm": "password"}, "密码"),
        ({"password": "newclerk-2026-X", "confirm": "newclerk-2026-X"}, "用户名"),
        ({"username": "clerk"}, "已存在"),
        ({"confirm": "something-else-1A"}, "不一致"),
        ({"username": "王\x00"}, "用户名"),
        ({"name": "吴\x01新"}, "控制字符"),
    ],
)
def test_create_refuses_with_a_chinese_message(app, client, as_security_admin, staff, changes, message):
    response = client.post("/staff/security/accounts/new", data=new_account(staff, **changes))

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(User).filter_by(name="吴新")).first() is None


# --- roles -------------------------------------------------------------------------------------------------------
def test_change_roles_is_audited(app, client, as_security_admin, staff):
    target = staff["clerk"].id

    response = client.post(f"/staff/security/accounts/{target}/roles", data={"roles": ["clerk", "supervisor"]})

    assert response.status_code == 303
    assert user_state(app, target).roles == {Role.CLERK, Role.SUPERVISOR}
    [row] = audit_actions(app, "user.roles")
    assert row.detail["before"] == "clerk" and row.detail["after"] == "clerk,supervisor"


@pytest.mark.parametrize("roles", [["auditor", "clerk"], ["admin", "security_admin"], ["auditor", "admin"]])
def test_forbidden_role_combinations_are_refused(app, client, as_security_admin, staff, roles):
    target = staff["clerk"].id

    response = client.post(f"/staff/security/accounts/{target}/roles", data={"roles": roles})

    assert response.status_code == 422
    assert "三员分立" in response.get_data(as_text=True)
    assert user_state(app, target).roles == {Role.CLERK}
    assert audit_actions(app, "user.roles") == []


def test_the_security_administrator_cannot_drop_their_own_role(app, client, as_security_admin):
    response = client.post(f"/staff/security/accounts/{as_security_admin.id}/roles", data={"roles": ["clerk"]})

    assert response.status_code == 422
    assert user_state(app, as_security_admin.id).roles == {Role.SECURITY_ADMIN}


# --- disable, enable, unlock, reset ------------------------------------------------------------------------------
def test_disable_and_enable_are_audited(app, client, as_security_admin, staff, auth):
    target = staff["clerk"].id

    client.post(f"/staff/security/accounts/{target}/disable")
    assert not user_state(app, target).active
    client.post(f"/staff/security/accounts/{target}/enable")
    assert user_state(app, target).active

    assert [r.object_id for r in audit_actions(app, "user.disable")] == [target]
    assert [r.object_id for r in audit_actions(app, "user.enable")] == [target]


def test_the_security_administrator_cannot_disable_themselves(app, client, as_security_admin):
    client.post(f"/staff/security/accounts/{as_security_admin.id}/disable")

    assert user_state(app, as_security_admin.id).active


def test_unlock_a_locked_account(app, client, as_security_admin, staff):
    target = staff["clerk"].id
    with app.app_context():
        db.session.get(User, target).locked_until = dt.datetime(2999, 1, 1)
        db.session.commit()
    assert "已锁定" in client.get(f"/staff/security/accounts/{target}").get_data(as_text=True)

    response = client.post(f"/staff/security/accounts/{target}/unlock")

    assert response.status_code == 303
    assert user_state(app, target).locked_until is None
    [row] = audit_actions(app, "user.unlock")
    assert row.actor_id == as_security_admin.id and row.object_id == target


def test_reset_password_shows_a_temporary_password_once(app, client, as_security_admin, staff):
    target = staff["clerk"].id

    response = client.post(f"/staff/security/accounts/{target}/reset-password")

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, target)
        [temporary] = [
            word for word in page.split(">") if word.split("<")[0] and user.check_password(word.split("<")[0])
        ]
        assert user.must_change_password
    assert [r.object_id for r in audit_actions(app, "user.password_reset")] == [target]
    assert temporary.split("<")[0] not in client.get(f"/staff/security/accounts/{target}").get_data(as_text=True)


# --- the list, the settings, the command line --------------------------------------------------------------------
@pytest.fixture
def list_world(app, staff):
    with app.app_context():
        db.session.get(User, staff["leader"].id).active = False
        db.session.get(User, staff["supervisor"].id).locked_until = dt.datetime(2999, 1, 1)
        db.session.commit()


def listed(client, **args) -> set[str]:
    page = client.get("/staff/security/accounts/", query_string=args).get_data(as_text=True)
    return {
        name for name in ("clerk", "leader", "supervisor", "housing_handler", "labour_handler") if f">{name}<" in page
    }


def test_the_accounts_list_searches_and_filters(client, as_security_admin, staff, list_world):
    assert listed(client) == {"clerk", "leader", "supervisor", "housing_handler", "labour_handler"}
    assert listed(client, q="handler") == {"housing_handler", "labour_handler"}
    assert listed(client, q="李登记") == {"clerk"}
    assert listed(client, department=staff["dept:housing"]) == {"housing_handler"}
    assert listed(client, role="handler") == {"housing_handler", "labour_handler"}
    assert listed(client, state="disabled") == {"leader"}
    assert listed(client, state="locked") == {"supervisor"}
    assert "leader" not in listed(client, state="active") and "clerk" in listed(client, state="active")


@pytest.mark.parametrize(
    "args", [{"page": "1" + "0" * 20}, {"page": "-1"}, {"q": "%_\\"}, {"department": "9" * 30}, {"role": "x"}]
)
def test_the_accounts_list_takes_any_input(client, as_security_admin, args):
    assert client.get("/staff/security/accounts/", query_string=args).status_code == 200


def test_the_settings_page_shows_values_and_where_they_are_set(client, as_security_admin):
    page = client.get("/staff/security/settings").get_data(as_text=True)

    for expected in (
        "SESSION_IDLE_MINUTES",
        "30分钟",
        "SESSION_ABSOLUTE_HOURS",
        "12小时",
        "LOGIN_MAX_FAILURES",
        "10位",
    ):
        assert expected in page
    assert "<form" not in page.split("<main", 1)[1]


def test_the_command_line_creates_the_first_security_administrator(app, staff):
    office = "县信访局"
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "anquan",
            "--name",
            "郑安全",
            "--department",
            office,
            "--role",
            "security_admin",
            "--password",
            STRONG,
        ]
    )

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="anquan")).scalar_one()
        assert user.roles == {Role.SECURITY_ADMIN} and user.can_manage_accounts and user.must_change_password
        assert db.session.get(Department, user.department_id).name == office


def test_the_command_line_refuses_an_administrator_with_a_case_role(app, staff):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "anquan",
            "--name",
            "郑安全",
            "--department",
            "县信访局",
            "--role",
            "security_admin",
            "--role",
            "clerk",
            "--password",
            STRONG,
        ]
    )

    assert result.exit_code != 0 and "三员分立" in result.output


def test_a_lost_second_factor_is_removed_by_the_security_administrator_and_ends_the_sessions(
    app, client, as_security_admin, staff
):
    from portal.accounts.models import RecoveryCode, UserFactor
    from portal.accounts.sessions import StaffSession

    target = staff["admin"].id  # administrators are enrolled with a second factor
    with app.app_context():
        assert db.session.scalar(db.select(UserFactor).filter_by(user_id=target)) is not None
        db.session.add(StaffSession(user_id=target, token_hash="x" * 64, ip="10.0.0.9", user_agent="t"))
        db.session.commit()
    assert "重置两步验证" in client.get(f"/staff/security/accounts/{target}").get_data(as_text=True)

    response = client.post(f"/staff/security/accounts/{target}/second-factor/remove")

    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(UserFactor).filter_by(user_id=target)) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode).filter_by(user_id=target)) == 0
        open_sessions = db.select(db.func.count()).select_from(StaffSession).filter_by(user_id=target, ended_at=None)
        assert db.session.scalar(open_sessions) == 0
    [row] = audit_actions(app, "user.factor_reset")
    assert row.actor_id == as_security_admin.id and row.object_id == target


def test_no_one_else_removes_a_second_factor(app, client, login, staff):
    from portal.accounts.models import UserFactor

    login("clerk")
    target = staff["admin"].id

    assert client.post(f"/staff/security/accounts/{target}/second-factor/remove").status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(UserFactor).filter_by(user_id=target)) is not None
