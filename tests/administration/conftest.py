"""The security administrator beside the world's users, spreadsheets built in memory, and audit rows to look at."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from portal.accounts.models import Role
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.org.models import Department
from tests import factories
from tests.conftest import StaffRef


@pytest.fixture
def security_admin(app, staff) -> StaffRef:
    with app.app_context():
        office = db.session.get(Department, staff["dept:office"])
        user = factories.user("security", Role.SECURITY_ADMIN, department=office, name="周安全")
        db.session.commit()
        return StaffRef(user.id, user.username, user.department_id)


@pytest.fixture
def as_security_admin(auth, security_admin) -> StaffRef:
    assert auth.login(security_admin.username).status_code == 303
    return security_admin


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    """A workbook whose first sheet holds ``headers`` and ``rows``."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_rows(data: bytes) -> list[list]:
    """The first sheet's rows as lists (None for empty cells)."""
    ws = load_workbook(BytesIO(data)).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def actions(app, prefix: str) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditLog).where(AuditLog.action.startswith(prefix)).order_by(AuditLog.id)
        ).scalars()
        result = list(rows)
        for row in result:
            db.session.expunge(row)
        return result
