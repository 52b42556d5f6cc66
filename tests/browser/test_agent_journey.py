"""The grassroots network on a 390-px phone with JavaScript switched off: a village agent takes one matter from
registration through local mediation, and another through carrying up to a case, feedback and follow-up; the
village cadre reports a dispute and turns it into a case in two clicks; the county sees the reporting board."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import PHONE, snap

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda u: "/staff/login" not in u)


def register(page: Page, url: str, name: str, title: str) -> None:
    page.goto(f"{url}/agent/")
    page.click("text=登记新事项")
    page.fill("#name", name)
    page.fill("#phone", "13907458801")
    page.select_option("#channel", "visit")
    page.fill("#title", title)
    page.fill("#content", f"{name}反映：{title}，请代理员帮助协调解决。")
    page.fill("#place", "青石村下陈组")
    page.click("button:has-text('登记备案')")
    expect(page.locator("h1")).to_have_text(title)


def commit(page: Page) -> None:
    page.set_input_files("#scan", files=[{"name": "承诺书.png", "mimeType": "image/png", "buffer": PNG}])
    page.click("button:has-text('记录委托')")
    expect(page.locator(".flash-success")).to_contain_text("已记录委托")


def test_an_agent_mediates_one_matter_and_carries_another_up_on_a_phone_without_javascript(
    phone: Page, live_server, artifacts
):
    url = live_server["url"]
    sign_in(phone, url, "agent")
    expect(phone).to_have_url(re.compile(r"/agent/$"))
    snap(phone, artifacts, "agent-desk")

    # 1. registration through local mediation
    register(phone, url, "曾小满", "水渠堵塞影响灌溉")
    snap(phone, artifacts, "agent-matter-registered")
    matter_url = phone.url
    phone.goto(phone.url + "/commitment")
    expect(phone.locator("h1")).to_contain_text("群众信访双向承诺书")
    expect(phone.locator("body")).to_contain_text("不准接受礼品")
    snap(phone, artifacts, "agent-commitment")
    phone.goto(matter_url)
    commit(phone)
    phone.click("#mediate summary")
    phone.fill("#parties", "曾小满、上游农户、村调委会")
    phone.fill("#outcome", "上游农户当天清理水渠，保证轮灌。")
    phone.fill("#agreement_text", "双方同意按轮灌次序用水。")
    phone.check("#villager_confirmed")
    snap(phone, artifacts, "agent-mediation-form")
    phone.click("button:has-text('记录调处结果')")
    expect(phone.locator(".flash-success")).to_contain_text("已记录本级调处")
    expect(phone.locator("#matter-timeline")).to_contain_text("本级调处")
    snap(phone, artifacts, "agent-mediated")

    # 2. registration through carrying up, feedback and follow-up
    register(phone, url, "朱春来", "危房改造补助未发放")
    commit(phone)
    phone.click("#carry-up summary")
    phone.check("#confirm")
    phone.click("button:has-text('代为提出')")
    flash = phone.locator(".flash-success")
    expect(flash).to_contain_text("查询码")
    assert re.search(r"信访件 XF\d{8}-[0-9A-Z]{6}", flash.inner_text())
    expect(phone.locator("#case-progress")).to_contain_text("信访件办理进度")
    expect(phone.locator("#case-progress .stepper")).to_be_visible()
    snap(phone, artifacts, "agent-carried-up")
    phone.fill("#text", "已告知信访人：此件已由县信访局登记，将在规定期限内告知是否受理。")
    phone.check("input[name='rating'][value='satisfied']")
    phone.click("button:has-text('记录反馈')")
    expect(phone.locator(".flash-success")).to_contain_text("已记录反馈结果")
    phone.fill("#text", "上门回访，信访人情绪稳定，无新的隐患。")
    phone.click("button:has-text('记录回访')")
    expect(phone.locator(".flash-success")).to_contain_text("本事项办结")
    titles = phone.locator("#matter-timeline strong").all_inner_texts()
    assert titles == ["回访巩固", "反馈结果", "代言代访", "委托", "登记备案"]
    snap(phone, artifacts, "agent-closed")

    phone.goto(f"{url}/agent/ratings")
    snap(phone, artifacts, "agent-ratings")


def test_a_village_cadre_turns_a_dispute_into_a_case_in_two_clicks_and_the_county_sees_the_board(
    phone: Page, live_server, artifacts
):
    url = live_server["url"]
    sign_in(phone, url, "village")
    expect(phone).to_have_url(re.compile(r"/screening/$"))
    phone.fill("#party", "黄某")
    phone.fill("#party_phone", "13907458802")
    phone.select_option("#kind", "environment")
    phone.fill("#place", "青石村下南山")
    phone.select_option("#risk", "medium")
    phone.fill("#summary", "桶装水生产线影响下陈组饮用水源，村民情绪激动。")
    phone.fill("#action_taken", "村代理员已约双方面谈。")
    phone.click("button:has-text('上报')")
    expect(phone.locator(".flash-success")).to_contain_text("纠纷已上报")
    snap(phone, artifacts, "screening-desk")
    phone.locator("#open-disputes li", has_text="黄*").first.locator("text=转为信访件").click()  # click one
    expect(phone.locator("#title")).not_to_have_value("")
    phone.click("button:has-text('登记为信访件')")  # click two
    expect(phone.locator(".flash-success")).to_contain_text("已转为信访件")
    snap(phone, artifacts, "screening-dispute-case")

    phone.click("button:has-text('退出')")
    sign_in(phone, url, "clerk")
    phone.goto(f"{url}/screening/board")
    expect(phone.locator("h1")).to_contain_text("全县")
    expect(phone.locator("table")).to_contain_text("杨庄村")
    snap(phone, artifacts, "screening-board")
    phone.goto(f"{url}/staff/grassroots/")
    expect(phone.locator("table").first).to_contain_text("青石村村民委员会")
    snap(phone, artifacts, "grassroots-numbers")
