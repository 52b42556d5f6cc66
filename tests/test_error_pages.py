"""Error pages in Chinese, as a page or as JSON under /api/, for what werkzeug raises itself (400, 404, 405, 413);
and the URL converters that turn an id no column can hold, or a control character in a path, into a 404."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadRequest

from tests.public.test_submission import VALID, count

ENGLISH = ("Not Found", "Method Not Allowed", "Request Entity Too Large", "Bad Request", "The requested URL")


def chinese_page(response, title: str) -> str:
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in text, text[:500]
    assert not any(words in text for words in ENGLISH), text[:500]
    return text


def test_404_is_chinese(client):
    chinese_page(client.get("/no-such-page"), "页面不存在")


def test_405_is_chinese_and_names_the_allowed_methods(client):
    response = client.put("/submit")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    chinese_page(response, "请求方式不正确")


def test_400_is_chinese(app):
    # What werkzeug raises for a request it cannot read, with its English description, through the app's handler.
    with app.test_request_context("/submit", method="POST"):
        response = app.make_response(app.handle_http_exception(BadRequest()))

    assert response.status_code == 400
    chinese_page(response, "请求有误")


def test_a_400_with_its_own_chinese_message_keeps_it(client, login):
    login("clerk")

    response = client.get("/staff/duty/?month=2026-13")

    assert response.status_code == 400
    assert "月份应为 YYYY-MM 格式" in chinese_page(response, "请求有误")


def test_413_is_chinese_on_a_page_and_in_the_api_and_creates_nothing(app, client, staff, monkeypatch):
    # RequestEntityTooLarge is raised while the form is read — in the CSRF check, before any view — and went to
    # werkzeug's English page because no handler was registered for 413.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)

    page = client.post("/submit", data={**VALID, "content": "长" * 4096})
    api = client.post("/api/v1/petitions", json={"title": "长" * 4096})

    assert page.status_code == api.status_code == 413
    assert "每个附件不超过10MB" in chinese_page(page, "提交的内容过大")
    assert api.json["error"] == "提交的内容过大" and "每个附件不超过10MB" in api.json["message"]
    assert count(app) == 0


def test_413_when_one_field_is_larger_than_a_form_may_hold(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FORM_MEMORY_SIZE", 1024)

    response = client.post("/submit", data={**VALID, "content": "长" * 1024}, content_type="multipart/form-data")

    assert response.status_code == 413
    chinese_page(response, "提交的内容过大")


def test_api_errors_from_werkzeug_are_json_in_chinese(client):
    response = client.put("/api/v1/petitions")

    assert response.status_code == 405 and response.json == {
        "error": "请求方式不正确",
        "message": "该地址不支持这种请求方式。",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/staff/cases/2147483648",  # one past PostgreSQL's integer: was a 500 there
        "/staff/cases/100000000000000000000",  # past SQLite's 64 bits: was a 500 there
        "/staff/duty/slots/2147483648/edit",
        "/staff/cases/1/attachments/99999999999999999999",
    ],
)
def test_an_id_no_column_can_hold_names_no_page(client, login, url):
    login("clerk")

    response = client.get(url)

    assert response.status_code == 404
    chinese_page(response, "页面不存在")


def test_the_largest_id_a_column_holds_is_still_looked_up(client, login):
    login("clerk")

    assert client.get("/staff/cases/2147483647").status_code == 404  # looked up, not found: no such case


@pytest.mark.parametrize("url", ["/track/XF%00", "/duty/feed/x%00y.ics", "/staff/duty/day/2026-12-0%01"])
def test_a_control_character_in_a_path_names_no_page(client, login, url):
    login("clerk")

    assert client.get(url).status_code == 404
