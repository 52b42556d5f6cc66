"""The second sign-in step: TOTP enrolment and verification, replay, recovery codes, who must enrol, and that a
half-signed-in browser reaches no staff page."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pyotp
import pytest

from portal import create_app
from portal.accounts import factors, secretbox, services
from portal.accounts.models import Role, User, UserFactor, mfa_required_for_all_staff
from portal.accounts.views import ENROL
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.localtime import as_of, now
from tests import factories
from tests.conftest import BASE_CONFIG, totp_code


def path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def password_step(client, username, password=factories.PASSWORD):
    return client.post("/staff/login", data={"username": username, "password": password})


def code_step(client, code):
    return client.post("/staff/login/verify", data={"code": code})


@pytest.fixture
def new_admin(app, staff):
    """An administrator without a second factor yet (as the command line creates one), password already changed."""
    with app.app_context():
        office = db.session.get(User, staff["clerk"].id).department
        user = services.create_user(
            username="newadmin", password=factories.PASSWORD, name="新管理", department=office, roles=[Role.ADMIN]
        )
        user.must_change_password = False
        db.session.commit()
        return user.id


def enrol(client) -> tuple[str, str]:
    """Go through the enrolment page; returns the secret and the page with the recovery codes."""
    page = client.get("/staff/login/enrol")
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.get_data(as_text=True)  # the QR code is drawn here, no other host
    with client.session_transaction() as session:
        secret = session[ENROL]["state"]
    done = client.post("/staff/login/enrol", data={"code": totp_code(secret)})
    assert done.status_code == 200
    return secret, done.get_data(as_text=True)


# --- two steps ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_password_alone_does_not_sign_an_administrator_in(client, staff, role):
    response = password_step(client, staff[role].username)

    assert response.status_code == 303 and path(response) == "/staff/login/verify"
    for page in ("/staff/", "/staff/audit/", "/staff/calendar", "/staff/account", "/staff/account/password"):
        refused = client.get(page)
        assert refused.status_code == 302 and path(refused) == "/staff/login", page


def test_the_right_code_completes_the_sign_in_and_is_audited(app, client, staff):
    password_step(client, "auditor")

    response = code_step(client, totp_code())

    assert response.status_code == 303 and path(response) == "/staff/"
    assert client.get("/staff/audit/").status_code == 200
    with app.app_context():
        [row] = db.session.execute(db.select(AuditLog).filter_by(action="auth.login")).scalars()
        assert row.actor_id == staff["auditor"].id and row.detail["factor"] == "totp"


def test_a_wrong_code_is_refused_audited_and_counts_towards_the_lockout(app, client, staff):
    password_step(client, "auditor")
    for _ in range(4):
        assert code_step(client, "000000").status_code == 422

    locked = code_step(client, "000000")

    assert locked.status_code == 422 and services.SIGN_IN_REFUSED in locked.get_data(as_text=True)
    assert code_step(client, totp_code()).status_code == 303  # back to the password step
    assert client.get("/staff/audit/").status_code == 302
    with app.app_context():
        reasons = [r.detail.get("reason") for r in db.session.execute(db.select(AuditLog)).scalars()]
        assert reasons.count("wrong_second_factor") == 5 and db.session.get(User, staff["auditor"].id).locked_until


def test_a_code_is_accepted_only_once(client, staff):
    moment = now()
    with as_of(moment):
        code = totp_code()
        password_step(client, "auditor")
        assert code_step(client, code).status_code == 303
        client.post("/staff/logout")
        password_step(client, "auditor")

        replayed = code_step(client, code)

    assert replayed.status_code == 422
    assert client.get("/staff/audit/").status_code == 302


def test_an_earlier_code_is_refused_after_a_later_one_was_used(client, staff):
    moment = now()
    with as_of(moment):
        earlier = totp_code()
    with as_of(moment + dt.timedelta(seconds=30)):
        password_step(client, "auditor")
        assert code_step(client, totp_code()).status_code == 303
        client.post("/staff/logout")
        password_step(client, "auditor")
        assert code_step(client, earlier).status_code == 422


def test_the_half_signed_in_state_expires_after_five_minutes(client, staff):
    moment = now()
    with as_of(moment):
        password_step(client, "auditor")
    with as_of(moment + dt.timedelta(minutes=6)):
        response = code_step(client, totp_code())

    assert response.status_code == 303 and path(response) == "/staff/login"


def test_the_code_step_cannot_be_taken_without_the_password_step(client, staff):
    response = code_step(client, totp_code())

    assert response.status_code == 303 and path(response) == "/staff/login"


# --- enrolment ----------------------------------------------------------------------------------------------------
def test_an_administrator_without_a_factor_must_enrol_before_any_page(client, new_admin):
    response = password_step(client, "newadmin")

    assert path(response) == "/staff/login/enrol"
    assert client.get("/staff/calendar").status_code == 302  # not signed in yet
    assert code_step(client, "123456").status_code == 303  # no factor to check: back to the start


def test_enrolment_signs_in_and_shows_ten_recovery_codes_once(app, client, new_admin):
    password_step(client, "newadmin")

    secret, page = enrol(client)

    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)
    assert len(codes) == 10
    assert client.get("/staff/calendar").status_code == 200
    with app.app_context():
        factor = db.session.execute(db.select(UserFactor).filter_by(user_id=new_admin)).scalar_one()
        assert secret not in factor.secret  # sealed, not in clear
        assert secretbox.unseal(factor.secret, factors.Totp.purpose).decode() == secret


def test_a_wrong_enrolment_code_stores_nothing(app, client, new_admin):
    password_step(client, "newadmin")
    client.get("/staff/login/enrol")

    response = client.post("/staff/login/enrol", data={"code": "000000"})

    assert response.status_code == 422
    assert client.get("/staff/calendar").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(UserFactor).filter_by(user_id=new_admin)).first() is None


def test_a_recovery_code_signs_in_once(client, new_admin):
    password_step(client, "newadmin")
    _, page = enrol(client)
    code = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)[3]
    client.post("/staff/logout")

    password_step(client, "newadmin")
    assert code_step(client, code.upper()).status_code == 303
    client.post("/staff/logout")

    password_step(client, "newadmin")
    assert code_step(client, code).status_code == 422


def test_regenerated_recovery_codes_replace_the_old_ones(client, new_admin):
    password_step(client, "newadmin")
    _, page = enrol(client)
    old = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)[0]

    assert client.post("/staff/account/recovery-codes", data={"password": "wrong-Password-1"}).status_code == 303
    regenerated = client.post("/staff/account/recovery-codes", data={"password": factories.PASSWORD})
    new = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", regenerated.get_data(as_text=True))
    client.post("/staff/logout")

    assert len(new) == 10 and old not in new
    password_step(client, "newadmin")
    assert code_step(client, old).status_code == 422
    assert code_step(client, new[0]).status_code == 303


def test_a_secret_sealed_under_another_key_does_not_open(app, database_url):
    with app.app_context():
        sealed = secretbox.seal(b"JBSWY3DPEHPK3PXP", factors.Totp.purpose)
        assert secretbox.unseal(sealed, factors.Totp.purpose) == b"JBSWY3DPEHPK3PXP"
        with pytest.raises(ValueError, match="sealed value does not open"):
            secretbox.unseal(sealed, "another-purpose")
    other = create_app({**BASE_CONFIG, "DATA_KEY": "ab" * 32, "SQLALCHEMY_DATABASE_URI": database_url})
    with other.app_context():
        with pytest.raises(ValueError, match="sealed value does not open"):
            secretbox.unseal(sealed, factors.Totp.purpose)
        db.engine.dispose()


# --- who needs a second factor -------------------------------------------------------------------------------------
def test_every_staff_account_needs_a_factor_unless_the_setting_relaxes_it(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR_ALL_STAFF", None)
        monkeypatch.setattr(app, "testing", False)
        assert mfa_required_for_all_staff()  # production default
        monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR_ALL_STAFF", "false")
        assert not mfa_required_for_all_staff()
        monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR_ALL_STAFF", None)
        monkeypatch.setattr(app, "testing", True)
        assert not mfa_required_for_all_staff()


def test_with_the_setting_on_a_clerk_enrols_at_first_sign_in(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR_ALL_STAFF", True)

    response = password_step(client, "clerk")

    assert path(response) == "/staff/login/enrol"
    assert client.get("/staff/cases/").status_code == 302
    enrol(client)
    assert client.get("/staff/cases/").status_code == 200


def test_with_the_setting_off_a_clerk_signs_in_with_the_password(client, staff):
    response = password_step(client, "clerk")

    assert path(response) == "/staff/"


def test_a_signed_in_person_who_comes_to_need_a_factor_is_sent_to_enrol(app, client, as_clerk, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR_ALL_STAFF", True)

    response = client.get("/staff/cases/")

    assert response.status_code == 302 and path(response) == "/staff/login/enrol"
    enrol(client)
    assert client.get("/staff/cases/").status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN])
def test_the_three_administrators_always_need_a_factor(world, role):
    user = factories.user(f"x_{role}", role, department=world.office)
    assert user.needs_second_factor
    assert not world.clerk.needs_second_factor  # MFA_REQUIRED_FOR_ALL_STAFF is off in the tests


def test_totp_uses_standard_codes():
    """The code an authenticator app shows is the one we accept (RFC 6238 via pyotp)."""
    assert pyotp.TOTP(factories.TOTP_SECRET).at(0) == factors.pyotp.TOTP(factories.TOTP_SECRET).at(0)
