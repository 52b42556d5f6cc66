"""Screening pages (/screening): the cadre's desk on a phone (report a dispute, 零报告, the weekly report), a
dispute's page (mediate, or turn into a case), and the reporting board for the township and the county."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import record_read
from portal.cases.models import CaseType
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import now as local_now
from portal.localtime import today
from portal.screening import bp, services
from portal.screening.forms import DisputeForm, MediateForm, ToCaseForm, WeeklyForm, ZeroForm
from portal.screening.models import (
    DAILY_DEADLINE,
    EARLIEST,
    DailyReport,
    Dispute,
    DisputeKind,
    Risk,
    WeeklyReport,
    board_scope,
    reports_for,
    week_start,
)
from portal.screening.queries import board as board_rows


def _filer_only() -> None:
    if not reports_for(current_user, current_user.department):
        abort(403)


def get_dispute(dispute_id: int) -> Dispute:
    dispute = db.get_or_404(Dispute, dispute_id)
    if not dispute.can_view(current_user):
        abort(403)
    return dispute


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


def _render_desk(*, dispute_form=None, weekly_form=None, message=None, status=200):
    area = current_user.department
    day = today()
    report = db.session.execute(db.select(DailyReport).filter_by(area_id=area.id, day=day)).scalar_one_or_none()
    monday = week_start(day)
    weekly = db.session.execute(db.select(WeeklyReport).filter_by(area_id=area.id, week_start=monday)).scalar()
    open_disputes = db.session.execute(
        db.select(Dispute).filter_by(area_id=area.id, state="open").order_by(Dispute.id.desc())
    ).scalars()
    recent = db.session.execute(
        db.select(DailyReport).filter_by(area_id=area.id).order_by(DailyReport.day.desc()).limit(14)
    ).scalars()
    return (
        render_template(
            "screening/desk.html",
            area=area,
            day=day,
            deadline=DAILY_DEADLINE,
            report=report,
            weekly=weekly,
            monday=monday,
            numbers=services.week_numbers(area.id, monday),
            open_disputes=list(open_disputes),
            recent=list(recent),
            dispute_form=dispute_form or DisputeForm(formdata=None),
            zero_form=ZeroForm(formdata=None),
            weekly_form=weekly_form or WeeklyForm(formdata=None),
            message=message,
            show_board=board_scope(current_user) is not False,
        ),
        status,
    )


@bp.route("/screening/")
@login_required
def desk():
    _filer_only()
    return _render_desk()


@bp.route("/screening/disputes", methods=["POST"])
@login_required
def report_dispute():
    _filer_only()
    form = DisputeForm()
    if not form.validate_on_submit():
        return _render_desk(dispute_form=form, message=_errors(form), status=422)
    try:
        services.report_dispute(
            current_user,
            party=form.party.data,
            party_phone=form.party_phone.data,
            kind=DisputeKind(form.kind.data),
            place=form.place.data,
            risk=Risk(form.risk.data),
            summary=form.summary.data,
            action_taken=form.action_taken.data,
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_desk(dispute_form=form, message=error.message, status=error.status_code)
    flash("纠纷已上报，计入今日报告。", "success")
    return redirect(url_for("screening.desk"), code=303)


@bp.route("/screening/zero", methods=["POST"])
@login_required
def zero_report():
    _filer_only()
    form = ZeroForm()
    if not form.validate_on_submit():
        return _render_desk(message=_errors(form) or "请刷新页面后重试。", status=422)
    try:
        services.file_zero_report(current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_desk(message=error.message, status=error.status_code)
    flash("今日零报告已上报。", "success")
    return redirect(url_for("screening.desk"), code=303)


@bp.route("/screening/weekly", methods=["POST"])
@login_required
def weekly_report():
    _filer_only()
    form = WeeklyForm()
    if not form.validate_on_submit():
        return _render_desk(weekly_form=form, message=_errors(form), status=422)
    try:
        services.file_weekly_report(current_user, note=form.note.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_desk(weekly_form=form, message=error.message, status=error.status_code)
    flash("本周化解工作周报告已上报。", "success")
    return redirect(url_for("screening.desk"), code=303)


def _to_case_form(dispute: Dispute, formdata=None) -> ToCaseForm:
    form = ToCaseForm(formdata=formdata)
    if formdata is None:
        form.title.data = f"{dispute.kind.label}：{dispute.place or dispute.area.name}"
        form.content.data = f"{dispute.summary}\n已采取的措施：{dispute.action_taken}"
        form.phone.data = dispute.party_phone or ""
    return form


def _render_dispute(dispute: Dispute, *, mediate_form=None, case_form=None, message=None, status=200, show=None):
    page = render_template(
        "screening/dispute.html",
        dispute=dispute,
        mediate_form=mediate_form or MediateForm(formdata=None),
        case_form=case_form or _to_case_form(dispute),
        show=show,
        message=message,
    )
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/screening/disputes/<int:dispute_id>")
@login_required
def dispute(dispute_id: int):
    """The dispute; ``?do=mediate`` or ``?do=case`` opens that form (the first of the two clicks)."""
    dispute = get_dispute(dispute_id)
    show = request.args.get("do") if dispute.can_settle(current_user) else None
    response = _render_dispute(dispute, show=show if show in ("mediate", "case") else None)
    record_read("screening.dispute_view", current_user, dispute)
    return response


@bp.route("/screening/disputes/<int:dispute_id>/mediate", methods=["POST"])
@login_required
def mediate(dispute_id: int):
    dispute = get_dispute(dispute_id)
    if not dispute.can_settle(current_user):
        abort(403)
    form = MediateForm()
    if not form.validate_on_submit():
        return _render_dispute(dispute, mediate_form=form, message=_errors(form), status=422, show="mediate")
    try:
        services.mediate_dispute(current_user, dispute, resolution=form.resolution.data, day=form.day.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_dispute(
            dispute, mediate_form=form, message=error.message, status=error.status_code, show="mediate"
        )
    flash("已记录就地调解化解。", "success")
    return redirect(url_for("screening.dispute", dispute_id=dispute.id), code=303)


@bp.route("/screening/disputes/<int:dispute_id>/case", methods=["POST"])
@login_required
def to_case(dispute_id: int):
    dispute = get_dispute(dispute_id)
    if not dispute.can_settle(current_user):
        abort(403)
    form = _to_case_form(dispute, request.form)
    if not form.validate_on_submit():
        return _render_dispute(dispute, case_form=form, message=_errors(form), status=422, show="case")
    try:
        case, query_code = services.dispute_to_case(
            current_user,
            dispute,
            title=form.title.data,
            content=form.content.data,
            phone=form.phone.data,
            case_type=CaseType(form.case_type.data),
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_dispute(dispute, case_form=form, message=error.message, status=error.status_code, show="case")
    flash(f"已转为信访件 {case.tracking_code}，查询码 {query_code}（只显示这一次，请告知当事人）。", "success")
    return redirect(url_for("screening.dispute", dispute_id=dispute.id), code=303)


@bp.route("/screening/board")
@login_required
def board():
    scope = board_scope(current_user)
    if scope is False:
        abort(403)
    try:
        day = dt.date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else today()
    except ValueError:
        day = today()
    day = min(day, today()) if day >= EARLIEST else today()
    rows = board_rows(scope, day, local_now().replace(tzinfo=None))
    counts = {s: sum(1 for r in rows if r.state == s) for s in ("reported", "zero", "late", "missing", "due")}
    return render_template(
        "screening/board.html",
        rows=rows,
        day=day,
        scope=scope,
        counts=counts,
        previous=day - dt.timedelta(days=1),
        following=day + dt.timedelta(days=1) if day < today() else None,
        deadline=DAILY_DEADLINE,
    )
