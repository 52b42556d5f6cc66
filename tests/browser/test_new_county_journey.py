"""A new county from nothing to its first registered case, as its IT officer and first users would do it: an empty
database, ``flask setup`` on the command line, then the browser — the 系统管理员 adds a department and a category,
the 安全管理员 creates the first clerk, the clerk registers a letter. Every first sign-in is the real one: the second
factor is enrolled and the initial password changed. Screenshots in test-artifacts/new-county-*."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import migrated_app, serve
from tests.browser.pages import read_receipt, sign_out, snap

pytestmark = pytest.mark.browser

COUNTY = "云溪县"
OFFICE = "云溪县信访局"
CONTACTS = {
    "--address": "云溪县人民路88号县政务服务中心一楼",
    "--hours": "工作日 8:30—12:00，14:30—17:30",
    "--mail-address": "云溪县人民路88号 云溪县信访局",
    "--postcode": "415100",
    "--phone": "0736-12345678",
    "--email": "xfj@yunxi.gov.cn",
}
NEW_PASSWORDS = {"sysadmin": "Yunxi-Admin-2026!", "secadmin": "Yunxi-Secure-2026!", "wangli": "Wang-Li-Xinfang-26"}


@pytest.fixture(scope="module")
def empty_county(tmp_path_factory):
    """A portal on an empty database (migrated, nothing else), served on a free port."""
    app = migrated_app(
        tmp_path_factory,
        "portal_new_county_tests",
        PUBLIC_BASE_URL="https://xf.yunxi.gov.cn",
        MFA_REQUIRED_FOR_ALL_STAFF=True,  # the production default: everyone enrols
    )
    yield from serve(app)


def _setup(app) -> dict[str, str]:
    """``flask setup --non-interactive``; returns the temporary passwords it printed once."""
    args = ["setup", "--non-interactive", "--county", COUNTY, *(x for pair in CONTACTS.items() for x in pair)]
    for prefix, username, name in (
        ("admin", "sysadmin", "陈立新"),
        ("security", "secadmin", "刘安"),
        ("auditor", "auditor1", "赵审"),
    ):
        args += [f"--{prefix}-username", username, f"--{prefix}-name", name]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"临时密码 (\S+): (\S+)（", result.output))


def _first_sign_in(page, base: str, username: str, temporary: str, artifacts, shot: str) -> None:
    """Password, enrol the second factor, keep the recovery codes, change the initial password."""
    page.goto(f"{base}/staff/login")
    page.fill("#username", username)
    page.fill("#password", temporary)
    page.click("button:has-text('登录')")
    page.wait_for_url(re.compile(r"/staff/login/enrol"))
    if shot:
        snap(page, artifacts, f"{shot}-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:has-text('完成设置')")
    expect(page.locator("h1")).to_have_text("恢复码")
    page.click("text=我已保存，继续")
    page.wait_for_url(re.compile(r"/staff/account/password"))
    page.fill("#current", temporary)
    page.fill("#new", NEW_PASSWORDS[username])
    page.fill("#confirm", NEW_PASSWORDS[username])
    page.click("button:has-text('修改密码')")
    page.wait_for_url(lambda url: "/staff/account/password" not in url)


def test_a_new_county_goes_from_an_empty_database_to_its_first_registered_case(browser, empty_county, artifacts):
    base, app = empty_county["url"], empty_county["app"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)

    # Before set-up the public home names no county and shows no placeholder contact.
    page.goto(f"{base}/")
    home = page.content()
    for placeholder in ("0000-12345", "example.gov.cn", "000000"):
        assert placeholder not in home

    temporary = _setup(app)
    assert set(temporary) == {"sysadmin", "secadmin", "auditor1"}

    # The public home now shows exactly what was configured (条例 art.18).
    page.goto(f"{base}/")
    for shown in (COUNTY, CONTACTS["--phone"], CONTACTS["--address"], CONTACTS["--postcode"], CONTACTS["--email"]):
        expect(page.locator("body")).to_contain_text(shown)
    snap(page, artifacts, "new-county-public-home")

    # 系统管理员: first sign-in, then a department and a category.
    _first_sign_in(page, base, "sysadmin", temporary["sysadmin"], artifacts, "new-county-admin")
    page.goto(f"{base}/staff/admin/departments/")
    expect(page.locator("select[name=level]")).to_have_value("county")
    page.fill("#name", "云溪县人力资源和社会保障局")
    page.click("button:has-text('新建')")
    expect(page.locator("body")).to_contain_text("已新建单位“云溪县人力资源和社会保障局”")
    snap(page, artifacts, "new-county-departments")
    page.goto(f"{base}/staff/admin/categories/")
    page.locator("form:has(button:has-text('新建'))").locator("[name=name]").fill("劳动社保")
    page.click("button:has-text('新建')")
    expect(page.locator("body")).to_contain_text("劳动社保")
    sign_out(page)

    # 安全管理员: first sign-in, then the first clerk with a generated temporary password.
    _first_sign_in(page, base, "secadmin", temporary["secadmin"], artifacts, "")
    page.goto(f"{base}/staff/security/accounts/new")
    page.fill("#username", "wangli")
    page.fill("#name", "王丽")
    page.fill("#title", "科员")
    page.select_option("#department", label=OFFICE)
    page.check("input[name=roles][value=clerk]")
    page.click("button:has-text('创建账户')")
    expect(page.locator("h1")).to_contain_text("已创建账户 王丽（wangli）")
    clerk_password = page.locator("p.big.mono").inner_text().strip()
    snap(page, artifacts, "new-county-clerk-created")
    sign_out(page)

    # The clerk: first sign-in, then the county's first letter.
    _first_sign_in(page, base, "wangli", clerk_password, artifacts, "")
    page.goto(f"{base}/staff/cases/new")
    page.select_option("#channel", label="来信")
    page.fill("#petitioner_name", "刘桂芳")
    page.fill("#phone", "13907361234")
    page.select_option("#case_type", label="申诉求决类")
    page.select_option("#category_id", label="劳动社保")
    page.fill("#title", "反映某建筑公司拖欠工资")
    page.fill("#content", "本人在县城某建筑工地务工，用人单位拖欠工资12600元，多次讨要未果，请求责令支付。")
    page.click("button:has-text('登记并生成回执')")
    tracking_code, _ = read_receipt(page)
    snap(page, artifacts, "new-county-first-receipt")
    expect(page.locator("#receipt")).to_contain_text(OFFICE)
    context.close()

    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        [case] = db.session.execute(db.select(Case)).scalars().all()
        assert case.tracking_code == tracking_code and case.registered_by.username == "wangli"
