"""A security administrator (安全管理员) beside the world's users, and clocks to move a signed-in browser in time."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.accounts.models import Role, User
from portal.accounts.sessions import StaffSession
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.localtime import CST
from portal.org.models import Department
from tests import factories
from tests.conftest import StaffRef

# A moment to sign in at, and offsets from it: sessions are judged by portal.localtime.utcnow, which as_of moves.
T0 = dt.datetime.now(CST).replace(microsecond=0)


def at(minutes: float = 0, hours: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes, hours=hours)


@pytest.fixture
def security_admin(app, staff) -> StaffRef:
    """The security administrator's reference (enrolled for the second factor like every administrator)."""
    with app.app_context():
        office = db.session.get(Department, staff["dept:office"])
        user = factories.user("security", Role.SECURITY_ADMIN, department=office, name="周安全")
        db.session.commit()
        return StaffRef(user.id, user.username, user.department_id)


@pytest.fixture
def as_security_admin(login, auth, security_admin) -> StaffRef:
    response = auth.login(security_admin.username)
    assert response.status_code == 303, response.status_code
    return security_admin


def session_rows(app, user_id: int) -> list[StaffSession]:
    with app.app_context():
        rows = db.session.execute(
            db.select(StaffSession).filter_by(user_id=user_id).order_by(StaffSession.id)
        ).scalars()
        return [_detached(r) for r in rows]


def _detached(row):
    db.session.expunge(row)
    return row


def audit_actions(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return [_detached(r) for r in db.session.execute(db.select(AuditLog).filter_by(action=action)).scalars()]


def user_state(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.roles  # noqa: B018  (load before detaching)
        return _detached(user)
