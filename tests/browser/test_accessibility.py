"""Every public page checked like an assessor would (issue 17): axe-core with the tags wcag2a, wcag2aa, wcag21a,
wcag21aa, wcag22aa and best-practice — plus the enhanced (7:1) contrast rule in the 关怀版 — finds no violation of
any impact, in both versions, at 390 and at 1280 px. The pages include their error states (a form sent empty, a
wrong pair of codes), the receipt, and the progress page of a waiting, a replied and a confidential case.

Each page is also photographed into test-artifacts/ (a11y-<version>-<width>-<page>.png) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import Tracked, axe_violations, look_up, register, set_care
from tests.browser.test_public_journey import fill_submission, reply_to

pytestmark = pytest.mark.browser

WIDTHS = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def world(live_server):
    app = live_server["app"]
    # Four runs each send the form twice from this one address: more than a person's rate limit allows.
    limit, app.config["SUBMIT_RATE_LIMIT"] = app.config["SUBMIT_RATE_LIMIT"], "1000 per hour"
    waiting = register(app, title="村道坑洼雨天无法通行")
    replied = register(app, title="村道修缮答复后待评价")
    reply_to(app, replied.tracking_code)
    secret = register(app, title="检举村干部优亲厚友", case_type="accusation")
    yield {"waiting": waiting, "replied": replied, "secret": secret}
    app.config["SUBMIT_RATE_LIMIT"] = limit


def public_pages(page: Page, base: str, world: dict[str, Tracked]):
    """(name, how to get there) for every public page and state."""

    def go(path):
        return lambda: page.goto(f"{base}{path}")

    def submit_empty():
        page.goto(f"{base}/submit")
        page.locator("main form button.primary").click()
        expect(page.locator(".flash-error")).to_be_visible()

    def receipt():
        page.goto(f"{base}/submit")
        fill_submission(page, name="李桂芝", phone="13907310001", title="养老保险待遇未按时发放")
        page.locator("main form button.primary").click()
        expect(page.locator("#receipt")).to_be_visible()

    def wrong_pair():
        page.goto(f"{base}/track")
        page.fill("#tracking_code", world["waiting"].tracking_code)
        page.fill("#query_code", "0000000000")
        page.locator("main button.primary").click()
        expect(page.locator(".flash-error")).to_be_visible()

    def progress(key):
        return lambda: look_up(page, base, world[key])

    def rated_empty():
        look_up(page, base, world["replied"])
        page.locator("form[action$='/evaluate'] button.primary").click()
        expect(page.locator("#progress .flash-error")).to_be_visible()

    def stats_tables():
        page.goto(f"{base}/stats")
        page.locator("details.chart-data:not([open]) summary").evaluate_all("s => s.forEach(x => x.click())")

    return [
        ("home", go("/")),
        ("submit", go("/submit")),
        ("submit-errors", submit_empty),
        ("receipt", receipt),
        ("lookup", go("/track")),
        ("lookup-wrong", wrong_pair),
        ("progress-waiting", progress("waiting")),
        ("progress-replied", progress("replied")),
        ("progress-rating-errors", rated_empty),
        ("progress-secret", progress("secret")),
        ("basis", go("/basis")),
        ("privacy", go("/privacy")),
        ("roster", go("/roster")),
        ("stats", stats_tables),
        ("deadline", go("/deadline?rule=handle&start=2026-11-02")),
        ("login", go("/staff/login")),
        ("not-found", go("/no-such-page")),
    ]


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("care", [0, 1], ids=["standard", "care"])
def test_no_axe_violation_on_any_public_page(browser, live_server, world, artifacts: Path, care: int, width: int):
    base = live_server["url"]
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
    set_care(context, base, care)
    page = context.new_page()
    page.set_default_timeout(15000)
    found = {}
    try:
        for name, open_page in public_pages(page, base, world):
            open_page()
            assert ("care" in (page.locator("html").get_attribute("class") or "").split()) == bool(care), name
            page.screenshot(
                path=str(artifacts / f"a11y-{'care' if care else 'standard'}-{width}-{name}.png"), full_page=True
            )
            violations = axe_violations(page, enhanced_contrast=bool(care))
            if violations:
                found[name] = violations
    finally:
        context.close()
    assert found == {}, "\n".join(
        f"{name}: {v['id']} ({v['impact']}) {target} {summary}"
        for name, violations in found.items()
        for v in violations
        for target, summary in v["nodes"]
    )
