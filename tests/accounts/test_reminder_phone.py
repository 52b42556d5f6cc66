"""A person's own number for the sweep's SMS reminders: a mobile only, encrypted at rest, masked on the page,
audited; clearing it stops the messages."""

from __future__ import annotations

from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.extensions import db


def _clerk(app, staff) -> User:
    return db.session.get(User, staff["clerk"].id)


def test_a_mobile_number_is_saved_encrypted_masked_on_the_page_and_audited(app, client, login, staff):
    login("clerk")
    response = client.post("/staff/account/reminder-phone", data={"phone": "+86 139-0013-9000"})
    assert response.status_code == 303
    page = client.get("/staff/account").get_data(as_text=True)
    assert "139****9000" in page and "13900139000" not in page
    with app.app_context():
        assert _clerk(app, staff).reminder_phone == "13900139000"
        raw = db.session.execute(db.text("SELECT reminder_phone FROM users WHERE id = :id"), {"id": staff["clerk"].id})
        assert "13900139000" not in str(raw.scalar_one())
        row = db.session.execute(db.select(AuditLog).filter_by(action="user.reminder_phone")).scalar_one()
        assert "139****9000" in str(row.detail) and "13900139000" not in str(row.detail)


def test_a_landline_or_nonsense_is_refused_in_words_and_changes_nothing(app, client, login, staff):
    login("clerk")
    for typed in ("0731-12345678", "12345", "１３９"):
        response = client.post("/staff/account/reminder-phone", data={"phone": typed})
        assert response.status_code == 422
        assert "手机号" in response.get_data(as_text=True)
    response = client.post("/staff/account/reminder-phone", data={"phone": ""})
    assert response.status_code == 422 and "取消短信提醒" in response.get_data(as_text=True)
    with app.app_context():
        assert _clerk(app, staff).reminder_phone is None


def test_cancelling_removes_the_number(app, client, login, staff):
    login("clerk")
    client.post("/staff/account/reminder-phone", data={"phone": "13900139000"})
    assert client.post("/staff/account/reminder-phone", data={"clear": "1"}).status_code == 303
    with app.app_context():
        assert _clerk(app, staff).reminder_phone is None
