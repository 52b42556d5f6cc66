"""The site icon: /favicon.ico answers on every host path browsers guess, and every page links the icon."""

from __future__ import annotations

import re
import struct

import pytest


def test_favicon_ico_is_an_icon_with_the_usual_sizes(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert "max-age=86400" in response.headers["Cache-Control"]
    data = response.data
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "an ICO file's header"
    sizes = {data[6 + 16 * i] for i in range(count)}
    assert {16, 32, 48} <= sizes
    assert data.count(b"\x89PNG") == count, "each size is a PNG inside the icon"


def test_the_svg_icon_is_served_as_svg(client):
    response = client.get("/static/img/favicon.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")


@pytest.mark.parametrize(
    "path", ["/", "/submit", "/track", "/roster", "/stats", "/deadline", "/privacy", "/staff/login", "/no-such-page"]
)
def test_every_page_links_both_icons_in_its_head(client, staff, path):
    html = client.get(path).get_data(as_text=True)
    head = html[: html.index("</head>")]
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', head)
    assert [href.split("?v=")[0] for href in icons] == ["/favicon.ico", "/static/img/favicon.svg"]  # ?v= fingerprint
    for href in icons:
        assert client.get(href).status_code == 200
