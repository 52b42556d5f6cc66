"""A crawl of everything the public can reach: no page loads anything from another host (intranets are often
offline), and no petitioner's phone number, ID number or full name appears in any public HTML or JSON. The written
notices a petitioner downloads after the lookup (PDF, read back with pdftotext) are letters addressed to them by
name, as delivered on paper; they never carry a phone number, an ID number or an address."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from portal.cases.models import CaseType, Status
from tests.public.conftest import QUERY_CODE

PEOPLE = [
    ("欧阳娜娜", "13912345678", "110101199001011237"),
    ("司马长风", "13807310000", "430102198507150011"),
    ("王秀英", "0731-84567890", None),
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "poster", "data", "formaction") and value:
                self.urls.append((tag, value))
            if name == "srcset" and value:
                self.urls.extend((tag, part.split()[0]) for part in value.split(",") if part.strip())


def links_of(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def is_foreign(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) and parts.hostname not in ("localhost", "127.0.0.1")


def seed_public_world(public_case, seed):
    from portal.duty.models import DutySlot, Form, Period
    from portal.extensions import db

    codes = []
    for i, (name, phone, id_number) in enumerate(PEOPLE):
        status = [Status.REPLIED, Status.IN_PROGRESS, Status.FINAL][i]
        codes.append(
            public_case(
                status,
                petitioner_name=name,
                phone=phone,
                id_number=id_number,
                title=f"反映事项{i}",
                # 复查/复核 (to FINAL) are for claims only (条例 art.35–36)
                case_type=[CaseType.SUGGESTION, CaseType.ACCUSATION, CaseType.CLAIM][i],
            )
        )

    def duty(world):
        for days in (2, 5, 9):
            db.session.add(
                DutySlot(
                    day=dt.date.today() + dt.timedelta(days=days),
                    period=Period.MORNING,
                    leader=world.leader,
                    place="县人民来访接待中心",
                    form=Form.FIXED,
                    topics="信访、住建",
                    published=True,
                )
            )

    seed(duty)
    return codes


BINARY = {"image/vnd.microsoft.icon", "image/x-icon", "image/png"}


def crawl(client, start_urls):
    seen, queue, pages = set(), list(start_urls), {}
    while queue:
        url = queue.pop()
        path = urlsplit(url).path or "/"
        if path in seen or path.startswith("/staff"):
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype in BINARY:
            continue  # an icon carries no text to leak
        if response.mimetype == "application/pdf":
            text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True)
            pages[path] = (response.mimetype, "".join(text.stdout.decode("utf-8").split()))
            continue
        body = response.get_data(as_text=True)
        pages[path] = (response.mimetype, body)
        if response.mimetype == "text/html":
            for _tag, link in links_of(body):
                if not is_foreign(link) and not link.startswith(("mailto:", "tel:", "#")):
                    queue.append(urljoin(f"http://localhost{path}", link))
    return pages


def test_public_pages_load_nothing_from_other_hosts_and_leak_no_identity(client, public_case, seed, looked_up):
    codes = seed_public_world(public_case, seed)
    for code in codes:
        looked_up(code)
    pages = crawl(
        client,
        [
            "/",
            "/submit",
            "/track",
            "/roster",
            "/stats",
            "/deadline",
            "/privacy",
            "/api/v1/openapi.json",
            "/api/v1/roster",
            "/api/v1/stats",
            "/api/v1/deadline?rule=accept&start=2026-09-30",
        ]
        + [f"/track/{c}" for c in codes],
    )
    for code in codes:  # the looked-up progress pages are part of what the public sees
        assert f"/track/{code}" in pages and "办理进度" in pages[f"/track/{code}"][1]
    for code in codes:
        response = client.post("/api/v1/lookup", json={"tracking_code": code, "query_code": QUERY_CODE})
        pages[f"lookup:{code}"] = ("application/json", response.get_data(as_text=True))
    assert {"/", "/submit", "/track", "/roster", "/stats", "/privacy", "/deadline"} <= set(pages)
    assert any(mimetype == "application/pdf" for mimetype, _ in pages.values()), "no written notice was crawled"

    for path, (mimetype, body) in pages.items():
        if mimetype == "text/html":
            foreign = [link for _, link in links_of(body) if is_foreign(link)]
            assert not foreign, f"{path} links to other hosts: {foreign}"
            assert not re.search(r"""(src|href)\s*=\s*["']?//""", body), f"{path} has a protocol-relative URL"
        for name, phone, id_number in PEOPLE:
            addressed = mimetype == "application/pdf"  # a notice names its addressee, and only that
            for secret in filter(None, (None if addressed else name, phone, id_number, phone.replace("-", ""))):
                assert secret not in body, f"{path} shows {secret}"
        assert "城关镇幸福路1号" not in body, f"{path} shows an address"


def test_stylesheets_and_scripts_reference_no_other_host(app):
    from pathlib import Path

    static = Path(app.static_folder)
    for path in list(static.rglob("*.css")) + list(static.rglob("*.js")):
        text = path.read_text(errors="ignore")
        urls = re.findall(r"url\(\s*['\"]?(https?:)?//", text)
        assert not urls, f"{path} loads from another host"
        if path.suffix == ".css":
            assert "@import" not in text or "http" not in text
