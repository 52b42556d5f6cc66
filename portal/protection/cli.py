"""``flask --app wsgi keys generate | rotate | check``: the keys that protect personal data at rest."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from portal.protection.keys import new_key_hex


@click.group(cls=AppGroup)
def keys() -> None:
    """Keys for personal data at rest (DATA_KEY, INDEX_KEY)."""


@keys.command("generate")
def generate() -> None:
    """Print a new random key (64 hex digits) for DATA_KEY or INDEX_KEY. Keep it outside every backup of the
    database."""
    click.echo(new_key_hex())


@keys.command("check")
@with_appcontext
def check() -> None:
    """Say which suite and key ids are in use (never the keys), and how many values are not yet under them."""
    from portal.extensions import db
    from portal.protection import keyring
    from portal.protection.rotation import pending

    ring = keyring()
    click.echo(f"suite: {ring.suite.name}")
    click.echo(f"data key id: {ring.data.key_id.hex()}; old data keys: {len(ring.old_data)}")
    click.echo(f"old index keys: {len(ring.old_index)}")
    waiting = pending(db.session, db.metadata)
    for name, count in waiting.items():
        click.echo(f"{name}: {count} not under the current key")
    if not any(waiting.values()):
        click.echo("every sealed value is under the current key and suite")


@keys.command("rotate")
@with_appcontext
def rotate() -> None:
    """Re-encrypt every sealed value and file under the current DATA_KEY and DATA_CIPHER and recompute every blind
    index under INDEX_KEY. Run with the new keys set and the old data key in DATA_KEYS_OLD (and the old index key in
    INDEX_KEYS_OLD, so lookups keep working meanwhile); then remove the old keys. Safe to run again."""
    from portal.audit.services import record
    from portal.extensions import db
    from portal.protection.rotation import rotate as rotate_all

    counts = rotate_all(db.session, db.metadata)
    record("keys.rotate", None, None, actor_name="系统", **counts)
    db.session.commit()
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    click.echo(f"total rewritten: {sum(counts.values()) - counts.get('files missing', 0)}")
