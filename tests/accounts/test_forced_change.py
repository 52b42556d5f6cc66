"""Passwords set by someone else, and old ones, are changed before any other staff page; people change their own."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest

from portal.accounts import services
from portal.accounts.models import Role, User
from portal.audit.models import AuditLog
from portal.demo.county import ensure_departments, ensure_users
from portal.errors import NotAllowed
from portal.extensions import db
from portal.localtime import utcnow
from tests import factories

NEW = "Huang-he-liu-2026"


def path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def change(client, current=factories.PASSWORD, new=NEW, confirm=None):
    return client.post("/staff/account/password", data={"current": current, "new": new, "confirm": confirm or new})


@pytest.fixture
def created(app, staff):
    """A clerk created the way the command line and the security administrator create one."""
    with app.app_context():
        office = db.session.get(User, staff["clerk"].id).department
        user = services.create_user(
            username="zhangsan", password=factories.PASSWORD, name="张三", department=office, roles=[Role.CLERK]
        )
        db.session.commit()
        return user.id


STAFF_PAGES = ["/staff/", "/staff/cases/", "/staff/work/", "/staff/ledgers/", "/staff/account"]


def test_an_initial_password_must_be_changed_before_any_staff_page(client, auth, created):
    signed_in = auth.login("zhangsan")
    assert signed_in.status_code == 303

    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code == 302 and path(response) == "/staff/account/password", page
    assert "初始密码" in client.get("/staff/account/password").get_data(as_text=True)


def test_an_htmx_request_is_sent_to_the_change_page_as_a_whole_page(client, auth, created):
    auth.login("zhangsan")

    response = client.get("/staff/cases/", headers={"HX-Request": "true"})

    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/staff/account/password"


def test_after_the_change_the_pages_open(app, client, auth, created):
    auth.login("zhangsan")

    response = change(client)

    assert response.status_code == 303
    assert client.get("/staff/cases/").status_code == 200
    with app.app_context():
        user = db.session.get(User, created)
        assert user.check_password(NEW) and not user.must_change_password
        assert db.session.execute(db.select(AuditLog).filter_by(action="user.password_change")).first()


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("Wrong-password-2026", NEW, NEW, "当前密码不正确"),
        (factories.PASSWORD, "12345678", "12345678", "至少10位"),
        (factories.PASSWORD, "Zhangsan-2026-xf", "Zhangsan-2026-xf", "不能包含用户名"),
        (factories.PASSWORD, NEW, NEW + "x", "两次输入的新密码不一致"),
        (factories.PASSWORD, factories.PASSWORD, factories.PASSWORD, "不能与当前密码相同"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(app, client, auth, created, current, new, confirm, message):
    auth.login("zhangsan")

    response = change(client, current, new, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get("/staff/cases/").status_code == 302
    with app.app_context():
        assert db.session.get(User, created).check_password(factories.PASSWORD)


def test_a_reset_password_is_temporary_and_must_be_changed(app, client, auth, staff):
    with app.app_context():
        security = factories.user("security", Role.SECURITY_ADMIN, department=factories.load_world().office)
        temporary = services.reset_password(db.session.get(User, staff["clerk"].id), security)
        db.session.commit()

    assert auth.login("clerk").status_code == 422  # the old password is gone
    assert auth.login("clerk", temporary).status_code == 303
    assert path(client.get("/staff/cases/")) == "/staff/account/password"
    assert change(client, temporary).status_code == 303
    assert client.get("/staff/cases/").status_code == 200


def test_a_reset_also_ends_a_lockout(world):
    world.clerk.locked_until = utcnow() + dt.timedelta(minutes=10)
    security = factories.user("security", Role.SECURITY_ADMIN, department=world.office)

    services.reset_password(world.clerk, security)

    assert not world.clerk.locked(utcnow())


@pytest.mark.parametrize("actor", ["admin", "auditor", "clerk"])
def test_only_the_security_administrator_resets_passwords(world, actor):
    with pytest.raises(NotAllowed):
        services.reset_password(world.handler, getattr(world, actor))


def test_an_expired_password_must_be_changed(app, client, auth, staff):
    with app.app_context():
        user = db.session.get(User, staff["clerk"].id)
        user.password_changed_at = utcnow() - dt.timedelta(days=91)
        db.session.commit()
    auth.login("clerk")

    response = client.get("/staff/cases/")

    assert path(response) == "/staff/account/password"
    assert "90天" in client.get("/staff/account/password").get_data(as_text=True)


@pytest.mark.parametrize("days, max_age, due", [(89, 90, None), (91, 90, "expired"), (400, 0, None)])
def test_expiry_follows_the_setting(app, world, monkeypatch, days, max_age, due):
    monkeypatch.setitem(app.config, "PASSWORD_MAX_AGE_DAYS", max_age)
    world.clerk.password_changed_at = utcnow() - dt.timedelta(days=days)

    assert world.clerk.password_change_due(utcnow()) == due


def test_demo_users_keep_the_demo_password_without_a_forced_change(ctx):
    ensure_users("demo-pass-2026", ensure_departments())
    db.session.flush()
    users = db.session.execute(db.select(User)).scalars().all()

    assert users and all(u.demo_account for u in users)
    long_after = utcnow() + dt.timedelta(days=400)
    assert all(u.password_change_due(long_after) is None for u in users)
    assert all(u.needs_second_factor for u in users if u.roles & {Role.ADMIN, Role.AUDITOR})


def test_anyone_can_change_their_own_password_from_the_header(client, as_handler):
    page = client.get("/staff/work/").get_data(as_text=True)
    assert 'href="/staff/account"' in page
    assert client.get("/staff/account").status_code == 200

    assert change(client).status_code == 303
