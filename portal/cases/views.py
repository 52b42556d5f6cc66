"""Staff case pages. Every view: load (404) → check access (403) → validate → one service call → commit →
303 redirect for a full page, or the fragment for htmx."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import Role, User
from portal.cases import attachments, bp, receipts, services
from portal.cases.forms import (
    AcceptForm,
    AssignForm,
    CaseFilterForm,
    CommentForm,
    DraftForm,
    EmptyForm,
    ExtensionDecisionForm,
    ExtensionForm,
    FollowUpForm,
    ForwardForm,
    HandlerForm,
    HearingForm,
    InstructionForm,
    MarkOffForm,
    NotAcceptForm,
    NoteForm,
    PublishForm,
    RegisterForm,
    RehandleForm,
    ReviewDecisionForm,
    ReviewRequestForm,
)
from portal.cases.lifecycle import TRANSITIONS, available
from portal.cases.models import (
    Attachment,
    Case,
    CaseType,
    Category,
    Channel,
    ChecklistItem,
    NotAcceptedRoute,
    Outcome,
    Procedure,
    Rating,
    Status,
)
from portal.errors import DomainError, StaleCase
from portal.extensions import db, htmx
from portal.localtime import today
from portal.org.models import Department
from portal.settings.models import get_setting


def get_case(case_id: int) -> Case:
    case = db.get_or_404(Case, case_id)
    if not case.can_view(current_user):
        abort(403)
    return case


def _version(form) -> int | None:
    return int(form.version.data) if (form.version.data or "").isdigit() else None


# name → (form class, how the form's data calls the service)
ACTIONS = {
    "accept": (
        AcceptForm,
        lambda c, u, f: services.accept(
            c,
            u,
            procedure=Procedure(f.procedure.data),
            note=f.note.data or "",
            reason=f.reason.data or "",
            expected_version=_version(f),
        ),
    ),
    "not_accept": (
        NotAcceptForm,
        lambda c, u, f: services.not_accept(
            c, u, route=NotAcceptedRoute(f.route.data), reason=f.reason.data or "", expected_version=_version(f)
        ),
    ),
    "forward": (
        ForwardForm,
        lambda c, u, f: services.forward(
            c, u, authority=f.authority.data, reason=f.reason.data or "", expected_version=_version(f)
        ),
    ),
    "assign": (
        AssignForm,
        lambda c, u, f: services.assign(
            c,
            u,
            department_id=f.department_id.data,
            owner_leader_id=f.owner_leader_id.data or None,
            expected_version=_version(f),
        ),
    ),
    "start": (EmptyForm, lambda c, u, f: services.start(c, u, expected_version=_version(f))),
    "draft": (
        DraftForm,
        lambda c, u, f: services.draft_reply(
            c,
            u,
            outcome=Outcome(f.outcome.data),
            text=f.text.data,
            legal_basis=f.legal_basis.data or "",
            expected_version=_version(f),
        ),
    ),
    "sign": (EmptyForm, lambda c, u, f: services.sign_reply(c, u, expected_version=_version(f))),
    "return_draft": (
        CommentForm,
        lambda c, u, f: services.return_draft(c, u, comment=f.comment.data, expected_version=_version(f)),
    ),
    "send_back": (
        CommentForm,
        lambda c, u, f: services.send_back(c, u, comment=f.comment.data, expected_version=_version(f)),
    ),
    "publish": (
        PublishForm,
        lambda c, u, f: services.publish_reply(
            c, u, delivered_on=f.delivered_on.data, method=f.method.data, expected_version=_version(f)
        ),
    ),
    "request_review": (
        ReviewRequestForm,
        lambda c, u, f: services.request_review(c, u, reason=f.reason.data, expected_version=_version(f)),
    ),
    "request_rereview": (
        ReviewRequestForm,
        lambda c, u, f: services.request_review(c, u, reason=f.reason.data, expected_version=_version(f)),
    ),
    "decide_review": (
        ReviewDecisionForm,
        lambda c, u, f: services.decide_review(
            c,
            u,
            outcome=Outcome(f.outcome.data),
            text=f.text.data,
            legal_basis=f.legal_basis.data or "",
            delivered_on=f.delivered_on.data,
            expected_version=_version(f),
        ),
    ),
    "decide_rereview": (
        ReviewDecisionForm,
        lambda c, u, f: services.decide_review(
            c,
            u,
            outcome=Outcome(f.outcome.data),
            text=f.text.data,
            legal_basis=f.legal_basis.data or "",
            delivered_on=f.delivered_on.data,
            expected_version=_version(f),
        ),
    ),
    "mark_off": (
        MarkOffForm,
        lambda c, u, f: services.mark_off(c, u, note=f.note.data or "", expected_version=_version(f)),
    ),
    "rehandle": (RehandleForm, lambda c, u, f: services.rehandle(c, u, text=f.text.data, expected_version=_version(f))),
}


@dataclass(frozen=True)
class CaseAction:
    """An action on a case that is not a lifecycle transition; ``permits`` is the model's ``can_*`` check."""

    name: str
    label: str
    form: type
    permits: Callable[[Case, User], bool]
    call: Callable


EXTRAS = {
    a.name: a
    for a in (
        CaseAction(
            "assign_handler",
            "指定承办人",
            HandlerForm,
            lambda c, u: c.can_assign_handler(u),
            lambda c, u, f: services.assign_handler(c, u, handler_id=f.handler_id.data, expected_version=_version(f)),
        ),
        CaseAction(
            "request_extension",
            "申请延期",
            ExtensionForm,
            lambda c, u: c.can_request_extension(u),
            lambda c, u, f: services.request_extension(
                c, u, days=f.days.data, reason=f.reason.data, expected_version=_version(f)
            ),
        ),
        CaseAction(
            "approve_extension",
            "批准延期",
            ExtensionDecisionForm,
            lambda c, u: c.can_approve_extension(u),
            lambda c, u, f: services.decide_extension(
                c, u, approve=True, note=f.note.data or "", expected_version=_version(f)
            ),
        ),
        CaseAction(
            "refuse_extension",
            "不予延期",
            ExtensionDecisionForm,
            lambda c, u: c.pending_extension is not None and c.can_decide_extension(u),
            lambda c, u, f: services.decide_extension(
                c, u, approve=False, note=f.note.data or "", expected_version=_version(f)
            ),
        ),
        CaseAction(
            "hearing",
            "记录听证",
            HearingForm,
            lambda c, u: c.can_record_hearing(u),
            lambda c, u, f: services.record_hearing(
                c,
                u,
                starts_on=f.starts_on.data,
                ends_on=f.ends_on.data,
                place=f.place.data or "",
                note=f.note.data or "",
                expected_version=_version(f),
            ),
        ),
        CaseAction(
            "note",
            "添加调查记录",
            NoteForm,
            lambda c, u: c.can_add_note(u),
            lambda c, u, f: services.add_note(c, u, text=f.text.data),
        ),
    )
}


def _actions_for(case: Case) -> list:
    """What the signed-in user may do on ``case`` now: transitions first, then the other actions."""
    return available(case, current_user) + [
        a for a in EXTRAS.values() if a.name != "note" and a.permits(case, current_user)
    ]


def _action_form(name: str, case: Case, formdata=None):
    form_class = ACTIONS[name][0] if name in ACTIONS else EXTRAS[name].form
    form = form_class(formdata=formdata, prefix=name)
    if formdata is None:
        form.version.data = str(case.version)
    if isinstance(form, AssignForm):
        departments = db.session.execute(Department.assignable()).scalars().all()
        if case.case_type is CaseType.ACCUSATION:
            departments = [d for d in departments if d.kind.value == "discipline"]
        form.department_id.choices = [(d.id, d.name) for d in departments]
        leaders = (
            db.session.execute(
                db.select(User).where(User.active, User.role_rows.any(role=Role.LEADER)).order_by(User.name)
            )
            .scalars()
            .all()
        )
        form.owner_leader_id.choices = [(0, "（不指定）")] + [(u.id, f"{u.name}（{u.title}）") for u in leaders]
    if isinstance(form, HandlerForm):
        handlers = (
            db.session.execute(
                db.select(User)
                .where(User.active, User.department_id == case.department_id, User.role_rows.any(role=Role.HANDLER))
                .order_by(User.name)
            )
            .scalars()
            .all()
        )
        form.handler_id.choices = [(u.id, u.name) for u in handlers]
        if formdata is None and case.handler_id:
            form.handler_id.data = case.handler_id
    if isinstance(form, AcceptForm) and formdata is None:
        form.procedure.data = case.procedure.value
    if isinstance(form, PublishForm) and formdata is None:
        form.delivered_on.data = today()
        form.method.data = "网上送达" if case.channel is Channel.ONLINE else "直接送达"
    return form


def _render_case(
    case: Case,
    *,
    submitted: tuple[str, object] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
):
    transitions = _actions_for(case)
    forms = {t.name: _action_form(t.name, case) for t in transitions}
    note_form = _action_form("note", case) if case.can_add_note(current_user) else None
    kept = None
    if submitted is not None:
        if submitted[0] in forms:
            forms[submitted[0]] = submitted[1]  # keep what the person typed
        else:
            kept = submitted[1]  # the action is gone (someone else moved the case): still show what was typed
    clock = services.current_clock(case)
    context = dict(
        case=case,
        transitions=transitions,
        forms=forms,
        clock=clock,
        error=error,
        notice=notice,
        open_action=submitted[0] if submitted else None,
        events=case.events,
        show_identity=case.can_see_identity(current_user),
        show_materials=case.can_see_materials(current_user),
        blockers=services.mark_off_blockers(case) if case.status in (Status.REPLIED, Status.FINAL) else [],
        instruction_form=InstructionForm() if current_user.has_role(Role.LEADER) else None,
        follow_up_form=FollowUpForm()
        if (current_user.has_role(Role.CLERK) and case.delivered_on and case.status is not Status.CLOSED)
        else None,
        checklist_editable=_checklist_editable(case),
        note_form=note_form,
        kept=kept,
        related=[c for c in services.related_cases(case) if c.can_view(current_user)],
    )
    template = "cases/_case.html" if htmx and htmx.target == "case" else "cases/detail.html"
    return render_template(template, **context), status


def _checklist_editable(case: Case) -> bool:
    return current_user.has_role(Role.CLERK, Role.HANDLER, Role.DEPT_HEAD) and (
        case.is_open or case.status is Status.REPLIED
    )


def _commit_or_stale() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleCase() from None


@bp.route("/")
@login_required
def index():
    if not current_user.works_cases:
        abort(403)
    form = CaseFilterForm(request.args)
    # Staff deadlines first, most urgent on top; petitioners' windows and finished cases after them.
    stmt = (
        db.select(Case)
        .where(Case.visible_to(current_user))
        .order_by(db.or_(Case.due_date.is_(None), db.not_(Case.staff_clock())), Case.due_date, Case.id.desc())
    )
    if form.q.data:
        like = f"%{form.q.data.strip()}%"
        stmt = stmt.where(db.or_(Case.title.ilike(like), Case.tracking_code.ilike(like)))
    if form.status.data in {s.value for s in Status}:
        stmt = stmt.where(Case.status == Status(form.status.data))
    if form.channel.data in {c.value for c in Channel}:
        stmt = stmt.where(Case.channel == Channel(form.channel.data))
    page = db.paginate(stmt, per_page=30, error_out=False)
    template = "cases/_table.html" if htmx and htmx.target == "case-table" else "cases/index.html"
    return render_template(template, form=form, page=page)


def _register_form() -> RegisterForm:
    form = RegisterForm()
    categories = db.session.execute(db.select(Category).where(Category.active).order_by(Category.name)).scalars()
    form.category_id.choices = [(0, "（未分类）")] + [(c.id, c.name) for c in categories]
    return form


def _earlier(phone: str | None, id_number: str | None) -> list[Case]:
    return services.earlier_cases(phone=(phone or "").strip() or None, id_number=(id_number or "").strip() or None)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.has_role(Role.CLERK):
        abort(403)
    form = _register_form()
    if request.method == "GET":
        form.received_on.data = today()
    earlier = _earlier(form.phone.data, form.id_number.data) if request.method == "POST" else []
    if request.form.get("find_earlier"):
        # Without JavaScript the clerk asks for earlier cases with a button; nothing is registered yet.
        return render_template(
            "cases/new.html",
            form=form,
            earlier=earlier,
            looked_up=True,
            max_representatives=get_setting("max_representatives"),
        )
    if form.validate_on_submit():
        try:
            uploads = attachments.check_uploads(
                [(f.filename or "", f.read()) for f in form.attachments.data or [] if f]
            )
            case, query_code = services.register_case(
                current_user,
                channel=Channel(form.channel.data),
                case_type=CaseType(form.case_type.data),
                title=form.title.data,
                content=form.content.data,
                petitioner_name=form.petitioner_name.data,
                phone=form.phone.data,
                id_number=form.id_number.data,
                address=form.address.data or "",
                received_on=form.received_on.data,
                category_id=form.category_id.data or None,
                procedure=Procedure(form.procedure.data),
                confidential=form.confidential.data,
                people_count=form.people_count.data or 1,
                place=form.place.data or "",
                repeat_of_id=form.repeat_of_id.data or None,
                new_facts=form.new_facts.data,
                attachments=uploads,
                postmarked_on=form.postmarked_on.data,
                caller_number=form.caller_number.data or "",
                group_visit=form.group_visit.data,
                representatives=(form.representatives.data or "").splitlines(),
                procedure_reason=form.procedure_reason.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "cases/new.html",
                form=form,
                earlier=earlier,
                message=error.message,
                max_representatives=get_setting("max_representatives"),
            ), 422
        db.session.commit()
        response = render_template("cases/receipt.html", **receipts.context(case, query_code))
        # The query code is shown this once: no cache may keep it.
        return response, 201, {"Cache-Control": "no-store"}
    return render_template(
        "cases/new.html", form=form, earlier=earlier, max_representatives=get_setting("max_representatives")
    ), 422 if form.errors else 200


@bp.route("/earlier")
@login_required
def earlier():
    """Earlier cases of the petitioner being registered, while the clerk types the phone or ID number (htmx)."""
    if not current_user.has_role(Role.CLERK):
        abort(403)
    cases = _earlier(request.args.get("phone"), request.args.get("id_number"))
    selected = request.args.get("repeat_of_id", type=int)
    return render_template("cases/_earlier.html", earlier=cases, selected=selected, looked_up=True)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id: int):
    return _render_case(get_case(case_id))


@bp.route("/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def attachment(case_id: int, attachment_id: int):
    case = get_case(case_id)
    item = db.get_or_404(Attachment, attachment_id)
    if item.case_id != case.id:
        abort(404)
    if not case.can_see_materials(current_user):
        abort(403)
    response = send_file(
        attachments.path_of(item),
        mimetype=item.content_type,
        download_name=item.original_name,
        as_attachment=item.content_type == "application/pdf",
        max_age=0,
    )
    # A petitioner's file is never run as a page, and never kept by a shared cache.
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:case_id>/actions/<name>", methods=["POST"])
@login_required
def act(case_id: int, name: str):
    case = get_case(case_id)
    if name not in ACTIONS and name not in EXTRAS:
        abort(404)
    form = _action_form(name, case, formdata=request.form)
    if not form.validate():
        message = "；".join(e for errors in form.errors.values() for e in errors)
        return _render_case(case, submitted=(name, form), error=message, status=422)
    try:
        try:
            (ACTIONS[name][1] if name in ACTIONS else EXTRAS[name].call)(case, current_user, form)
        except StaleDataError:  # an autoflush inside the service met a newer version
            raise StaleCase() from None
        _commit_or_stale()
    except DomainError as error:
        db.session.rollback()
        case = get_case(case_id)
        form.version.data = str(case.version) if not isinstance(error, StaleCase) else form.version.data
        return _render_case(case, submitted=(name, form), error=error.message, status=error.status_code)
    notice = f"已{TRANSITIONS[name].label if name in TRANSITIONS else EXTRAS[name].label}。"
    if htmx:
        return _render_case(case, notice=notice)
    flash(notice, "success")
    return redirect(url_for("cases.detail", case_id=case.id), code=303)


@bp.route("/<int:case_id>/checklist/<int:item_id>", methods=["POST"])
@login_required
def tick(case_id: int, item_id: int):
    case = get_case(case_id)
    item = db.get_or_404(ChecklistItem, item_id)
    if item.case_id != case.id:
        abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    services.tick_checklist_item(item, current_user, done=request.form.get("done") == "1")
    db.session.commit()
    if htmx:
        return render_template("cases/_checklist.html", case=case, checklist_editable=_checklist_editable(case))
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="checklist"), code=303)


@bp.route("/<int:case_id>/instructions", methods=["POST"])
@login_required
def instruct(case_id: int):
    case = get_case(case_id)
    form = InstructionForm()
    if not form.validate_on_submit():
        return _render_case(case, error="请填写批示内容。", status=422)
    services.add_instruction(case, current_user, text=form.text.data, rehandle=form.rehandle.data)
    db.session.commit()
    flash("批示已记录。", "success")
    return redirect(url_for("cases.detail", case_id=case.id), code=303)


@bp.route("/<int:case_id>/follow-ups", methods=["POST"])
@login_required
def follow_up(case_id: int):
    case = get_case(case_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _render_case(case, error="请检查回访内容。", status=422)
    services.record_follow_up(
        case,
        current_user,
        method=form.method.data,
        satisfaction=Rating(form.satisfaction.data) if form.satisfaction.data else None,
        notes=form.notes.data or "",
    )
    db.session.commit()
    flash("回访已记录。", "success")
    return redirect(url_for("cases.detail", case_id=case.id), code=303)
