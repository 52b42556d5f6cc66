"""The audit log, for auditors only."""

from flask import abort, render_template, request
from flask_login import current_user, login_required

from portal.audit import bp
from portal.audit.models import AuditLog
from portal.extensions import db


@bp.route("/")
@login_required
def index():
    if not current_user.can_read_audit:
        abort(403)
    action = request.args.get("action", "").strip()
    stmt = db.select(AuditLog).order_by(AuditLog.id.desc())
    if action:
        stmt = stmt.where(AuditLog.action.startswith(action))
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("audit/index.html", page=page, action=action)
