"""Response headers every page carries (no-store where a case or a person's data is shown, HSTS over HTTPS) and the
host the portal builds links on: PUBLIC_BASE_URL, or a host from TRUSTED_HOSTS — never one a client merely sent."""

from __future__ import annotations

import pytest

from portal import config
from portal.cases import codes
from portal.cases.models import Case, Status
from portal.extensions import db
from tests.factories import make_case
from tests.public.test_api import PETITION
from tests.public.test_submission import VALID, count, post

STAFF_PAGES = (
    "/staff/",
    "/staff/cases/",
    "/staff/cases/{case_id}",
    "/staff/cases/new",
    "/staff/ledgers/",
    "/staff/ledgers/assigned",
    "/staff/work/",
    "/staff/duty/",
    "/staff/reception/",
)


# --- Cache-Control: no-store ---------------------------------------------------------------------------------
def test_every_staff_page_and_fragment_says_no_store(client, login, seed):
    case_id = seed(lambda w: make_case(w, Status.ASSIGNED).id)
    login("clerk")

    for url in STAFF_PAGES:
        url = url.format(case_id=case_id)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 400, url
            assert "no-store" in response.headers["Cache-Control"], (url, headers)
    refused = client.get("/staff/cases/2147483647")  # an error page of the staff area is a staff page too
    assert refused.status_code == 404 and "no-store" in refused.headers["Cache-Control"]


def test_the_sign_in_page_and_a_redirect_to_it_say_no_store(client):
    for url in ("/staff/login", "/staff/cases/"):
        assert "no-store" in client.get(url).headers["Cache-Control"], url


QUERY_CODE = "ACDEF34679"


def _replied_case(world) -> str:
    case = make_case(world, Status.REPLIED)
    case.query_code_hash = codes.hash_query_code(QUERY_CODE)
    return case.tracking_code


def test_the_lookup_and_progress_pages_say_no_store_and_public_pages_stay_cacheable(client, seed):
    code = seed(_replied_case)

    assert "no-store" in client.get("/track").headers["Cache-Control"]
    assert "no-store" in client.get(f"/track/{code}").headers["Cache-Control"]  # the form, code filled in
    assert client.post("/track", data={"tracking_code": code, "query_code": QUERY_CODE}).status_code == 303
    progress = client.get(f"/track/{code}")
    assert progress.status_code == 200 and "no-store" in progress.headers["Cache-Control"]
    assert "no-store" in client.post("/track", data={"tracking_code": code, "query_code": "X"}).headers["Cache-Control"]
    lookup = client.post("/api/v1/lookup", json={"tracking_code": code, "query_code": QUERY_CODE})
    assert lookup.status_code == 200 and "no-store" in lookup.headers["Cache-Control"]
    for url in ("/", "/roster", "/stats", "/deadline"):  # nothing personal: a cache may keep them
        assert "no-store" not in client.get(url).headers.get("Cache-Control", ""), url


# --- HSTS ----------------------------------------------------------------------------------------------------
def test_hsts_is_sent_when_cookies_are_secure_and_not_otherwise(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers

    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    for url in ("/", "/staff/login", "/api/v1/openapi.json", "/no-such-page"):
        assert client.get(url).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", url


# --- trusted hosts -------------------------------------------------------------------------------------------
def test_by_default_the_portal_trusts_only_local_names_and_the_public_address():
    assert config.load({"TRUSTED_HOSTS": []})["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]
    public = config.load({"TRUSTED_HOSTS": [], "PUBLIC_BASE_URL": "https://xinfang.example.gov.cn/"})
    assert public["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1", "xinfang.example.gov.cn"]
    listed = config.load({"TRUSTED_HOSTS": ["xinfang.county.gov.cn", "10.1.2.3"]})
    assert listed["TRUSTED_HOSTS"] == ["xinfang.county.gov.cn", "10.1.2.3"]


@pytest.mark.parametrize("url", ["/", "/submit", "/staff/login", "/api/v1/openapi.json", "/no-such-page"])
def test_a_request_for_an_untrusted_host_gets_a_chinese_400(client, url):
    response = client.get(url, base_url="http://evil.example")

    assert response.status_code == 400
    assert "不是本系统的地址" in response.get_data(as_text=True)


def test_a_signed_in_request_through_an_untrusted_host_gets_the_same_400(client, login):
    # Whatever runs before a view (the session check, the audit address) must not need a URL either.
    login("clerk")

    for method, url in (("GET", "/staff/"), ("GET", "/staff/cases/"), ("POST", "/staff/logout")):
        response = client.open(url, method=method, base_url="http://evil.example")
        assert response.status_code == 400, url
        assert "不是本系统的地址" in response.get_data(as_text=True)
    assert client.get("/staff/cases/").status_code == 200  # still signed in: the refused logout did nothing


def test_a_submission_through_an_untrusted_host_creates_nothing(app, client, staff):
    assert post(client).status_code == 201  # the same form through a trusted host works
    before = count(app)

    form = client.post("/submit", data=VALID, base_url="http://evil.example")
    api = client.post("/api/v1/petitions", json=PETITION, base_url="http://evil.example")

    assert form.status_code == api.status_code == 400
    assert count(app) == before


def test_receipt_qr_and_api_lookup_url_use_the_public_address_whatever_host_the_request_used(
    app, client, staff, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://xinfang.example.gov.cn")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost", "10.0.0.5"])

    response = client.post("/submit", data=VALID, base_url="http://10.0.0.5")
    api = client.post("/api/v1/petitions", json=PETITION, base_url="http://10.0.0.5")

    page = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "https://xinfang.example.gov.cn/track/XF" in page.replace("<wbr>", "") and "10.0.0.5" not in page
    assert api.json["lookup_url"].startswith("https://xinfang.example.gov.cn/track/XF")


def test_without_a_public_address_links_use_the_trusted_host_the_request_came_in_on(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost", "xinfang.intranet"])

    api = client.post("/api/v1/petitions", json=PETITION, base_url="http://xinfang.intranet")

    assert api.status_code == 201
    assert api.json["lookup_url"] == f"http://xinfang.intranet/track/{api.json['tracking_code']}"
    with app.app_context():
        assert db.session.execute(db.select(Case).filter_by(tracking_code=api.json["tracking_code"])).scalar_one()


def test_with_the_host_check_switched_off_links_never_take_the_request_host(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", None)

    api = client.post("/api/v1/petitions", json=PETITION, base_url="http://evil.example")

    assert api.status_code == 201
    assert api.json["lookup_url"].startswith("http://localhost/track/")
