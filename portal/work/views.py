"""My work page: every queue of the signed-in person's roles."""

from flask import abort, render_template
from flask_login import current_user, login_required

from portal.work import bp
from portal.work.queues import queues_for


@bp.route("/")
@login_required
def index():
    if not current_user.works_cases:
        abort(403)
    queues = queues_for(current_user)
    return render_template("work/index.html", queues=queues, waiting=sum(q.total for q in queues))
