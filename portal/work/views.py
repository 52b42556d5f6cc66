"""My work page: every queue of the signed-in person's roles, and each queue on a page of its own."""

from flask import abort, render_template, request
from flask_login import current_user, login_required

from portal.accounts.models import Role
from portal.extensions import db
from portal.jobs.sweep import reminders_for
from portal.ledgers.queries import COUNT_AHEAD, LEDGERS
from portal.localtime import today
from portal.supervision.queries import list_counts
from portal.work import bp
from portal.work.queues import queue_page, queues_for


@bp.route("/")
@login_required
def index():
    if not current_user.works_cases:
        abort(403)
    queues = queues_for(current_user)
    # The supervisor's lists (超期, 临期, 不满意, 重复, 越级): counts (up to COUNT_AHEAD) linking to their ledgers.
    lists = None
    if current_user.has_role(Role.SUPERVISOR):
        lists = [(LEDGERS[name], n) for name, n in list_counts(db.session, current_user, today(), COUNT_AHEAD).items()]
    return render_template(
        "work/index.html",
        queues=queues,
        waiting=sum(q.total for q in queues),
        reminders=reminders_for(current_user),
        lists=lists,
        cap=COUNT_AHEAD,
    )


@bp.route("/<key>")
@login_required
def queue(key: str):
    if not current_user.works_cases:
        abort(403)
    found = queue_page(current_user, key, request.args.get("page", 1, type=int))
    if found is None:
        abort(404)
    shown, page, pages = found
    return render_template("work/queue.html", queue=shown, page=page, pages=pages)
