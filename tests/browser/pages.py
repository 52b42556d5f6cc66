"""Helpers the browser journeys share: screenshots at two widths, the overflow check, reading a facts list and the
receipt, signing out, and a phone number nobody has yet."""

from __future__ import annotations

import random
import re
from pathlib import Path

from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def snap(page: Page, artifacts: Path, name: str, *, check_overflow: bool = True) -> None:
    """Photograph the whole page at phone and at desktop width (``<name>-phone.png``, ``<name>-desktop.png``), then
    return to the previous width. With ``check_overflow`` nothing may stick out sideways at phone width (a
    full-page screenshot would silently cut it off)."""
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(artifacts / f"{name}-{label}.png"), full_page=True)
        if label == "phone" and check_overflow:
            offenders = overflowing(page)
            assert not offenders, f"{name}: wider than {PHONE['width']} px: {offenders}"
    page.set_viewport_size(size)


def overflowing(page: Page) -> list[str]:
    """Elements whose right edge is past the viewport, as short descriptions (empty when the page fits)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
            .filter(e => !e.closest('.table-wrap'))  // a wide table scrolls inside its own box
            .slice(0, 5)
            .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
                      + ` (${Math.round(e.getBoundingClientRect().right)} px)`);
    }""")


def sign_out(page: Page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r"/staff/login"))


def dd(page: Page, term: str, scope: str = ""):
    """The value next to ``term`` in a <dl class="facts"> (inside ``scope``, a CSS selector, if given)."""
    prefix = f"{scope} >> " if scope else ""
    return page.locator(f"{prefix}xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]").first


def read_receipt(page: Page) -> tuple[str, str]:
    """The tracking code and the query code printed on a receipt."""
    expect(page.locator("#receipt h1")).to_have_text("信访事项登记回执")
    tracking_code = dd(page, "信访件编号").inner_text().strip()
    query_code = dd(page, "查询码").inner_text().strip()
    assert re.fullmatch(r"XF\d{8}-[0-9A-Z]{6}", tracking_code), tracking_code
    assert re.fullmatch(r"[0-9A-Z]{10}", query_code), query_code
    return tracking_code, query_code


def fresh_phone(app) -> str:
    """A mobile number no petitioner in the database has (so no earlier cases are listed for it)."""
    from portal.cases.models import Petitioner
    from portal.extensions import db
    from portal.protection import matches

    rng = random.Random()
    with app.app_context():
        while True:
            phone = f"139{rng.randrange(10**8):08d}"
            known = db.select(Petitioner.id).where(matches(Petitioner.phone_index, "phone", phone))
            if db.session.execute(known).first() is None:
                return phone
