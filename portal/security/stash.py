"""What a person was posting when their session timed out, kept on the server so that signing in again restores it.

A stash belongs to the user the lapsed session was signed in as, holds the form's fields (never the CSRF token,
never files) and the address they were posted to, and expires after a day. Only that user, signed in again, sees it.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.localtime import utcnow

KEEP_FOR = dt.timedelta(days=1)
# The hidden field the restore page adds: the resubmitted post uses the stash up.
FIELD = "restored_stash"
# A form is far smaller; anything bigger is not what a person typed.
MAX_BYTES = 1024 * 1024
# The newest stashes a user keeps; older ones go when a new one arrives.
MAX_PER_USER = 20


class FormStash(db.Model):
    __tablename__ = "form_stashes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)  # in the restore page's address: not guessable
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    fields: Mapped[list] = mapped_column(JSON, default=list)  # [[name, value], …] in the order posted
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.fields]


def keep(user_id: int, url: str, form) -> FormStash | None:
    """Keep the fields of ``form`` (a MultiDict) posted to ``url`` for ``user_id``; None when there is nothing to keep
    or it is too big to be a form. Flushes."""
    pairs = [
        [name, value]
        for name, value in form.items(multi=True)
        if not (name == "csrf_token" or name.endswith("-csrf_token") or name == FIELD)
    ]
    if not pairs or len(json.dumps(pairs, ensure_ascii=False).encode()) > MAX_BYTES or len(url) > 2000:
        return None
    now = utcnow()
    db.session.execute(db.delete(FormStash).where(FormStash.expires_at <= now))
    older = (
        db.select(FormStash.id)
        .where(FormStash.user_id == user_id)
        .order_by(FormStash.id.desc())
        .offset(MAX_PER_USER - 1)
    )
    db.session.execute(db.delete(FormStash).where(FormStash.id.in_(older.scalar_subquery())))
    stash = FormStash(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        url=url,
        fields=pairs,
        created_at=now,
        expires_at=now + KEEP_FOR,
    )
    db.session.add(stash)
    db.session.flush()
    return stash


def find(token: str, user) -> FormStash | None:
    """The unexpired stash ``token`` names if it is ``user``'s; another user's is as good as none."""
    if not token or len(token) > 43:
        return None
    return db.session.execute(
        db.select(FormStash).where(
            FormStash.token == token, FormStash.user_id == user.id, FormStash.expires_at > utcnow()
        )
    ).scalar_one_or_none()


def use_up(token: str, user) -> None:
    """The restored form was posted again: the stash goes with the unit of work that handles it (a refusal that
    rolls back keeps it)."""
    stash = find(token, user)
    if stash is not None:
        db.session.delete(stash)
