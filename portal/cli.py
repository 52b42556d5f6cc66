"""Command-line tools: ``flask --app wsgi deadline | calendar recompute | users create / reset-password / unlock /
remove-factor | demo``."""

from __future__ import annotations

import datetime as dt
import os

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from portal.accounts.models import Role
from portal.deadlines.clock import UnknownRule
from portal.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(deadline_command)
    app.cli.add_command(users)
    app.cli.add_command(demo_command)
    app.cli.add_command(sms)
    from portal.administration.cli import setup_command

    app.cli.add_command(setup_command)
    from portal.protection.cli import keys

    app.cli.add_command(keys)
    from portal.audit.cli import audit

    app.cli.add_command(audit)
    from portal.deadlines.cli import calendar

    app.cli.add_command(calendar)


@click.command("deadline")
@with_appcontext
@click.argument("rule")
@click.argument("start")
def deadline_command(rule: str, start: str) -> None:
    """Print the due date of RULE for an event on START (YYYY-MM-DD), and how it was computed."""
    from portal.deadlines.services import deadline

    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD，例如 2026-09-30", param_hint="START") from None
    try:
        result = deadline(rule, day)
    except UnknownRule as error:
        raise click.BadParameter(str(error), param_hint="RULE") from None
    click.echo(f"due: {result.due.isoformat()}")
    click.echo(f"rule: {rule} ({result.rule.label}, {result.length} {result.rule.unit.value}, {result.rule.source})")
    click.echo("skipped: " + (", ".join(str(d) for d in result.skipped) or "none"))
    if result.missing_years:
        click.echo("warning: no official calendar for " + ", ".join(map(str, result.missing_years)))
    click.echo(result.explanation())


@click.group(cls=AppGroup)
def users() -> None:
    """Manage staff accounts."""


@users.command("create")
@click.argument("username")
@click.option("--name", required=True, help="Full name, as signed on replies.")
@click.option("--department", "department_name", required=True, help="Department name, exactly as stored.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--title", default="", help="Job title (职务).")
@click.password_option(help="Asked for when not given.")
def create_user(username, name, department_name, roles, title, password) -> None:
    """Create a staff user."""
    from portal.accounts.services import create_user as create
    from portal.errors import DomainError
    from portal.org.models import Department

    department = db.session.execute(db.select(Department).filter_by(name=department_name)).scalar_one_or_none()
    if department is None:
        raise click.BadParameter(f"没有名为“{department_name}”的单位", param_hint="--department")
    try:
        create(username=username, password=password, name=name, department=department, roles=roles, title=title)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"created {username}; the password must be changed at the first sign-in")


def _user(username: str):
    from portal.accounts.models import User

    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise click.BadParameter(f"没有用户名为“{username}”的账号", param_hint="USERNAME")
    return user


@users.command("reset-password")
@click.argument("username")
def reset_password(username) -> None:
    """Give USERNAME a temporary password (printed once), to be changed at the next sign-in; ends a lockout."""
    from portal.accounts.services import reset_password as reset

    temporary = reset(_user(username), actor=None)
    db.session.commit()
    click.echo(f"temporary password for {username}: {temporary}")


@users.command("unlock")
@click.argument("username")
def unlock(username) -> None:
    """End USERNAME's lockout after failed sign-ins."""
    from portal.accounts.services import unlock as unlock_user

    unlock_user(_user(username), actor=None)
    db.session.commit()
    click.echo(f"unlocked {username}")


@users.command("remove-factor")
@click.argument("username")
def remove_factor(username) -> None:
    """Remove USERNAME's second factor (a lost phone, no recovery codes left); they enrol again at next sign-in."""
    from portal.accounts.services import remove_second_factor
    from portal.errors import DomainError

    try:
        remove_second_factor(_user(username), actor=None)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"second factor of {username} removed; they enrol a new one at their next sign-in")


@click.command("demo")
@with_appcontext
@click.option("--cases", default=300, show_default=True, help="How many cases to create.")
def demo_command(cases: int) -> None:
    """Load the demo county (idempotent: a second run changes nothing)."""
    from portal.accounts import passwords
    from portal.demo import load_demo
    from portal.errors import DomainError

    password = os.environ.get("DEMO_PASSWORD") or None
    generated = password is None
    try:
        report = load_demo(password=password or passwords.generate(), cases=cases)
    except DomainError as error:
        raise click.ClickException(f"DEMO_PASSWORD: {error.message}") from None
    db.session.commit()
    if report.created_users:
        shown = report.password if generated else "(DEMO_PASSWORD)"
        click.echo(f"demo users: {', '.join(report.created_users)}; password: {shown}")
    else:
        click.echo("demo users already exist; their passwords were not changed")
    click.echo(f"demo data: {report.summary}")


@click.group(cls=AppGroup)
def sms() -> None:
    """The SMS outbox (短信告知)."""


@sms.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many messages in one run.")
def sms_send(limit: int) -> None:
    """Deliver queued messages through SMS_SENDER; failures are retried on the next run (cron every minute)."""
    from portal.sms.services import deliver_queued

    sent, failed = deliver_queued(limit)
    db.session.commit()
    click.echo(f"sent {sent}, failed {failed}")
