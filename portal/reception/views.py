"""Reception log pages. Every view: load the slot (404) → may this user keep its log (403) → validate → one service
call → commit → 303 to the log, or the receipt for a transfer (shown once)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts.models import Role
from portal.cases import receipts
from portal.cases import services as case_services
from portal.cases.models import CaseType, Rating
from portal.duty.models import DutySlot
from portal.duty.panels import MinePanel, register_mine_panel
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import options
from portal.localtime import today
from portal.org.models import Department
from portal.reception import bp, services
from portal.reception.forms import CorrectionForm, EditForm, EntryForm, SubmitForm
from portal.reception.models import Handling, ReceptionEntry, may_keep
from portal.settings.models import get_setting

# Today's reception log and the cases born at the leader's receptions, on the duty area's 我的接访 page: duty owns
# the page, reception builds on duty and fills this panel.
register_mine_panel(MinePanel("reception", "reception/_mine_panel.html", services.reception_summary))


def get_slot(slot_id: int) -> DutySlot:
    slot = db.get_or_404(DutySlot, slot_id)
    if not may_keep(slot, current_user):
        abort(403)
    return slot


def get_entry(slot: DutySlot, entry_id: int) -> ReceptionEntry:
    entry = db.get_or_404(ReceptionEntry, entry_id)
    if entry.log.slot_id != slot.id:
        abort(404)
    return entry


def _keeps_logs() -> None:
    if not current_user.has_role(Role.CLERK, Role.LEADER):
        abort(403)


def _entry_form(formdata=None) -> EntryForm:
    form = EntryForm(formdata=formdata) if formdata is not None else EntryForm()
    departments = db.session.execute(Department.assignable()).scalars().all()
    form.department_id.choices = options([(0, "请选择责任单位")] + [(d.id, d.name) for d in departments])
    return form


def _correction_form(log) -> CorrectionForm:
    form = CorrectionForm()
    entries = log.entries if log is not None else []
    form.entry_id.choices = options([(0, "整篇日志")] + [(e.id, f"{e.number} {e.name}") for e in entries])
    return form


def _earlier(phone: str | None, id_number: str | None) -> dict:
    """The visitor's earlier cases, and whether there was anything to look them up by (for ``cases/_earlier.html``)."""
    phone, id_number = (phone or "").strip() or None, (id_number or "").strip() or None
    return {
        "earlier": case_services.earlier_cases(phone=phone, id_number=id_number, viewer=current_user),
        "looked_up": bool(phone or id_number),
    }


def _visitor(form) -> services.Visitor:
    return services.Visitor(
        name=form.name.data or "",
        matter=form.matter.data or "",
        phone=form.phone.data,
        id_number=form.id_number.data,
        address=form.address.data or "",
        place=form.place.data or "",
        people_count=form.people_count.data or 1,
        representatives=form.representative_names(),
    )


def _rating(form) -> Rating | None:
    return Rating(form.satisfaction.data) if form.satisfaction.data else None


def _render_log(
    slot: DutySlot,
    *,
    entry_form: EntryForm | None = None,
    submit_form: SubmitForm | None = None,
    correction_form: CorrectionForm | None = None,
    lookup: dict | None = None,
    message: str | None = None,
    open_form: str | None = None,
    status: int = 200,
):
    log = services.log_for(slot)
    writable = log.can_write(current_user) if log is not None else not slot.cancelled and slot.day <= today()
    return render_template(
        "reception/log.html",
        slot=slot,
        log=log,
        entries=log.entries if log else [],
        corrections=log.corrections if log else [],
        writable=writable,
        correctable=log is not None and log.can_correct(current_user),
        entry_form=entry_form or _entry_form(),
        submit_form=submit_form or SubmitForm(),
        correction_form=correction_form or _correction_form(log),
        **(lookup or {"earlier": [], "looked_up": False}),
        message=message,
        open_form=open_form,
        max_representatives=get_setting("max_representatives"),
    ), status


@bp.route("/")
@login_required
def index():
    _keeps_logs()
    rows = services.recent_slots(current_user, today())
    current = today()
    return render_template(
        "reception/index.html",
        today_rows=[r for r in rows if r.slot.day == current],
        past_rows=[r for r in rows if r.slot.day != current],
    )


@bp.route("/slots/<int:slot_id>")
@login_required
def log(slot_id: int):
    return _render_log(get_slot(slot_id))


@bp.route("/slots/<int:slot_id>/entries", methods=["POST"])
@login_required
def add_entry(slot_id: int):
    slot = get_slot(slot_id)
    form = _entry_form(request.form)
    lookup = _earlier(form.phone.data, form.id_number.data)
    if request.form.get("find_earlier"):
        # Without JavaScript the earlier cases are looked up with a button; nothing is recorded yet.
        return _render_log(slot, entry_form=form, lookup=lookup, open_form="entry")
    if not form.validate():
        return _render_log(slot, entry_form=form, lookup=lookup, open_form="entry", status=422)
    try:
        entry, query_code = services.add_entry(
            slot,
            current_user,
            _visitor(form),
            handling=Handling(form.handling.data),
            answer=form.answer.data or "",
            satisfaction=_rating(form),
            department_id=form.department_id.data or None,
            instruction=form.instruction.data or "",
            case_type=CaseType(form.case_type.data),
            title=form.title.data or "",
            repeat_of_id=form.repeat_of_id.data or None,
            new_facts=form.new_facts.data,
        )
    except DomainError as error:
        db.session.rollback()
        return _render_log(
            slot, entry_form=form, lookup=lookup, message=error.message, open_form="entry", status=error.status_code
        )
    db.session.commit()
    if query_code is None:
        flash(f"已登记 {entry.number}（{entry.handling.label}）。", "success")
        return redirect(url_for("reception.log", slot_id=slot.id, _anchor=f"entry-{entry.id}"), code=303)
    response = render_template(
        "reception/receipt.html", entry=entry, slot=slot, **receipts.context(entry.case, query_code)
    )
    # The query code is shown this once: no cache may keep it, and reloading cannot bring it back.
    return response, 201, {"Cache-Control": "no-store"}


@bp.route("/slots/<int:slot_id>/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(slot_id: int, entry_id: int):
    slot = get_slot(slot_id)
    entry = get_entry(slot, entry_id)
    if request.method == "GET":
        if not entry.can_edit(current_user):
            flash(services.LOCKED if entry.log.locked else f"{entry.number} 已批示转办，不能在此修改。", "error")
            return redirect(url_for("reception.log", slot_id=slot.id, _anchor=f"entry-{entry.id}"), code=303)
        form = EditForm(obj=entry)
        form.representatives.data = "\n".join(entry.representatives or [])
        form.satisfaction.data = entry.satisfaction.value if entry.satisfaction else ""
        return render_template(
            "reception/edit.html",
            slot=slot,
            entry=entry,
            form=form,
            max_representatives=get_setting("max_representatives"),
        )
    form = EditForm()
    message = None
    if form.validate():
        try:
            services.edit_entry(
                entry, current_user, _visitor(form), answer=form.answer.data or "", satisfaction=_rating(form)
            )
        except DomainError as error:
            db.session.rollback()
            message = error.message
        else:
            db.session.commit()
            flash(f"已修改 {entry.number}。", "success")
            return redirect(url_for("reception.log", slot_id=slot.id, _anchor=f"entry-{entry.id}"), code=303)
    return render_template(
        "reception/edit.html",
        slot=slot,
        entry=get_entry(slot, entry_id),
        form=form,
        message=message,
        max_representatives=get_setting("max_representatives"),
    ), 422


@bp.route("/slots/<int:slot_id>/submit", methods=["POST"])
@login_required
def submit(slot_id: int):
    slot = get_slot(slot_id)
    form = SubmitForm()
    if not form.validate():
        return _render_log(slot, submit_form=form, open_form="submit", status=422)
    try:
        services.submit_log(slot, current_user, summary=form.summary.data or "")
    except DomainError as error:
        db.session.rollback()
        return _render_log(slot, submit_form=form, message=error.message, open_form="submit", status=error.status_code)
    db.session.commit()
    flash("接访日志已提交并锁定。", "success")
    return redirect(url_for("reception.log", slot_id=slot.id), code=303)


@bp.route("/slots/<int:slot_id>/corrections", methods=["POST"])
@login_required
def correct(slot_id: int):
    slot = get_slot(slot_id)
    log = services.log_for(slot)
    form = _correction_form(log)
    if not form.validate():
        return _render_log(slot, correction_form=form, open_form="correction", status=422)
    try:
        if log is None:
            raise DomainError("接访日志尚未填写，无需更正。")
        services.add_correction(log, current_user, text=form.text.data, entry_id=form.entry_id.data or None)
    except DomainError as error:
        db.session.rollback()
        return _render_log(
            slot, correction_form=form, message=error.message, open_form="correction", status=error.status_code
        )
    db.session.commit()
    flash("更正说明已记录。", "success")
    return redirect(url_for("reception.log", slot_id=slot.id, _anchor="corrections"), code=303)


@bp.route("/earlier")
@login_required
def earlier():
    """Earlier cases of the visitor, while the phone or ID number is typed (htmx); for duty leaders and clerks."""
    _keeps_logs()
    return render_template(
        "cases/_earlier.html",
        selected=request.args.get("repeat_of_id", type=int),
        **_earlier(request.args.get("phone"), request.args.get("id_number")),
    )
