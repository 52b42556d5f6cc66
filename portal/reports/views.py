"""Report pages: the list (with the supervisor's form to produce any period), one report as a page that prints on
A4, and its .xlsx. Every view: check who is asking → load (404) → respond."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from portal.audit.services import record
from portal.extensions import db
from portal.jobs.queue import enqueue
from portal.localtime import today
from portal.reports import bp, builders
from portal.reports.export import workbook
from portal.reports.forms import ProduceForm
from portal.reports.models import PublishedReport, ReportKind
from portal.reports.services import find, period_refusal

PER_PAGE = 30


@bp.before_request
@login_required
def _readers_only():
    if not current_user.can_read_reports:
        abort(403)


def get_report(report_id: int) -> PublishedReport:
    report = db.get_or_404(PublishedReport, report_id)
    if not report.can_view(current_user):
        abort(403)
    return report


def _produce_form() -> ProduceForm:
    form = ProduceForm()
    if request.method == "GET":
        kind = ReportKind(form.kind.data) if form.kind.data in {k.value for k in ReportKind} else ReportKind.WEEKLY
        period = builders.last_complete(kind, today())
        form.start.data, form.end.data = period.start, period.end
    return form


def _render_index(form: ProduceForm, status: int = 200):
    kind = request.args.get("kind", "")
    stmt = db.select(PublishedReport).order_by(PublishedReport.period_end.desc(), PublishedReport.id.desc())
    if kind in {k.value for k in ReportKind}:
        stmt = stmt.where(PublishedReport.kind == ReportKind(kind))
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    latest = {k: builders.last_complete(k, today()) for k in ReportKind}
    return render_template(
        "reports/index.html", page=page, kinds=list(ReportKind), kind=kind, form=form, latest=latest
    ), status


@bp.get("/")
def index():
    return _render_index(_produce_form())


@bp.post("/")
def produce():
    if not current_user.can_produce_reports:
        abort(403)
    form = _produce_form()
    if not form.validate():
        return _render_index(form, 422)
    kind = ReportKind(form.kind.data)
    refusal = period_refusal(kind, form.start.data, form.end.data, today())
    if refusal:
        form.start.errors = [*form.start.errors, refusal]
        return _render_index(form, 422)
    existing = find(kind, form.start.data, form.end.data)
    if existing is not None:
        flash(f"该期间的{kind.label}已发布（{existing.number}），已发布的通报不再重新生成。", "info")
        return redirect(url_for("reports.show", report_id=existing.id), code=303)
    enqueue(
        "portal.jobs.tasks.produce_report",
        kind.value,
        form.start.data.isoformat(),
        form.end.data.isoformat(),
        current_user.id,
        job_timeout=900,
    )
    record(
        "report.request",
        current_user,
        None,
        kind=kind.value,
        start=form.start.data.isoformat(),
        end=form.end.data.isoformat(),
    )
    db.session.commit()
    flash(f"已提交生成{kind.label}，生成后即以新编号发布，显示在下方列表中。", "success")
    return redirect(url_for("reports.index"), code=303)


def _visible_rows(report: PublishedReport) -> dict:
    """What this person reads of a frozen report: a department-scoped person sees the cases of their department in
    the supervision circular; every other part is aggregates."""
    content = dict(report.content)
    if report.kind is ReportKind.HALF_MONTHLY and current_user.department_scoped:
        mine = [r for r in content["supervisions"] if r.get("department_id") == current_user.department_id]
        content["supervisions"] = mine
    return content


@bp.get("/<int:report_id>")
def show(report_id: int):
    report = get_report(report_id)
    return render_template(
        f"reports/{report.kind.value}.html", report=report, content=_visible_rows(report), printing=False
    )


@bp.get("/<int:report_id>/export.xlsx")
def export(report_id: int):
    report = get_report(report_id)
    record("report.export", current_user, report, number=report.number)
    db.session.commit()
    name = f"{report.kind.label}-{report.number}.xlsx"
    response = send_file(
        workbook(report, _visible_rows(report)),
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="report-{report.kind.value}-{report.year}-{report.serial}.xlsx"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
