"""``flask setup`` on an empty database: the county, the petition office and its public channels, the first three
administrators (initial passwords changed at the first sign-in); a second run fills in only what is missing; after it
``flask users create … --department 县信访局`` works."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.org.models import Department, Kind
from portal.settings.models import get_setting

STRONG = "Qiang-Mima-2026!"
FULL = [
    "setup",
    "--non-interactive",
    "--county",
    "云溪县",
    "--office-name",
    "县信访局",
    "--address",
    "云溪县人民来访接待中心",
    "--hours",
    "工作日 8:30—17:30",
    "--mail-address",
    "云溪县滨江路18号",
    "--postcode",
    "418300",
    "--phone",
    "0745-8223110",
    "--email",
    "xfj@yunxi.gov.cn",
    "--admin-username",
    "sysadmin",
    "--admin-name",
    "何志鹏",
    "--security-username",
    "secadmin",
    "--security-name",
    "周安全",
    "--security-password",
    STRONG,
    "--auditor-username",
    "auditadmin",
    "--auditor-name",
    "马文静",
]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)

    return invoke


def _users(app) -> dict[str, User]:
    with app.app_context():
        users = {u.username: u for u in db.session.execute(db.select(User)).scalars()}
        for u in users.values():
            u.roles  # noqa: B018
            db.session.expunge(u)
        return users


def test_setup_on_an_empty_database_then_users_create_works(app, cli):
    before = cli(
        "users",
        "create",
        "clerk1",
        "--name",
        "王丽娟",
        "--department",
        "县信访局",
        "--role",
        "clerk",
        "--password",
        STRONG,
    )
    assert before.exit_code != 0 and "没有名为“县信访局”的单位" in before.output

    result = cli(*FULL)

    assert result.exit_code == 0, result.output
    with app.app_context():
        office = db.session.execute(db.select(Department)).scalar_one()
        assert (office.name, office.kind) == ("县信访局", Kind.PETITION_OFFICE)
        assert get_setting("county_name") == "云溪县"
        assert get_setting("office_name") == "县信访局"
        assert get_setting("office_phone") == "0745-8223110"
        assert get_setting("office_postcode") == "418300"
    users = _users(app)
    assert {u: users[u].roles for u in users} == {
        "sysadmin": {Role.ADMIN},
        "secadmin": {Role.SECURITY_ADMIN},
        "auditadmin": {Role.AUDITOR},
    }
    assert all(u.must_change_password for u in users.values())
    assert all(u.department_id == office.id for u in users.values())
    # The two without a password got a temporary one, shown once; the given one was not echoed.
    assert "临时密码 sysadmin:" in result.output and "临时密码 auditadmin:" in result.output
    assert STRONG not in result.output
    temporary = result.output.split("临时密码 sysadmin: ")[1].split("（")[0]
    with app.app_context():
        assert db.session.execute(db.select(User).filter_by(username="sysadmin")).scalar_one().check_password(temporary)

    after = cli(
        "users",
        "create",
        "clerk1",
        "--name",
        "王丽娟",
        "--department",
        "县信访局",
        "--role",
        "clerk",
        "--password",
        STRONG,
    )
    assert after.exit_code == 0, after.output


def test_a_second_run_changes_nothing_and_fills_only_what_is_missing(app, cli):
    cli(
        "setup",
        "--non-interactive",
        "--county",
        "云溪县",
        "--admin-username",
        "sysadmin",
        "--admin-name",
        "何志鹏",
        "--security-username",
        "secadmin",
        "--security-name",
        "周安全",
        "--auditor-username",
        "auditadmin",
        "--auditor-name",
        "马文静",
    )
    with app.app_context():
        hashes = {u.username: u.password_hash for u in db.session.execute(db.select(User)).scalars()}
        assert db.session.execute(db.select(Department.name)).scalar_one() == "云溪县信访局"

    again = cli(*[a if a != "云溪县" else "别的县" for a in FULL])

    assert again.exit_code == 0, again.output
    assert "保留 县（市、区）名称已设置为“云溪县”" in again.output
    assert "已有系统管理员“sysadmin”，未新建" in again.output
    with app.app_context():
        assert get_setting("county_name") == "云溪县"
        assert db.session.execute(db.select(Department.name)).scalars().all() == ["云溪县信访局"]
        assert {u.username: u.password_hash for u in db.session.execute(db.select(User)).scalars()} == hashes
        assert get_setting("office_phone") == "0745-8223110"  # the contacts missing before were filled in

    third = cli(*FULL)
    assert "已完成过设置，本次没有更改。" in third.output


def test_a_refused_value_leaves_nothing_half_done(app, cli):
    args = [a if a != "xfj@yunxi.gov.cn" else "not-an-email" for a in FULL]

    result = cli(*args)

    assert result.exit_code != 0
    assert "来邮地址格式不正确" in result.output
    with app.app_context():
        assert db.session.execute(db.select(Department.id)).first() is None
        assert db.session.execute(db.select(User.id)).first() is None
        assert get_setting("county_name") == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--admin-name", ""), "请提供第一位系统管理员的用户名和姓名"),
        (("--auditor-username", "sysadmin"), "三位管理员的用户名不能相同"),
        (("--security-password", "123456"), "密码"),
    ],
)
def test_setup_refuses_missing_administrators_shared_usernames_and_weak_passwords(app, cli, change, message):
    args = list(FULL)
    option, value = change
    args[args.index(option) + 1] = value
    if not value:
        del args[args.index(option) : args.index(option) + 2]

    result = cli(*args)

    assert result.exit_code != 0
    assert message in result.output
    assert _users(app) == {}


def test_setup_asks_for_what_is_missing(app, cli):
    answers = "\n".join(
        [
            "青山县",  # county
            "",  # office name: the default 青山县信访局
            "青山县接待中心",  # address
            "",  # hours
            "",  # mail address
            "",  # postcode
            "0731-1234567",  # phone
            "",  # email
            "",  # admin username: default sysadmin
            "何志鹏",
            "",  # password: generated
            "",  # (confirmed)
            "secadmin2",
            "周安全",
            STRONG,
            STRONG,
            "",  # auditor username: default
            "马文静",
            "",
            "",
        ]
    )

    result = cli("setup", input=answers + "\n")

    assert result.exit_code == 0, result.output
    assert set(_users(app)) == {"sysadmin", "secadmin2", "auditadmin"}
    with app.app_context():
        assert db.session.execute(db.select(Department.name)).scalar_one() == "青山县信访局"
        assert get_setting("office_address") == "青山县接待中心"
        assert get_setting("reception_hours") == ""
    assert "公开页面暂不显示：接待时间、来信地址、来信邮编、来邮地址" in result.output


def test_setup_warns_when_the_public_address_is_not_set(app, cli):
    # Without PUBLIC_BASE_URL, receipts' QR codes would point at the server's own address.
    assert not app.config["PUBLIC_BASE_URL"]

    result = cli(*FULL)

    assert result.exit_code == 0 and "未设置 PUBLIC_BASE_URL" in result.output
