"""Staff sign-in, its audit trail, and who may open which staff page."""

from urllib.parse import urlsplit

import pytest

from portal import create_app
from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.cases.models import Case, Status
from portal.extensions import db
from tests.accounts import without_tokens
from tests.conftest import BASE_CONFIG
from tests.factories import make_case

ROLES = ["clerk", "leader", "dept_head", "handler", "supervisor", "admin", "auditor"]


def audit_rows(app, action):
    with app.app_context():
        return [
            (r.actor_id, r.actor_name, r.ip)
            for r in db.session.execute(db.select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars()
        ]


def lands_on_this_site(location: str) -> bool:
    """Where a browser would go: it drops tabs and newlines from a URL and reads a backslash as a slash."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").replace("\\", "/")
    return urlsplit(cleaned).netloc in ("", "localhost")


# --- sign-in ------------------------------------------------------------------------------------------------
def test_login_page_renders(client):
    assert client.get("/staff/login").status_code == 200


def test_login_success_signs_in_and_is_audited(app, client, auth, staff):
    response = auth.login("clerk")

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/staff/"
    assert audit_rows(app, "auth.login") == [(staff["clerk"].id, "李登记（clerk）", "127.0.0.1")]
    assert audit_rows(app, "auth.login_failed") == []
    with client.session_transaction() as session:
        assert session.get("_user_id") == str(staff["clerk"].id)


@pytest.mark.parametrize("username, password", [("clerk", "wrong-password"), ("nobody", "whatever-123")])
def test_login_failure_is_refused_and_audited(app, client, auth, staff, username, password):
    response = auth.login(username, password)

    assert response.status_code == 422
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    rows = audit_rows(app, "auth.login_failed")
    assert len(rows) == 1 and rows[0][0] is None and username in rows[0][1]
    assert audit_rows(app, "auth.login") == []
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_failed_login_message_does_not_reveal_whether_the_user_exists(client, auth, staff):
    wrong_password = auth.login("clerk", "wrong-password")
    no_such_user = auth.login("nobody", "wrong-password")

    assert wrong_password.status_code == no_such_user.status_code
    # The pages differ only in the username typed back into the form.
    typed_back = without_tokens(wrong_password.get_data(as_text=True)).replace('value="clerk"', 'value="nobody"')
    assert typed_back == without_tokens(no_such_user.get_data(as_text=True))


def test_inactive_user_cannot_sign_in(app, auth, staff):
    with app.app_context():
        user = db.session.get(User, staff["clerk"].id)
        user.active = False
        db.session.commit()

    assert auth.login("clerk").status_code == 422
    assert len(audit_rows(app, "auth.login_failed")) == 1


def test_logout_signs_out_and_is_audited(app, client, auth, as_clerk):
    response = auth.logout()

    assert response.status_code == 303
    assert [r[0] for r in audit_rows(app, "auth.logout")] == [as_clerk.id]
    assert client.get("/staff/").status_code == 302


def test_login_form_requires_a_csrf_token_when_csrf_is_on(database_url, staff):
    app = create_app({**BASE_CONFIG, "WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": database_url})
    response = app.test_client().post("/staff/login", data={"username": "clerk", "password": "x"})

    assert response.status_code == 400
    with app.app_context():
        db.engine.dispose()


# --- redirects after sign-in -----------------------------------------------------------------------------------
def test_staff_home_requires_login(client):
    response = client.get("/staff/")

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    assert "next=" in location.query


def test_login_returns_to_a_local_next_page(auth, staff):
    response = auth.login("clerk", next="/staff/cases/")

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/staff/cases/"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/staff/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_to_redirect_off_site(auth, staff, target):
    response = auth.login("clerk", next=target)

    assert response.status_code == 303
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


# --- who may open which page ---------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admin_and_auditor_cannot_open_the_case_list(client, login, role):
    login(role)

    assert client.get("/staff/cases/").status_code == 403


@pytest.mark.parametrize("role", ["clerk", "leader", "dept_head", "handler", "supervisor"])
def test_case_roles_can_open_the_case_list(client, login, role):
    login(role)

    assert client.get("/staff/cases/").status_code == 200


@pytest.fixture
def housing_and_labour_cases(seed):
    """One case assigned to housing (the ``handler``'s department) and one to labour."""

    def build(world):
        own = make_case(world, Status.ASSIGNED, department=world.housing, title="住建局的信访件")
        other = make_case(world, Status.ASSIGNED, department=world.labour, title="人社局的信访件")
        return own.id, other.id

    return seed(build)


def test_handler_cannot_open_another_departments_case(client, as_handler, housing_and_labour_cases):
    _, other = housing_and_labour_cases

    assert client.get(f"/staff/cases/{other}").status_code == 403


def test_handler_can_open_a_case_of_their_own_department(client, as_handler, housing_and_labour_cases):
    own, _ = housing_and_labour_cases

    response = client.get(f"/staff/cases/{own}")

    assert response.status_code == 200
    assert "住建局的信访件" in response.get_data(as_text=True)


def test_department_case_list_shows_only_the_own_department(client, as_handler, housing_and_labour_cases):
    page = client.get("/staff/cases/").get_data(as_text=True)

    assert "住建局的信访件" in page
    assert "人社局的信访件" not in page


@pytest.mark.parametrize(
    "role, status",
    [
        ("clerk", 200),
        ("leader", 200),
        ("supervisor", 200),
        ("dept_head", 200),
        ("handler", 200),
        ("admin", 403),
        ("auditor", 403),
    ],
)
def test_case_page_access_by_role(client, login, housing_and_labour_cases, role, status):
    own, _ = housing_and_labour_cases
    login(role)

    assert client.get(f"/staff/cases/{own}").status_code == status


def test_missing_case_is_404(client, as_clerk):
    assert client.get("/staff/cases/999999").status_code == 404


def test_action_by_a_handler_of_another_department_is_refused_and_changes_nothing(
    app, client, login, housing_and_labour_cases
):
    _, other = housing_and_labour_cases
    login("handler")

    response = client.post(f"/staff/cases/{other}/actions/start", data={"start-version": ""})

    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Case, other).status is Status.ASSIGNED


@pytest.mark.parametrize("role, status", [(r, 200 if r == "auditor" else 403) for r in ROLES])
def test_only_the_auditor_sees_the_audit_log(client, login, role, status):
    login(role)

    assert client.get("/staff/audit/").status_code == status


def test_audit_log_requires_login(client):
    assert client.get("/staff/audit/").status_code == 302
