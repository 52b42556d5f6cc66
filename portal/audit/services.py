"""Writing the audit trail. Every state change calls ``record`` inside the same transaction."""

from __future__ import annotations

from flask import has_request_context, request

from portal.audit.models import AuditLog
from portal.extensions import db
from portal.localtime import utcnow


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
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(row)
    return row


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
