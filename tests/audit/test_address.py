"""Where an audited action came from: the client's address for a request, "cli" for work done outside one. The web
layer hands the address to the unit of work; services never read the request themselves."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, Status
from portal.extensions import db
from tests.factories import PASSWORD, make_case

PORTAL = Path(__file__).resolve().parents[2] / "portal"
ADDRESS = "10.1.2.3"


def audit_rows(app, action: str) -> list[AuditLog]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars().all()
        db.session.expunge_all()
        return rows


def test_an_action_through_the_pages_records_the_clients_address(app, client, staff, seed):
    case_id = seed(lambda world: make_case(world, Status.ASSIGNED).id)
    environ = {"REMOTE_ADDR": ADDRESS}
    client.post(
        "/staff/login", data={"username": staff["handler"].username, "password": PASSWORD}, environ_base=environ
    )

    response = client.post(
        f"/staff/cases/{case_id}/actions/note", data={"note-text": "已约谈物业公司负责人"}, environ_base=environ
    )

    assert response.status_code == 303
    assert [r.ip for r in audit_rows(app, "case.note")] == [ADDRESS]
    assert audit_rows(app, "auth.login")[-1].ip == ADDRESS


def test_the_address_of_one_request_is_not_kept_for_the_next(app, client, login, seed):
    case_id = seed(lambda world: make_case(world, Status.ASSIGNED).id)
    login("handler")

    for address, text in (("10.1.2.3", "第一次约谈"), ("10.9.8.7", "第二次约谈")):
        client.post(
            f"/staff/cases/{case_id}/actions/note", data={"note-text": text}, environ_base={"REMOTE_ADDR": address}
        )

    assert [r.ip for r in audit_rows(app, "case.note")] == ["10.1.2.3", "10.9.8.7"]


def test_a_service_called_outside_a_request_records_cli(app, client, login, seed):
    case_id = seed(lambda world: make_case(world, Status.ASSIGNED).id)
    login("handler")
    client.post(
        f"/staff/cases/{case_id}/actions/note",
        data={"note-text": "页面上的记录"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )

    seed(lambda world: services.add_note(db.session.get(Case, case_id), world.handler, text="脚本补录的记录"))

    assert [r.ip for r in audit_rows(app, "case.note")] == [ADDRESS, "cli"]
    assert {r.ip for r in audit_rows(app, "case.register")} == {"cli"}  # make_case ran outside any request


def service_modules() -> list[Path]:
    return sorted({*PORTAL.glob("*/services.py"), *PORTAL.glob("*/services/**/*.py")})


def reads_the_request(path: Path) -> list[str]:
    """The ways a module gets at the request: ``from flask import request`` (or has_request_context, also via
    flask.globals), or ``flask.request`` after ``import flask``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flask":
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name in FORBIDDEN]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "flask":
            found += [f"flask.{node.attr}"] if node.attr in FORBIDDEN else []
    return found


FORBIDDEN = {"request", "has_request_context"}


def test_no_service_module_reads_the_request():
    modules = service_modules()
    assert PORTAL / "cases" / "services" / "steps.py" in modules and PORTAL / "audit" / "services.py" in modules

    offenders = {str(p.relative_to(PORTAL)): found for p in modules if (found := reads_the_request(p))}

    assert offenders == {}


def test_the_source_check_finds_a_module_that_reads_the_request(tmp_path):
    module = tmp_path / "services.py"
    module.write_text("import flask\nfrom flask import has_request_context\n\ndef f():\n    return flask.request\n")

    assert reads_the_request(module) == ["from flask import has_request_context", "flask.request"]
