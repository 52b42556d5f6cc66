"""``flask --app wsgi preflight | backup | restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(preflight_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from portal.jobs.cli import jobs

    app.cli.add_command(jobs)


@click.command("preflight")
@with_appcontext
@click.option("--workers", type=int, default=None, help="Workers the server will run (default WEB_WORKERS).")
def preflight_command(workers: int | None) -> None:
    """Refuse (exit 1) a production start with generated secrets or per-process rate limits."""
    from portal.ops.preflight import problems

    count = workers if workers is not None else current_app.config["WEB_WORKERS"]
    found = problems(current_app.config, count)
    for problem in found:
        click.echo(f"refusing to start: {problem}", err=True)
    if found:
        raise SystemExit(1)
    click.echo(f"preflight ok: {count} workers")


@click.command("backup")
@with_appcontext
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive file (default: BACKUP_DIR/portal-<time>.pbk).",
)
def backup_command(output: Path | None) -> None:
    """Write one encrypted archive (BACKUP_KEY) of the database and the uploads — never the keys."""
    from portal.errors import DomainError
    from portal.ops.backup import backup

    try:
        done = backup(output)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"backup written: {done.path} ({done.tables} tables, {done.files} files, {done.size} bytes)")


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE into this empty installation (its database and upload folder must be empty)."""
    from portal.errors import DomainError
    from portal.ops.backup import restore

    try:
        done = restore(archive)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"restored {done.tables} tables and {done.files} files from {archive}")
