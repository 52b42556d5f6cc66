"""What the accessibility checks share: axe-core run the way an assessor runs it, the 关怀版 switch, and a world of
cases (waiting, replied, confidential) whose progress pages a browser may open.

axe-core is vendored under tests/browser/vendor/ (see its README) and evaluated in the page through the DevTools
protocol, so the portal's Content-Security-Policy stays as it is and nothing is fetched from another host."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CARE_COOKIE = "care"


def axe_violations(page: Page, *, enhanced_contrast: bool) -> list[dict]:
    """Every axe violation (any impact) on the page as it is now, for the assessor's tags; with
    ``enhanced_contrast`` also WCAG's 7:1 rule (color-contrast-enhanced, a wcag2aaa rule the tags leave out)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    runs = [{"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}]
    if enhanced_contrast:
        runs.append({"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}, "resultTypes": ["violations"]})
    violations = []
    for options in runs:
        violations += page.evaluate("options => axe.run(document, options)", options)["violations"]
    return [
        {
            "id": rule["id"],
            "impact": rule["impact"],
            "nodes": [(n["target"], n.get("failureSummary", "")[:200]) for n in rule["nodes"][:4]],
        }
        for rule in violations
    ]


def set_care(context: BrowserContext, base: str, level: int) -> None:
    """Start a browser context in the 关怀版 (``level`` 1 or 2) or the standard version (0)."""
    context.clear_cookies(name=CARE_COOKIE)
    if level:
        context.add_cookies([{"name": CARE_COOKIE, "value": str(level), "url": base}])


@dataclass(frozen=True)
class Tracked:
    tracking_code: str
    query_code: str


def register(app, *, title: str, case_type: str = "claim") -> Tracked:
    from portal.cases import services
    from portal.cases.models import CaseType, Channel
    from portal.extensions import db

    with app.app_context():
        case, query_code = services.register_case(
            None,
            channel=Channel.ONLINE,
            case_type=CaseType(case_type),
            title=title,
            content="村口到镇上的道路坑洼多年，雨天无法通行，老人孩子出行困难，请求修缮。",
            petitioner_name="王秀英",
            phone="13907315566",
        )
        db.session.commit()
        return Tracked(case.tracking_code, query_code)


def look_up(page: Page, base: str, tracked: Tracked) -> None:
    page.goto(f"{base}/track")
    page.fill("#tracking_code", tracked.tracking_code)
    page.fill("#query_code", tracked.query_code)
    page.locator("main button.primary").click()
    page.wait_for_url(re.compile(re.escape(f"/track/{tracked.tracking_code}") + "$"))
