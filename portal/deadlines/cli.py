"""``flask --app wsgi calendar recompute``: bring every stored due date in line with the calendar, after
chinesecalendar was upgraded with a new year's data or the State Council's notice was entered as overrides."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db


@click.group("calendar", cls=AppGroup)
def calendar() -> None:
    """The working-day calendar (节假日日历)."""


@calendar.command("recompute")
def recompute() -> None:
    """Recompute every case's stored due dates; each move is written to the audit trail."""
    from portal.cases.services.clocks import recompute_clocks

    moves = recompute_clocks(None)
    db.session.commit()
    for move in moves:
        kept = " (kept: the later date already told)" if move.kept else ""
        click.echo(f"{move.case.tracking_code} {move.field}: {move.old} -> {move.new}{kept}")
    click.echo(f"recomputed: {len({m.case.id for m in moves})} case(s) moved, {len(moves)} date(s) changed")
