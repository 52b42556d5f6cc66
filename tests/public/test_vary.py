"""Vary names every request header a view chooses its answer by, so a cache never hands an htmx fragment to a full
page load or the fragment for one target to another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.web import HTMX_VARY

PORTAL = Path(__file__).resolve().parents[2] / "portal"
# flask-htmx's properties and the request header each one reads.
HTMX_PROPERTIES = {
    "target": "HX-Target",
    "trigger": "HX-Trigger",
    "trigger_name": "HX-Trigger-Name",
    "boosted": "HX-Boosted",
    "current_url": "HX-Current-URL",
    "prompt": "HX-Prompt",
    "history_restore_request": "HX-History-Restore-Request",
}


def vary(response) -> set[str]:
    return {h.strip().lower() for h in response.headers.get("Vary", "").split(",") if h.strip()}


def headers_the_code_reads() -> dict[str, set[str]]:
    """Each htmx request header the portal's code reads, with the modules that read it."""
    found: dict[str, set[str]] = {}
    for path in PORTAL.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        names = set()
        if re.search(r"\bif htmx\b|\bhtmx and\b|\bnot htmx\b|bool\(htmx\)", source):
            names.add("HX-Request")
        names |= {HTMX_PROPERTIES[p] for p in re.findall(r"\bhtmx\.(\w+)", source) if p in HTMX_PROPERTIES}
        names |= set(re.findall(r"request\.headers(?:\.get\(|\[)\s*[\"'](HX-[\w-]+)", source))
        for name in names:
            found.setdefault(name, set()).add(str(path.relative_to(PORTAL.parent)))
    return found


def test_every_htmx_header_a_view_reads_is_named_in_vary():
    read = headers_the_code_reads()
    assert {"HX-Request", "HX-Target"} <= set(read), "the scan still finds the reads it was written for"
    missing = {name: sorted(modules) for name, modules in read.items() if name not in HTMX_VARY}
    assert not missing, f"add these to portal.web.HTMX_VARY: {missing}"


@pytest.mark.parametrize(
    "path", ["/", "/submit", "/track", "/roster", "/stats", "/deadline", "/api/v1/stats", "/no-such-page"]
)
def test_every_response_varies_on_the_htmx_headers(client, staff, path):
    assert {"hx-request", "hx-target"} <= vary(client.get(path))


def test_the_progress_page_and_its_fragment_are_told_apart_by_hx_target(client, public_case, looked_up):
    code = public_case()
    looked_up(code)
    full = client.get(f"/track/{code}", headers={"HX-Request": "true"})
    fragment = client.get(f"/track/{code}", headers={"HX-Request": "true", "HX-Target": "progress"})
    # Same URL, same HX-Request: only HX-Target differs, so a cache must key on it.
    assert "<html" in full.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert {"hx-request", "hx-target"} <= vary(full) and {"hx-request", "hx-target"} <= vary(fragment)


def test_the_deadline_calculator_varies_on_hx_request(client):
    query = "/deadline?rule=accept&start=2026-09-30"
    page, fragment = client.get(query), client.get(query, headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert "hx-request" in vary(page) and "hx-request" in vary(fragment)
