"""Signing in with a second factor in a real browser: the demo admin enrols at the first sign-in, keeps the recovery
codes, and signs in again with a code from the authenticator app."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import sign_out, snap

pytestmark = pytest.mark.browser


def password_step(page, live_server, username: str) -> None:
    page.goto(f"{live_server['url']}/staff/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('登录')")


def test_the_demo_admin_enrols_a_second_factor_and_signs_in_with_it(page, live_server, artifacts):
    password_step(page, live_server, "admin")
    page.wait_for_url(re.compile(r"/staff/login/enrol"))
    expect(page.locator("h1")).to_have_text("设置两步验证")
    expect(page.locator("img[alt='两步验证二维码']")).to_be_visible()
    snap(page, artifacts, "sign-in-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")

    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:has-text('完成设置')")
    expect(page.locator("h1")).to_have_text("恢复码")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("text=我已保存，继续")
    page.wait_for_url(re.compile(r"/staff/admin/"))  # the 系统管理员 starts on 系统管理
    sign_out(page)

    password_step(page, live_server, "admin")
    page.wait_for_url(re.compile(r"/staff/login/verify"))
    page.fill("#code", codes[0])  # a recovery code: a TOTP code of this step was used already
    page.click("button:has-text('验证并登录')")
    page.wait_for_url(re.compile(r"/staff/admin/"))
    expect(page.locator(".who")).to_contain_text("系统管理员")
