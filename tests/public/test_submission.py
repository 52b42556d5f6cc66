"""Online submission: what a petitioner can send, what is refused (with a Chinese message, nothing created), and
that what they typed is kept and shown to staff as text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from portal.cases.models import Attachment, Case, Channel
from portal.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64

VALID = {
    "name": "王秀英",
    "phone": "13907310001",
    "case_type": "claim",
    "category_id": "0",
    "title": "小区电梯长期停运",
    "content": "电梯停运三个月，物业不予维修，老人上下楼困难。",
    "consent": "y",
}


def post(client, files=(), **changes):
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/submit", data=data, content_type="multipart/form-data")


def count(app, model=Case) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_form_shows_every_field_and_the_privacy_notice(client):
    html = client.get("/submit").get_data(as_text=True)
    for label in (
        "姓名",
        "联系电话",
        "身份证号",
        "信访类型",
        "内容分类",
        "标题",
        "信访内容",
        "附件",
        "个人信息保护告知",
    ):
        assert label in html
    assert 'enctype="multipart/form-data"' in html
    assert client.get("/privacy").status_code == 200


def test_a_valid_submission_gives_a_receipt_with_both_codes_once(app, client, staff):
    response = post(client, files=[("现场照片.png", PNG), ("合同.pdf", PDF), ("photo.JPG", JPEG)])
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    tracking_code = re.search(r"XF\d{8}-[0-9A-Z]{6}", html).group(0)
    assert re.search(r'<dt>查询码</dt><dd class="mono big">[34679A-Y]{10}</dd>', html)
    assert "<svg" in html and "王**" in html and "王秀英" not in html
    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(tracking_code=tracking_code)).scalar_one()
        assert case.channel is Channel.ONLINE and case.registered_by_id is None
        assert [a.original_name for a in case.attachments] == ["现场照片.png", "合同.pdf", "photo.JPG"]
        folder = Path(app.config["UPLOAD_FOLDER"])
        for attachment in case.attachments:
            stored = folder / attachment.stored_name
            assert stored.exists() and attachment.original_name not in attachment.stored_name
            assert "static" not in str(stored.resolve().relative_to(folder.resolve().parent))


def test_the_qr_code_holds_the_tracking_code_address_never_the_query_code(client, staff):
    html = post(client).get_data(as_text=True)
    tracking_code = re.search(r"XF\d{8}-[0-9A-Z]{6}", html).group(0)
    query_code = re.search(r'<dt>查询码</dt><dd class="mono big">(\w+)</dd>', html).group(1)
    caption = re.search(r"<figcaption>.*?</figcaption>", html, re.S).group(0).replace("<wbr>", "")
    assert f"/track/{tracking_code}" in caption and query_code not in caption


@pytest.mark.parametrize(
    ("changes", "files", "message"),
    [
        ({"name": "", "title": "", "content": ""}, [], "请填写姓名"),
        ({"title": "长" * 101}, [], "标题不能超过100字"),
        ({"content": "长" * 5001}, [], "信访内容不能超过5000字"),
        ({"phone": "12345"}, [], "联系电话格式不正确"),
        ({"id_number": "110101199001011234"}, [], "身份证号校验位不正确"),
        ({"case_type": "complaint"}, [], "不是有效的选择"),
        ({"consent": None}, [], "请阅读并同意个人信息保护告知"),
        ({}, [("病毒.exe", b"MZ\x90\x00")], "不是有效的 JPG、PNG 或 PDF 文件"),
        ({}, [("伪装.png", b"<html>not an image</html>")], "不是有效的 JPG、PNG 或 PDF 文件"),
        ({}, [("image.pdf", PNG)], "不是有效的 JPG、PNG 或 PDF 文件"),
        ({}, [("empty.png", b"")], "是空文件"),
        ({}, [(f"{i}.png", PNG) for i in range(6)], "最多上传5个附件"),
    ],
)
def test_bad_submissions_are_refused_with_a_message_and_create_nothing(app, client, staff, changes, files, message):
    response = post(client, files=files, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert count(app) == 0 and count(app, Attachment) == 0
    if changes.get("title") != "" and "content" not in changes:
        assert VALID["content"] in html  # what was typed is still on the page


def test_an_oversize_attachment_is_refused(app, client, staff):
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    try:
        response = post(client, files=[("big.png", PNG + b"\x00" * 2048)])
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 422
    assert "超过" in response.get_data(as_text=True) and count(app) == 0


def test_the_honeypot_creates_nothing(app, client, staff):
    response = post(client, website="http://spam.example")
    assert response.status_code == 400
    assert "提交未成功" in response.get_data(as_text=True) and count(app) == 0


def test_script_in_content_is_shown_to_staff_as_text(app, client, staff, login):
    post(client, content='<script>alert("x")</script>物业不作为', title="<b>粗体</b>")
    login("clerk")
    with app.app_context():
        case_id = db.session.execute(db.select(Case.id)).scalar_one()
    html = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>粗体</b>" not in html and "&lt;b&gt;粗体&lt;/b&gt;" in html
