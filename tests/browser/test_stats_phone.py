"""/stats on a 390 × 844 phone: axe finds nothing serious or critical, the wide department table turns into one card
per department (issue 17: readable on a phone in both versions), and no number breaks across lines.

axe-core is vendored under tests/browser/vendor/ (see its README) and evaluated in the page through the DevTools
protocol, so the portal's Content-Security-Policy stays as it is and nothing is fetched from another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.a11y import AXE
from tests.browser.pages import PHONE

pytestmark = pytest.mark.browser

REGION = "section[aria-labelledby='stats-departments'] [role='region']"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def axe_findings(page: Page) -> list[dict]:
    """axe's serious and critical findings on the page as it is now: its violations, and the checks it could not
    decide (a background it cannot read, such as a gradient behind a table, hides contrast from it). The SVG charts
    are left out of the undecided ones: axe never reads a colour behind SVG text, and a chart is one role="img"."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations', 'incomplete']})")
    findings = []
    for kind in ("violations", "incomplete"):
        for rule in result[kind]:
            nodes = [n["target"] for n in rule["nodes"] if kind == "violations" or "svg" not in str(n["target"])]
            if rule["impact"] in ("serious", "critical") and nodes:
                findings.append({"kind": kind, "id": rule["id"], "impact": rule["impact"], "nodes": nodes[:5]})
    return findings


def open_chart_tables(page: Page) -> None:
    page.locator("details.chart-data summary").evaluate_all("summaries => summaries.forEach(s => s.click())")
    assert page.locator("details.chart-data[open]").count() == 2


def test_stats_has_no_serious_or_critical_axe_violations_on_a_phone(phone, live_server):
    phone.goto(f"{live_server['url']}/stats")
    assert axe_findings(phone) == []
    # the charts' data tables too, once opened
    open_chart_tables(phone)
    assert axe_findings(phone) == []


def test_on_a_phone_each_department_is_a_card_with_every_figure_under_its_name(phone, live_server, artifacts):
    phone.goto(f"{live_server['url']}/stats")
    region = phone.locator(REGION)
    section = phone.locator("section[aria-labelledby='stats-departments']")
    assert region.count() == 1
    caption = phone.locator(f"#{region.get_attribute('aria-labelledby')}")
    assert caption.evaluate("e => e.tagName") == "CAPTION"
    assert "各责任单位" in caption.inner_text()

    size = region.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth, page: document.body.scrollWidth})")
    # eight columns do not fit 390 px: each row becomes a card, so neither the table nor the page scrolls sideways
    assert size["scroll"] <= size["client"], size
    assert size["page"] <= PHONE["width"], size
    first = section.locator("tbody tr").first
    labels = first.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels[:2] == ['"信访件"', '"及时受理率"'], labels
    name, figure = first.locator("th"), first.locator("td").first
    assert name.bounding_box()["y"] < figure.bounding_box()["y"], "the department's name heads its card"
    section.screenshot(path=str(artifacts / "stats-phone-departments.png"))


def test_no_number_in_the_tables_wraps(phone, live_server):
    phone.goto(f"{live_server['url']}/stats")
    open_chart_tables(phone)
    # Each text of a numeric cell ("12", "85.7%", "6/7") must lie on one line box: one client rect per text node,
    # no taller than one line of its element.
    wrapped = phone.evaluate("""() => {
        const out = [];
        let checked = 0;
        for (const cell of document.querySelectorAll('.stats-table td.num')) {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.textContent.trim()) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                const rects = [...range.getClientRects()].filter(r => r.width > 0);
                const style = getComputedStyle(node.parentElement);
                const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
                checked += 1;
                if (rects.length !== 1 || rects[0].height > line * 1.2)
                    out.push(`${node.textContent.trim()} (${rects.length} lines, ${Math.round(rects[0]?.height)} px)`);
            }
        }
        return {checked, wrapped: out.slice(0, 10)};
    }""")
    assert wrapped["checked"] > 100, wrapped  # 13 demo departments × 7 figures, plus the charts' tables
    assert wrapped["wrapped"] == [], wrapped
