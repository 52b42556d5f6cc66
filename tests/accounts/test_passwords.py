"""The password policy: where it applies, what it refuses, and what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.accounts import passwords
from portal.accounts.models import Role, User
from portal.accounts.services import create_user
from portal.errors import DomainError
from portal.extensions import db
from tests import factories
from tests.browser.conftest import DEMO_PASSWORD


@pytest.mark.parametrize(
    "password, username, fix",
    [
        ("password", "", "至少10位"),
        ("password", "", "常见密码"),
        ("12345678", "", "至少10位"),
        ("12345678", "", "至少3类"),
        ("1234567890", "", "常见密码"),
        ("qwertyuiop", "", "常见密码"),
        ("xinfangceshi2026", "", "至少3类"),  # two classes, long as it is
        ("Wang-Clerk-2026x", "clerk", "不能包含用户名"),
        ("Wang-CLERK-2026x", "clerk", "不能包含用户名"),  # whatever the case
        ("Password2026!", "", "容易被猜到"),  # three classes, ten characters, a pattern zxcvbn sees through
    ],
)
def test_weak_passwords_are_refused_with_what_to_fix(password, username, fix):
    found = passwords.problems(password, username)

    assert found, password
    assert any(fix in problem for problem in found), found


@pytest.mark.parametrize(
    "password", ["xinfang-ceshi-2026", "Huang-he-liu-2026", "Qz8-vTm2-kLr9", "雨后-春笋-2026-bamboo"]
)
def test_strong_passwords_of_three_classes_are_accepted(password):
    assert passwords.problems(password, "clerk") == []


def test_character_classes_count_lower_upper_digits_and_symbols():
    assert passwords.character_classes("abc") == 1
    assert passwords.character_classes("aB3") == 3
    assert passwords.character_classes("aB3-") == 4
    assert passwords.character_classes("信访") == 1  # Chinese characters count as symbols


def test_generated_passwords_satisfy_the_policy():
    for _ in range(20):
        password = passwords.generate("clerk")
        assert passwords.problems(password, "clerk") == []
        assert passwords.character_classes(password) == 4


def test_the_test_demo_and_readme_passwords_satisfy_the_policy():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = re.search(r"DEMO_PASSWORD=(\S+) make run", readme).group(1)

    for password in (factories.PASSWORD, DEMO_PASSWORD, example):
        assert passwords.problems(password, "clerk") == [], password


def test_set_password_applies_the_policy(world):
    with pytest.raises(passwords.WeakPassword) as refused:
        world.clerk.set_password("12345678")

    assert "至少10位" in refused.value.message
    assert world.clerk.check_password(factories.PASSWORD)


def test_create_user_applies_the_policy(world):
    with pytest.raises(DomainError, match="不能包含用户名"):
        create_user(
            username="zhangsan",
            password="Zhangsan-2026-xf",
            name="张三",
            department=world.office,
            roles=[Role.CLERK],
        )
    assert db.session.execute(db.select(User).filter_by(username="zhangsan")).first() is None


def test_the_command_line_refuses_a_weak_password(app, world):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "zhangsan",
            "--name",
            "张三",
            "--department",
            "县信访局",
            "--role",
            "clerk",
            "--password",
            "12345678",
        ]
    )

    assert result.exit_code != 0
    assert "至少10位" in result.output
    assert db.session.execute(db.select(User).filter_by(username="zhangsan")).first() is None


def test_the_command_line_creates_a_user_with_a_strong_password_to_be_changed(app, world):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "zhangsan",
            "--name",
            "张三",
            "--department",
            "县信访局",
            "--role",
            "clerk",
            "--password",
            "Huang-he-liu-2026",
        ]
    )

    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).filter_by(username="zhangsan")).scalar_one()
    assert user.must_change_password


def test_the_command_line_resets_a_password_to_a_temporary_one(app, world):
    result = app.test_cli_runner().invoke(args=["users", "reset-password", "clerk"])

    assert result.exit_code == 0, result.output
    temporary = result.output.rsplit(": ", 1)[1].strip()
    db.session.expire_all()
    clerk = db.session.get(User, world.clerk.id)
    assert clerk.check_password(temporary) and clerk.must_change_password
