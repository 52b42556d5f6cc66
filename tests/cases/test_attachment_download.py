"""Downloading a petitioner's attachment from the case page: only for those who may see the materials (the identity
rule, 条例 art.30), only through its own case, never cached, never run as a page."""

from __future__ import annotations

import pytest

from portal.cases import attachments
from portal.cases.models import Status
from tests.factories import make_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 test"


def case_with_files(world, *, confidential: bool = False) -> dict:
    """An assigned housing case with a scan and a PDF; the ids of the case and of each file."""
    uploads = attachments.check_uploads([("来信扫描件.png", PNG), ("证明材料.pdf", PDF)])
    case = make_case(world, Status.ASSIGNED, confidential=confidential, attachments=uploads)
    png, pdf = case.attachments
    return {"case": case.id, "png": png.id, "pdf": pdf.id}


def url(case_id: int, attachment_id: int) -> str:
    return f"/staff/cases/{case_id}/attachments/{attachment_id}"


@pytest.mark.parametrize(
    "key, confidential, expected",
    [
        ("clerk", False, 200),
        ("clerk", True, 200),  # the petition office always sees who petitioned
        ("handler", False, 200),
        ("handler", True, 403),
        ("dept_head", True, 403),
        ("supervisor", True, 403),
        ("other_handler", False, 403),  # another department: may not even open the case
    ],
)
def test_only_those_who_may_see_the_materials_download_them(client, login, seed, key, confidential, expected):
    ids = seed(lambda world: case_with_files(world, confidential=confidential))
    login(key)

    response = client.get(url(ids["case"], ids["png"]))

    assert response.status_code == expected
    if expected == 200:
        assert response.data == PNG
    else:
        assert PNG not in response.data


def test_an_attachment_of_another_case_is_not_found_through_this_one(client, as_clerk, seed):
    first = seed(case_with_files)
    second = seed(case_with_files)

    response = client.get(url(first["case"], second["png"]))

    assert response.status_code == 404
    assert PNG not in response.data


def test_a_missing_attachment_is_not_found(client, as_clerk, seed):
    ids = seed(case_with_files)

    assert client.get(url(ids["case"], ids["pdf"] + 1000)).status_code == 404


@pytest.mark.parametrize("kind, mimetype", [("png", "image/png"), ("pdf", "application/pdf")])
def test_a_download_is_never_stored_and_never_runs_as_a_page(client, as_clerk, seed, kind, mimetype):
    ids = seed(case_with_files)

    response = client.get(url(ids["case"], ids[kind]))

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_is_downloaded_under_its_original_name_and_an_image_shown_inline(client, as_clerk, seed):
    ids = seed(case_with_files)

    pdf = client.get(url(ids["case"], ids["pdf"]))
    png = client.get(url(ids["case"], ids["png"]))

    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%AF%81%E6%98%8E%E6%9D%90%E6%96%99.pdf" in pdf.headers["Content-Disposition"]
    assert png.headers["Content-Disposition"].startswith("inline;")
