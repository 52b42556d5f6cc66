"""Writing the audit trail. Every state change calls ``record`` inside the same transaction. The actor's address is
the unit of work's: the web layer sets it with ``set_address`` before any service runs; elsewhere it is "cli"."""

from __future__ import annotations

from portal.audit.models import AuditLog
from portal.extensions import db
from portal.localtime import utcnow

_ADDRESS = "audit.address"


def set_address(session, address: str) -> None:
    """Where the actions of ``session``'s unit of work come from (the client's address)."""
    session.info[_ADDRESS] = address


def record(action: str, actor=None, obj=None, *, actor_name: str | None = None, **detail) -> AuditLog:
    """Add an audit row for ``action`` by ``actor`` (a User, or None for the public) on ``obj``."""
    row = AuditLog(
        at=utcnow(),  # the moment of the action, not of the flush that writes it
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or (f"{actor.name}（{actor.username}）" if actor is not None else "公众"),
        action=action,
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail={k: _plain(v) for k, v in detail.items()},
        ip=db.session.info.get(_ADDRESS, "cli"),
    )
    db.session.add(row)
    return row


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
