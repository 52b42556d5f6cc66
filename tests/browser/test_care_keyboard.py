"""The 关怀版 with the keyboard alone (issue 17): a petitioner on a phone-sized screen switches to the 关怀版, submits a
petition, looks it up from the receipt, and rates the reply — Tab, Shift+Tab, the arrow keys, Space and Enter only,
each focused control showing a visible ring. Then what the 关怀版 promises is measured on the pages seen: text at
least 18 px, line spacing at least 1.3, the space between paragraphs larger than a line's height, targets at least
44 px; and 朗读 reads
with an on-device Chinese voice only, or says there is none."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import PHONE, read_receipt
from tests.browser.test_public_journey import reply_to

pytestmark = pytest.mark.browser

FOCUS_RING = """() => {
    const e = document.activeElement, s = getComputedStyle(e);
    return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').trim().slice(0, 20),
            ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 3};
}"""


def tab_to(page: Page, selector: str, *, limit: int = 80, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``selector`` has the focus; every stop on the way shows its ring."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUS_RING)
        assert focused["ring"], f"no visible focus on {focused}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"the keyboard never reached {selector}")


def test_submit_look_up_and_rate_with_the_keyboard_alone_in_the_care_version(browser, live_server, artifacts):
    base, app = live_server["url"], live_server["app"]
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{base}/")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "跳到主要内容"
        expect(page.locator(".skip-link")).to_be_in_viewport()  # it shows when focused
        tab_to(page, "a[data-care-level='1']")
        page.keyboard.press("Enter")
        expect(page.locator("html")).to_have_class(re.compile(r"\bcare\b"))
        assert page.evaluate("() => document.activeElement.textContent") == "返回标准版"
        assert any(c["name"] == "care" and c["value"] == "1" for c in context.cookies())

        tab_to(page, "a.tile.primary")  # 我要信访
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("html")).to_have_class(re.compile(r"\bcare\b"))  # kept across pages
        tab_to(page, "#name")
        page.keyboard.type("赵桂香")
        tab_to(page, "#phone")
        page.keyboard.type("13907312468")
        tab_to(page, "input[name=case_type]")
        for _ in range(3):  # the arrow keys move within the group: 建议意见类 → 检举控告类 → 申诉求决类
            if page.locator("input[name=case_type][value=claim]").is_checked():
                break
            page.keyboard.press("ArrowDown")
        expect(page.locator("input[name=case_type][value=claim]")).to_be_checked()
        tab_to(page, "#title")
        page.keyboard.type("低保待遇停发未告知原因")
        tab_to(page, "#content")
        page.keyboard.type("本人今年七十二岁，独居。今年9月起低保金停发，村里和镇里都没有告知原因，请求查明并恢复。")
        tab_to(page, "#consent")
        page.keyboard.press("Space")
        expect(page.locator("#consent")).to_be_checked()
        tab_to(page, "main form button.primary")
        page.keyboard.press("Enter")
        tracking_code, query_code = read_receipt(page)
        page.screenshot(path=str(artifacts / "care-keyboard-receipt.png"), full_page=True)

        tab_to(page, ".receipt-page a.button.secondary")  # 去查询
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#tracking_code")).to_have_value(tracking_code)
        tab_to(page, "#query_code")
        page.keyboard.type(query_code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"/track/{tracking_code}")
        expect(page.locator("#speak-next")).to_contain_text("告诉您是否受理")

        reply_to(app, tracking_code)  # the office answers; the petitioner comes back later
        page.reload()
        expect(page.locator(".case-head .status")).to_have_text("已答复")
        tab_to(page, "input[name=acceptance]")
        page.keyboard.press("Space")  # the first answer, 满意
        tab_to(page, "input[name=handling]")
        page.keyboard.press("ArrowRight")  # 满意 → 基本满意
        tab_to(page, "#comment")
        page.keyboard.type("答复清楚，谢谢。")
        tab_to(page, "form[action$='/evaluate'] button.primary")
        page.keyboard.press("Enter")
        rated = page.locator("section", has=page.locator("h2", has_text="您的评价"))
        expect(rated).to_contain_text("受理：满意；办理：基本满意")
        expect(page.locator("html")).to_have_class(re.compile(r"\bcare\b"))
        page.screenshot(path=str(artifacts / "care-keyboard-rated.png"), full_page=True)

        assert care_measurements(page) == {"small": [], "tight": [], "paragraphs": [], "targets": []}
        page.goto(f"{base}/submit")
        assert care_measurements(page) == {"small": [], "tight": [], "paragraphs": [], "targets": []}
    finally:
        context.close()


def care_measurements(page: Page) -> dict:
    """What the 关怀版 promises, measured on the page: text ≥ 18 px, line height ≥ 1.3, paragraph spacing larger than
    the line spacing, and controls (buttons, fields, the switch) at least 44 px tall. Offenders, a few of each."""
    return page.evaluate("""() => {
        const visible = e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
            && !e.closest('.visually-hidden, .sr-only, .hp, svg');
        const out = {small: [], tight: [], paragraphs: [], targets: []};
        const name = e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`;
        for (const e of document.querySelectorAll('main *, header *, footer *')) {
            if (!visible(e)) continue;
            const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            if (!own) continue;
            const s = getComputedStyle(e), size = parseFloat(s.fontSize);
            if (size < 18) out.small.push(`${name(e)} ${size}px`);
            const line = s.lineHeight === 'normal' ? size * 1.2 : parseFloat(s.lineHeight);
            if (line / size < 1.3 && !['INPUT', 'SELECT', 'BUTTON', 'OPTION'].includes(e.tagName))
                out.tight.push(`${name(e)} ${(line / size).toFixed(2)}`);
        }
        for (const p of document.querySelectorAll('main p')) {
            if (!visible(p) || !p.nextElementSibling || p.nextElementSibling.tagName !== 'P') continue;
            const s = getComputedStyle(p);
            const after = getComputedStyle(p.nextElementSibling);
            const gap = Math.max(parseFloat(s.marginBottom), parseFloat(after.marginTop));
            const line = parseFloat(s.lineHeight);
            if (!(gap > line)) out.paragraphs.push(`${name(p)} ${gap} vs ${line}`);
        }
        const controls = 'button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, '
            + '.care-switch a, label.choice';
        for (const e of document.querySelectorAll(controls)) {
            if (!visible(e)) continue;
            const h = e.getBoundingClientRect().height;
            if (h < 44) out.targets.push(`${name(e)} ${Math.round(h)}px`);
        }
        for (const k in out) out[k] = out[k].slice(0, 6);
        return out;
    }""")


SPEECH_STUB = """(() => {
    const voices = %s;
    window.__spoken = [];
    const synth = {
        getVoices: () => voices, speak: u => { window.__spoken.push({text: u.text, voice: u.voice && u.voice.name}); },
        cancel: () => {}, addEventListener: () => {},
    };
    Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();"""


@pytest.mark.parametrize(
    "voices, expected",
    [
        (
            "[{name: 'Ting-Ting', lang: 'zh-CN', localService: true},"
            " {name: 'Google 普通话', lang: 'zh-CN', localService: false}]",
            "Ting-Ting",
        ),
        (
            "[{name: 'Google 普通话', lang: 'zh-CN', localService: false},"
            " {name: 'Alex', lang: 'en-US', localService: true}]",
            None,
        ),
        ("[]", None),
    ],
    ids=["local-chinese-voice", "only-a-network-chinese-voice", "no-voice"],
)
def test_reading_aloud_uses_on_device_chinese_voices_only(browser, live_server, voices, expected):
    from tests.browser.a11y import look_up, register

    base = live_server["url"]
    tracked = register(live_server["app"], title="朗读测试：村道修缮")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_init_script(SPEECH_STUB % voices)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        look_up(page, base, tracked)
        button = page.get_by_role("button", name="朗读办理进度")
        button.click()
        status = page.locator(".next-step [data-speak-status]")
        spoken = page.evaluate("() => window.__spoken")
        if expected is None:
            expect(status).to_have_text("本机没有中文朗读语音")
            assert spoken == []
        else:
            expect(status).to_contain_text(f"正在朗读（{expected}）")
            spoken = page.evaluate("() => window.__spoken")
            assert [s["voice"] for s in spoken] == [expected]
            # the stage, what happens next (by when), and the deadline
            assert "已登记" in spoken[0]["text"] and "告诉您是否受理" in spoken[0]["text"]
            assert "受理告知期限" in spoken[0]["text"]
            expect(page.get_by_role("button", name="停止朗读")).to_be_visible()
    finally:
        context.close()
