"""Static files carry their hash in the URL, are cached for a year and gzipped; pages with a CSRF token are not
compressed (BREACH)."""

import gzip
import re
from pathlib import Path

import pytest
from flask import url_for

from portal.config import ROOT


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _url(app, filename):
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_the_url_carries_the_file_hash(app):
    url = _url(app, "css/portal.css")
    assert re.fullmatch(r"/static/css/portal\.css\?v=[0-9a-f]{12}", url)


def test_a_fingerprinted_url_is_cached_for_a_year_and_gzipped(app, client):
    response = client.get(_url(app, "css/portal.css"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data) == (Path(ROOT) / "static/css/portal.css").read_bytes()


def test_a_stale_or_missing_hash_is_not_cached_long(client):
    response = client.get("/static/css/portal.css?v=000000000000")
    assert "max-age=31536000" not in response.headers.get("Cache-Control", "")


def test_without_accept_encoding_the_file_is_sent_plain(app, client):
    response = client.get(_url(app, "css/portal.css"))
    assert "Content-Encoding" not in response.headers
    assert response.data == (Path(ROOT) / "static/css/portal.css").read_bytes()


def test_a_page_with_a_csrf_token_is_never_compressed(client):
    response = client.get("/staff/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert b'name="csrf_token"' in response.data
    assert "Content-Encoding" not in response.headers
