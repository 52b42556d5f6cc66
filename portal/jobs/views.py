"""The system administrator's page of failed background jobs, with a retry for each."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forms import Form
from portal.jobs import bp
from portal.jobs.failed import failed_jobs, retry
from portal.jobs.queue import connection


@bp.route("/")
@login_required
def failed():
    if not current_user.can_manage_jobs:
        abort(403)
    return render_template("jobs/failed.html", jobs=failed_jobs(), queued=connection() is not None, form=Form())


@bp.post("/<job_id>/retry")
@login_required
def retry_job(job_id: str):
    if not current_user.can_manage_jobs:
        abort(403)
    if not Form().validate_on_submit():
        abort(400)
    retry(job_id, current_user)
    db.session.commit()
    flash("已重新排队。", "success")
    return redirect(url_for("jobs.failed"), 303)
