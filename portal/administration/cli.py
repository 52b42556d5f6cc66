"""``flask --app wsgi setup``: a county's office on an empty installation, asked for step by step or given as options
(``--non-interactive`` for scripts). A second run fills in only what is still missing."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.accounts.models import Role
from portal.errors import DomainError
from portal.extensions import db

CONTACT_OPTIONS = {
    "office_address": "address",
    "reception_hours": "hours",
    "office_mail_address": "mail_address",
    "office_postcode": "postcode",
    "office_phone": "phone",
    "office_email": "email",
}
ROLE_OPTIONS = {Role.ADMIN: "admin", Role.SECURITY_ADMIN: "security", Role.AUDITOR: "auditor"}


def _admin_options(command):
    for role, prefix in reversed(ROLE_OPTIONS.items()):
        label = role.label
        command = click.option(
            f"--{prefix}-password",
            envvar=f"SETUP_{prefix.upper()}_PASSWORD",
            help=f"{label}'s initial password (or SETUP_{prefix.upper()}_PASSWORD); generated when not given.",
        )(command)
        command = click.option(f"--{prefix}-name", help=f"{label}'s full name.")(command)
        command = click.option(f"--{prefix}-username", help=f"{label}'s username.")(command)
    return command


SETUP_EPILOG = """\b
Read from the environment (set them before running, as for the server):
  DATABASE_URL         the database to set up (default: SQLite in var/portal.sqlite3)
  SECRET_KEY, DATA_KEY, INDEX_KEY
                       required in production; `make run` generates them into var/
  PUBLIC_BASE_URL      the address the public uses (receipts' QR codes and links)
  SETUP_ADMIN_PASSWORD, SETUP_SECURITY_PASSWORD, SETUP_AUDITOR_PASSWORD
                       initial passwords instead of --…-password; generated when unset
Every other setting: README.md, section "Configuration"."""


@click.command("setup", epilog=SETUP_EPILOG)
@with_appcontext
@click.option("--county", help="County (city, district) name, e.g. 云溪县.")
@click.option("--office-name", help="The petition office's department name (default: <county>信访局).")
@click.option("--address", help="Reception address (来访接待地址).")
@click.option("--hours", help="Reception hours (接待时间).")
@click.option("--mail-address", help="Address for letters, without the post code (来信地址).")
@click.option("--postcode", help="Post code of the letters' address (6 digits).")
@click.option("--phone", help="Public phone number (来电电话).")
@click.option("--email", help="Public e-mail address (来邮地址).")
@_admin_options
@click.option("--non-interactive", is_flag=True, help="Ask nothing: take the options, generate missing passwords.")
def setup_command(non_interactive: bool, **given) -> None:
    """Set the office up: county, petition office and its public channels, the first three administrators.
    Idempotent: what exists is kept, only what is missing is filled in."""
    from portal.administration import setup
    from portal.settings.models import SPECS

    todo = setup.missing()
    ask = not non_interactive

    def value(option: str, prompt: str, default: str | None = None) -> str | None:
        if given.get(option) or not ask:
            return given.get(option) or default
        return click.prompt(prompt, default=default or "", show_default=bool(default)).strip() or None

    county = value("county", "县（市、区）名称，例如 云溪县") if todo["county"] else None
    office_name = None
    if todo["office"]:
        office_name = value("office_name", "信访部门名称", f"{county}信访局" if county else None)
    contacts = {}
    for key in todo["contacts"]:
        spec = SPECS[key]
        contacts[key] = value(CONTACT_OPTIONS[key], f"{spec.label}（公开页面显示；可留空，以后在系统管理中填写）")
    administrators = []
    for role, default_username in setup.ADMINISTRATORS:
        if role not in todo["roles"]:
            continue
        prefix = ROLE_OPTIONS[role]
        username = value(f"{prefix}_username", f"第一位{role.label}的用户名", default_username)
        name = value(f"{prefix}_name", f"{role.label}的姓名")
        password = given.get(f"{prefix}_password")
        if not password and ask:
            password = (
                click.prompt(
                    f"{role.label}的初始密码（留空则生成临时密码）",
                    default="",
                    hide_input=True,
                    confirmation_prompt="再次输入以确认",
                    show_default=False,
                )
                or None
            )
        administrators.append(setup.Administrator(role, username or "", name or "", password))
    try:
        report = setup.set_up(county=county, office_name=office_name, contacts=contacts, administrators=administrators)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    for line in report.done:
        click.echo(f"已设置 {line}")
    for line in report.kept:
        click.echo(f"保留 {line}")
    for username, password in report.generated.items():
        click.echo(f"临时密码 {username}: {password}（只显示这一次，首次登录时须修改）")
    left = [SPECS[key].label for key in setup.CONTACT_KEYS if not setup.is_set(key)]
    if left:
        click.echo("公开页面暂不显示：" + "、".join(left) + "（在“系统管理 → 设置”中填写）")
    if not current_app.config["PUBLIC_BASE_URL"]:
        click.echo(
            "注意：未设置 PUBLIC_BASE_URL（群众访问本系统的地址，如 https://xf.example.gov.cn）。"
            "回执二维码和查询链接将使用本机地址，群众无法打开；请在环境变量中设置后重启。"
        )
    if not report.done:
        click.echo("已完成过设置，本次没有更改。")
