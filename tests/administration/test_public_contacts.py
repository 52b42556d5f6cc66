"""The public pages show only what the office configured: on a fresh install no placeholder and no contact block;
once configured, each channel (条例 art.18) and the county's name; the demo configures its own through the same
settings."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.settings.models import Setting, get_setting

PUBLIC_PAGES = ["/", "/privacy", "/roster", "/submit", "/track", "/stats", "/deadline"]
PLACEHOLDERS = ["0000-12345", "example.gov.cn", "000000", "请事先致电 。", "<dd></dd>"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_fresh_install_shows_no_placeholder(client, url):
    html = client.get(url).get_data(as_text=True)

    for placeholder in PLACEHOLDERS:
        assert placeholder not in html, (url, placeholder)


def test_with_nothing_configured_the_contact_block_is_absent(client):
    html = client.get("/").get_data(as_text=True)

    assert "信访渠道" not in html
    assert "第十八条公布" not in html
    assert "<h1>阳光信访</h1>" in html


def test_the_configured_channels_and_the_county_are_shown(app, client):
    with app.app_context():
        db.session.add_all(
            [
                Setting(key="county_name", value="云溪县"),
                Setting(key="office_address", value="云溪县人民来访接待中心"),
                Setting(key="office_mail_address", value="云溪县滨江路18号"),
                Setting(key="office_postcode", value="418300"),
                Setting(key="office_phone", value="0745-8223110"),
            ]
        )
        db.session.commit()

    home = client.get("/").get_data(as_text=True)
    roster = client.get("/roster").get_data(as_text=True)

    assert "<h1>云溪县阳光信访</h1>" in home
    assert "云溪县人民来访接待中心" in home
    assert "云溪县滨江路18号（邮编 418300）" in home
    assert "0745-8223110" in home
    assert "电子邮件" not in home and "接待时间" not in home  # not configured: not shown
    assert "请事先致电 0745-8223110" in roster


def test_the_demo_configures_believable_values_through_the_settings(ctx):
    from portal.demo import load_demo

    load_demo(password="Demo-Mima-2026!", cases=0)

    assert get_setting("county_name") == "云溪县"
    for key in ("office_address", "reception_hours", "office_mail_address", "office_postcode", "office_phone"):
        value = get_setting(key)
        assert value and not any(p in value for p in PLACEHOLDERS), key
    assert "example" not in get_setting("office_email")


def test_the_demo_keeps_what_an_administrator_set(ctx):
    from portal.demo import load_demo

    db.session.add(Setting(key="office_phone", value="0745-1111111"))
    db.session.commit()

    load_demo(password="Demo-Mima-2026!", cases=0)

    assert get_setting("office_phone") == "0745-1111111"
