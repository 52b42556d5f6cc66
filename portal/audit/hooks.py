"""Every refused request (403) leaves an audit row with ``success=False``: who, which path, which method. Registered
for the whole app by the audit blueprint, after whatever view or error handler made the 403."""

from __future__ import annotations

import logging

from flask import request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from portal.audit import bp
from portal.audit.services import record
from portal.extensions import db

log = logging.getLogger(__name__)
MAX_PATH = 200


@bp.after_app_request
def record_refusal(response):
    if response.status_code != 403:
        return response
    try:
        db.session.rollback()  # nothing of a refused request is kept, only the row that says it was refused
        actor = current_user if current_user.is_authenticated else None
        record(
            "http.forbidden",
            actor,
            success=False,
            method=request.method,
            path="".join(c for c in request.path if c.isprintable())[:MAX_PATH],
            endpoint=request.endpoint or "",
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not audit a refused request to %r", request.path)
    return response
