"""The clerk's notice pages: the outbox with each message's state and a resend, and one case's notices — 退订 or
恢复 on the petitioner's request, and a new query code after checking who is asking (printed once, never stored)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.audit.services import record_read
from portal.cases import receipts
from portal.cases.models import Case
from portal.cases.services import query_codes
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import Form
from portal.localtime import today
from portal.masking import mask_phone
from portal.notifications import bp, catalogue, services
from portal.notifications.forms import ReissueForm
from portal.settings.models import get_setting
from portal.sms.models import SmsMessage, SmsState


def _case(case_id: int) -> Case:
    case = db.get_or_404(Case, case_id)
    if not case.can_manage_notices(current_user):
        abort(403)
    return case


def _rows(messages, user):
    opted_out = services.opted_out_among(m.case_id for m in messages)
    return [
        {
            "message": m,
            "kind": catalogue.KINDS[m.kind].label if m.kind in catalogue.KINDS else "短信",
            "refusal": services.resend_refusal(m, user, opted_out),
        }
        for m in messages
        if m.case is not None and m.case.can_read(user)
    ]


def _message_id(name: str) -> int | None:
    """A message id to page from (``before`` / ``after``); anything else is no bound."""
    value = request.args.get(name, "").strip()[:12]
    return int(value) if value.isdigit() else None


@bp.route("/")
@login_required
def outbox():
    if not current_user.can_register_cases:
        abort(403)
    state = SmsState(request.args["state"]) if request.args.get("state") in set(SmsState) else None
    found = services.outbox(current_user, state=state, before=_message_id("before"), after=_message_id("after"))
    rows = _rows(found.items, current_user)
    response = render_template(
        "notifications/outbox.html", rows=rows, page=found, state=state, states=list(SmsState), form=Form()
    )
    record_read("notice.outbox_view", current_user, None, state=state.value if state else "", shown=len(rows))
    return response


@bp.post("/<int:message_id>/resend")
@login_required
def resend(message_id: int):
    message = db.get_or_404(SmsMessage, message_id)
    if message.case is None or not message.case.can_manage_notices(current_user):
        abort(403)
    if not Form().validate_on_submit():
        abort(400)
    back = request.form.get("back") == "case"
    try:
        services.resend(message, current_user)
        db.session.commit()
        flash(f"已重新排队发送至 {message.masked_phone}。", "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    if back:
        return redirect(url_for("notifications.case_notices", case_id=message.case_id), 303)
    return redirect(url_for("notifications.outbox"), 303)


def _render_case(case: Case, form: ReissueForm | None = None, message: str | None = None, status: int = 200):
    found = services.outbox(current_user, case=case, per_page=100)
    page = render_template(
        "notifications/case.html",
        case=case,
        rows=_rows(found.items, current_user),
        opted_out=services.opted_out(case),
        phone=mask_phone(case.notice_phone) if case.notice_phone else None,
        reissue_refusal=query_codes.reissue_refusal(case, current_user),
        form=form or ReissueForm(formdata=None),
        button=Form(),
        used_today=query_codes.notice_actions_today(case),
        daily_limit=get_setting("notice_daily_limit"),
        message=message,
    )
    return page, status


@bp.route("/cases/<int:case_id>")
@login_required
def case_notices(case_id: int):
    case = _case(case_id)
    page, status = _render_case(case)
    record_read("notice.case_view", current_user, case, tracking_code=case.tracking_code)
    return page, status


@bp.post("/cases/<int:case_id>/opt-out")
@login_required
def opt_out(case_id: int):
    return _toggle(case_id, services.opt_out, "已为信访人退订短信通知。")


@bp.post("/cases/<int:case_id>/opt-in")
@login_required
def opt_in(case_id: int):
    return _toggle(case_id, services.opt_in, "已为信访人恢复短信通知。")


def _toggle(case_id: int, action, done: str):
    case = _case(case_id)
    if not Form().validate_on_submit():
        abort(400)
    try:
        action(case, current_user)
        db.session.commit()
        flash(done, "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("notifications.case_notices", case_id=case.id), 303)


@bp.post("/cases/<int:case_id>/query-code")
@login_required
def reissue(case_id: int):
    case = _case(case_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        message = "；".join(e for errors in form.errors.values() for e in errors)
        return _render_case(case, form, message, 422)
    try:
        code = services.reissue(
            case,
            current_user,
            identity_check=form.identity_check.data,
            note=form.note.data or "",
            delivery=form.delivery.data,
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_case(case, form, error.message, error.status_code)
    if form.delivery.data == query_codes.SMS:
        flash(f"已生成新的查询码并以短信发送至 {mask_phone(case.notice_phone)}，原查询码已作废。", "success")
        return redirect(url_for("notifications.case_notices", case_id=case.id), 303)
    # The 查询码告知单: printed from this response and nowhere kept; no cache may keep it either.
    page = render_template(
        "notifications/slip.html",
        issued_on=today(),
        **receipts.context(case, code),
    )
    return page, 201, {"Cache-Control": "no-store"}
