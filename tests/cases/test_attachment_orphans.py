"""A petition's files outlive only the registrations that commit: files written in a transaction that rolls back are
deleted again, so UPLOAD_FOLDER holds no file that no attachment row points to."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from portal.cases import attachments
from portal.cases.models import Attachment, Case, Category
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import today
from portal.sms import services as sms
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def files(app) -> set[Path]:
    return set(Path(app.config["UPLOAD_FOLDER"]).glob("*"))


def upload() -> list[attachments.Upload]:
    return attachments.check_uploads([("来信扫描件.png", PNG)])


def register_form(**changes) -> dict:
    data = {
        "channel": "letter",
        "received_on": today().isoformat(),
        "petitioner_name": "钱八",
        "phone": "13912340000",
        "case_type": "claim",
        "category_id": "0",
        "title": "拖欠工资未发放",
        "content": "工地拖欠工资半年。",
        "people_count": "1",
        "procedure": "normal",
        "repeat_of_id": "0",
        "attachments": (io.BytesIO(PNG), "来信扫描件.png"),
    }
    return data | changes


# --- services --------------------------------------------------------------------------------------------------------
def test_a_registration_whose_commit_fails_leaves_no_file(ctx, world):
    db.session.add(Category(name="劳动社保"))
    db.session.commit()
    before = files(ctx)

    factories.register(world, attachments=upload())
    assert len(files(ctx) - before) == 1  # written while the transaction is open
    db.session.add(Category(name="劳动社保"))  # a duplicate: the commit fails
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert files(ctx) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_a_registration_rolled_back_after_an_error_inside_the_transaction_leaves_no_file(ctx, world):
    before = files(ctx)

    def register_then_fail():
        factories.register(world, attachments=upload())
        raise DomainError("登记后续步骤失败")

    with pytest.raises(DomainError):
        register_then_fail()
    db.session.rollback()

    assert files(ctx) == before


def test_a_committed_registration_keeps_its_file_even_if_the_session_later_rolls_back(ctx, world):
    before = files(ctx)

    case, _ = factories.register(world, attachments=upload())
    db.session.commit()
    stored = attachments.path_of(case.attachments[0])
    factories.register(world, title="另一件")
    db.session.rollback()  # a later unit of work in the same session fails

    assert files(ctx) - before == {stored}
    assert attachments.read(case.attachments[0]) == PNG


# --- the registration page -------------------------------------------------------------------------------------------
def test_a_registration_refused_after_its_files_were_written_leaves_no_file(app, client, login, monkeypatch):
    login("clerk")
    before = files(app)

    def gateway_refuses(*args, **kwargs):
        raise DomainError("短信通知登记失败，请稍后重试。")

    monkeypatch.setattr(sms, "queue", gateway_refuses)  # runs after the files are stored, inside the transaction

    response = client.post("/staff/cases/new", data=register_form(), content_type="multipart/form-data")

    assert response.status_code == 422 and "短信通知登记失败" in response.get_data(as_text=True)
    assert files(app) == before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0


def test_a_registration_on_the_page_keeps_its_file(app, client, login):
    login("clerk")
    before = files(app)

    response = client.post("/staff/cases/new", data=register_form(), content_type="multipart/form-data")

    assert response.status_code == 201
    with app.app_context():
        attachment = db.session.execute(db.select(Attachment)).scalar_one()
        assert files(app) - before == {attachments.path_of(attachment)}
        assert attachments.read(attachment) == PNG
