"""Writing the audit trail. Every state change calls ``record`` inside the same transaction; a view that shows
personal or confidential data calls ``record_read``. The actor's address is the unit of work's: the web layer sets
it with ``set_address`` before any service runs; elsewhere it is "cli". Rows are written unsealed; once the writer's
transaction commits, ``portal.audit.chain.seal`` links them into the chain (see there why not before)."""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.audit import chain
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.localtime import utcnow

_ADDRESS = "audit.address"
_UNSEALED = "audit.unsealed"  # the session's transaction holds rows for the sealer

log = logging.getLogger(__name__)


def set_address(session, address: str) -> None:
    """Where the actions of ``session``'s unit of work come from (the client's address)."""
    session.info[_ADDRESS] = address


def record(
    action: str, actor=None, obj=None, *, actor_name: str | None = None, success: bool = True, **detail
) -> AuditLog:
    """Add an audit row for ``action`` by ``actor`` (a User, or None for the public) on ``obj``. ``success=False``
    for a refusal or a failure (a wrong password, a forbidden page)."""
    row = AuditLog(
        at=utcnow(),  # the moment of the action, not of the flush that writes it
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or (f"{actor.name}（{actor.username}）" if actor is not None else "公众"),
        action=action,
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail={k: _plain(v) for k, v in detail.items()},
        ip=db.session.info.get(_ADDRESS, "cli"),
        success=bool(success),
    )
    db.session.add(row)
    db.session.info[_UNSEALED] = True
    return row


def record_read(action: str, actor=None, obj=None, **detail) -> AuditLog:
    """Record that ``actor`` read personal or confidential data, and commit the row at once: a read changes
    nothing else, so no other commit would keep it (a GET commits nothing). For views, after everything the request
    changed is committed or rolled back — the one audit call that commits. The row is sealed in that same
    transaction when no other sealer is at work (``chain.seal_within``: one commit per read, not two), else after
    the commit like any other."""
    row = record(action, actor, obj, **detail)
    db.session.flush()
    if chain.seal_within(db.session.connection()):
        db.session.info.pop(_UNSEALED, None)  # sealed in this transaction: nothing left for after the commit
    db.session.commit()
    return row


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@event.listens_for(Session, "after_commit")
def _seal_after_commit(session) -> None:
    if not session.info.pop(_UNSEALED, False):
        return
    try:
        chain.seal(wait=False)
    except Exception:  # the writer's action is committed; the next sealer (or `flask audit seal`) seals its rows
        log.exception("audit rows left unsealed after commit")


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop(_UNSEALED, None)
