"""The performance file pages: the list of leaders (for those who read every file), one leader's file for a year
(printable). Every view: check who is asking → load the leader (404) → ``can_view_performance_file`` (403)."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.extensions import db
from portal.localtime import today
from portal.performance import bp
from portal.performance.files import build_file
from portal.stats.indicators import FIRST_YEAR


def _leaders() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User).where(User.role_rows.any(role=Role.LEADER)).order_by(User.active.desc(), User.name)
        )
    )


@bp.get("/")
@login_required
def index():
    if not current_user.reads_performance_files:
        if current_user.has_role(Role.LEADER):
            return redirect(url_for("performance.show", leader_id=current_user.id, year=today().year))
        abort(403)
    return render_template("performance/index.html", leaders=_leaders(), year=today().year)


@bp.get("/<int:leader_id>/<int:year>")
@login_required
def show(leader_id: int, year: int):
    leader = db.get_or_404(User, leader_id)
    if not leader.has_role(Role.LEADER):
        abort(404)
    if not current_user.can_view_performance_file(leader):
        abort(403)
    current = today()
    if not FIRST_YEAR <= year <= current.year:
        abort(404)
    performance = build_file(leader, year, current)
    # A leader's assessment record is personal information: every reading is on the audit trail.
    record("performance.read", current_user, leader, year=year)
    db.session.commit()
    years = list(range(current.year, max(FIRST_YEAR, current.year - 5) - 1, -1))
    return render_template("performance/file.html", file=performance, years=years)
