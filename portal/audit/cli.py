"""``flask --app wsgi audit seal | verify | anchor | archive | verify-archive``. ``anchor`` runs hourly from cron or
a systemd timer (README, 审计日志), so a rewritten tail of the log is caught by ``verify``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.audit import archive as archives
from portal.audit import chain
from portal.errors import DomainError


@click.group("audit", cls=AppGroup)
def audit() -> None:
    """The audit trail's chain: seal, verify, anchor, archive."""


@audit.command("seal")
def seal_command() -> None:
    """Seal the rows written since the last seal."""
    click.echo(f"sealed {chain.seal()} rows")


@audit.command("verify")
def verify_command() -> None:
    """Recompute the chain; name the first row edited, deleted or inserted out of order, and exit 1 if any."""
    verdict = chain.verify()
    start = f" from archived seq {verdict.start.seq}" if verdict.start.seq else ""
    if verdict.ok:
        head = f"seq {verdict.head.seq}, id {verdict.head.id}, {verdict.head.hash}" if verdict.head else "empty log"
        click.echo(f"ok: {verdict.checked} rows checked{start}; head {head}")
        return
    click.echo(f"FAILED after {verdict.checked} good rows{start}: {verdict.problem.message}", err=True)
    raise SystemExit(1)


@audit.command("anchor")
def anchor_command() -> None:
    """Append the chain head to AUDIT_ANCHOR_PATH (run hourly, and whenever wanted)."""
    entry = chain.anchor()
    if entry is None:
        click.echo("empty log: nothing to anchor")
    else:
        click.echo(f"anchored seq {entry['seq']} (id {entry['id']}) {entry['hash']} to {chain.anchor_path()}")


@audit.command("archive")
def archive_command() -> None:
    """Move the rows past AUDIT_RETENTION_DAYS to a signed archive file in AUDIT_ARCHIVE_DIR, then delete them."""
    try:
        done = archives.archive()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if done is None:
        click.echo("nothing past retention to archive")
    else:
        click.echo(f"archived {done.rows} rows (seq {done.first.seq}–{done.last.seq}) to {done.path}")


@audit.command("verify-archive")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_archive_command(path: Path) -> None:
    """Check an archive file's signature and the chain inside it."""
    check = archives.verify_archive(path)
    if not check.ok:
        click.echo(f"FAILED: {check.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {check.rows} rows, ends at seq {check.last.seq} (id {check.last.id}) {check.last.hash}")
