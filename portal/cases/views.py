"""Staff case pages. Every view: load (404) → check access (403) → validate → one service call → commit →
303 redirect for a full page, or the fragment for htmx."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from portal import resubmission
from portal.audit.services import record_read
from portal.cases import attachments, bp, forms, receipts, search, services
from portal.cases.forms import CaseFilterForm, EmptyForm, RegisterForm, TickForm
from portal.cases.lifecycle import ACTIONS, Action
from portal.cases.models import Attachment, Case, CaseType, Category, Channel, ChecklistItem, Procedure, Status
from portal.errors import DomainError, StaleCase
from portal.extensions import db, htmx
from portal.forms import options
from portal.localtime import today
from portal.masking import mask_phone
from portal.org.models import Department
from portal.settings.models import get_setting


def get_case(case_id: int) -> Case:
    case = db.get_or_404(Case, case_id)
    if not case.can_view(current_user):
        abort(403)
    return case


# The actions with a place of their own on the case page, beside the actions card.
SIDE_ACTIONS = ("note", "contribute", "instruct", "follow_up", "edit_petitioner")


def _action_form(action: Action, case: Case, formdata=None):
    form = getattr(forms, action.form)(formdata=formdata, prefix=action.name)
    if formdata is None:
        form.version.data = str(case.version)
    form.prepare(case, fresh=formdata is None)
    return form


def _render_case(
    case: Case,
    *,
    submitted: tuple[str, object] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    revealed: services.Identity | None = None,
):
    actions = case.available_actions(current_user)
    action_forms = {a.name: _action_form(a, case) for a in actions}
    side_forms = {name: _action_form(ACTIONS[name], case) for name in SIDE_ACTIONS if case.can(name, current_user)}
    kept = None
    if submitted is not None:
        if submitted[0] in action_forms:
            action_forms[submitted[0]] = submitted[1]  # keep what the person typed
        elif submitted[0] in side_forms:
            side_forms[submitted[0]] = submitted[1]
        else:
            kept = submitted[1]  # the action is gone (someone else moved the case): still show what was typed
    mark_off = case.refusal("mark_off", current_user)
    context = dict(
        case=case,
        actions=actions,
        forms=action_forms,
        side_forms=side_forms,
        clock=services.current_clock(case),
        error=error,
        notice=notice,
        open_action=submitted[0] if submitted else None,
        events=case.events,
        can_read=case.can_read(current_user),
        show_identity=case.can_see_identity(current_user),
        show_materials=case.can_see_materials(current_user),
        can_reveal=case.can_reveal_identity(current_user),
        revealed=revealed,
        suggestions=services.identity_suggestions(case) if case.can("confirm_petitioner", current_user) else [],
        # 销号 is this person's to do, but the case is not ready: say what is missing instead of the button.
        blockers=case.mark_off_blockers() if mark_off is not None and mark_off.by_check else [],
        ticks={item.id: item.can_tick(current_user) for item in case.checklist},
        tick_version=str(case.version),
        kept=kept,
        related=services.related_cases(case, current_user) if case.can_read(current_user) else [],
    )
    template = "cases/_case.html" if htmx and htmx.target == "case" else "cases/detail.html"
    return render_template(template, **context), status


def _commit_or_stale() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleCase() from None


def _perform(case: Case, action: Action, form, call, *, anchor: str | None = None):
    """The shared end of every action view: refuse who may not act, validate, call the service, commit, respond."""
    refusal = case.refusal(action.name, current_user)
    if refusal is not None and refusal.forbidden:
        return _render_case(case, submitted=(action.name, form), error=refusal.message, status=403)
    if not form.validate():
        message = "；".join(e for errors in form.errors.values() for e in errors)
        return _render_case(case, submitted=(action.name, form), error=message, status=422)
    case_id = case.id
    try:
        try:
            call(form)
        except StaleDataError:  # an autoflush inside the service met a newer version
            raise StaleCase() from None
        _commit_or_stale()
    except DomainError as error:
        db.session.rollback()
        case = get_case(case_id)
        if not isinstance(error, StaleCase):
            form.version.data = str(case.version)
        return _render_case(case, submitted=(action.name, form), error=error.message, status=error.status_code)
    notice = f"已{action.label}。"
    if not case.can_view(current_user):  # the action handed the case on (交办异议): back to the case list
        flash(notice, "success")
        location = url_for("cases.index")
        if htmx:
            return "", 204, {"HX-Redirect": location}
        return redirect(location, code=303)
    if htmx:
        return _render_case(case, notice=notice)
    flash(notice, "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor=anchor), code=303)


@bp.route("/")
@login_required
def index():
    if not current_user.works_cases:
        abort(403)
    form = CaseFilterForm(request.args)
    filters = []
    if form.status.data in {s.value for s in Status}:
        filters.append(Case.status == Status(form.status.data))
    if form.channel.data in {c.value for c in Channel}:
        filters.append(Case.channel == Channel(form.channel.data))
    number = search.page_number(request.args.get("page"))
    term, error = None, None
    try:
        term = search.classify(form.q.data)
    except DomainError as refused:
        error = refused.message
    if term is not None:
        page = search.search(current_user, term, page=number, where=filters)
    elif error:
        page = search.Page(items=[], page=1, per_page=search.PER_PAGE, has_next=False)
    else:
        # Staff deadlines first, most urgent on top; petitioners' windows and finished cases after them. One query
        # per page, served by the urgency index: no count of every visible case (the pager asks only "is there more").
        stmt = (
            db.select(Case)
            .where(Case.visible_to(current_user), *filters)
            .order_by(*Case.most_urgent_first())
            .options(db.selectinload(Case.assists))  # can_view asks a sealed case's 协办单位: one query, not one each
        )
        page = search.cut(stmt, number)
    template = "cases/_table.html" if htmx and htmx.target == "case-table" else "cases/index.html"
    html = render_template(template, form=form, page=page, term=term, error=error)
    # The audit row of a search by phone or ID number, committed once the page is rendered: a commit before would
    # expire the rows found and load each one again (two queries per row).
    db.session.commit()
    response = make_response(html, 422 if error else 200)
    response.vary.add("HX-Target")
    return response


def _register_form() -> RegisterForm:
    form = RegisterForm()
    categories = db.session.execute(db.select(Category).where(Category.active).order_by(Category.name)).scalars()
    form.category_id.choices = options([(0, "（未分类）")] + [(c.id, c.name) for c in categories])
    areas = db.session.execute(Department.place_areas()).scalars()
    form.place_area_id.choices = options([(0, "（未选择）")] + [(d.id, d.path) for d in areas])
    return form


def _earlier(phone: str | None, id_number: str | None) -> list[Case]:
    return services.earlier_cases(
        phone=(phone or "").strip() or None, id_number=(id_number or "").strip() or None, viewer=current_user
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.can_register_cases:
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
        if code := resubmission.registered(resubmission.posted()):
            # F5 on the receipt sends the same form again: show the case it registered, never a second one.
            flash(f"这份登记已经提交过（信访件 {code}），未重复登记。", "info")
            case = db.session.execute(db.select(Case).filter_by(tracking_code=code)).scalar_one()
            return redirect(url_for("cases.detail", case_id=case.id), code=303)
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
                place_area_id=form.place_area_id.data or None,
                repeat_of_id=form.repeat_of_id.data or None,
                new_facts=form.new_facts.data,
                attachments=uploads,
                postmarked_on=form.postmarked_on.data,
                caller_number=form.caller_number.data or "",
                group_visit=form.group_visit.data,
                representatives=(form.representatives.data or "").splitlines(),
                procedure_reason=form.procedure_reason.data or "",
                skipped_level=form.skipped_level.data,
                proper_level=form.proper_level.data or "",
                anonymous=form.anonymous.data,
                same_person=form.same_person_answer(),
                query_code_by=form.query_code_by.data or "receipt",
            )
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "cases/new.html",
                form=form,
                earlier=earlier,
                message=error.message,
                # The ID number is known under another name: nothing is saved until the clerk answers.
                conflict=isinstance(error, services.IdentityConflict),
                max_representatives=get_setting("max_representatives"),
            ), error.status_code
        db.session.commit()
        resubmission.remember(resubmission.posted(), case.tracking_code)
        by_sms = form.query_code_by.data == "sms"
        response = render_template(
            "cases/receipt.html", **receipts.context(case, query_code, sent_to=case.notice_phone if by_sms else None)
        )
        # The query code is shown this once: no cache may keep it.
        return response, 201, {"Cache-Control": "no-store"}
    return render_template(
        "cases/new.html", form=form, earlier=earlier, max_representatives=get_setting("max_representatives")
    ), 422 if form.errors else 200


@bp.route("/earlier")
@login_required
def earlier():
    """Earlier cases of the petitioner being registered, while the clerk types the phone or ID number (htmx)."""
    if not current_user.can_register_cases:
        abort(403)
    phone, id_number = request.args.get("phone"), request.args.get("id_number")
    cases = _earlier(phone, id_number)
    if cases:  # a lookup by phone or ID number that showed someone's earlier petitions: audited, the number masked
        term = mask_phone((phone or "").strip() or (id_number or "").strip())  # 138****8000, 110****123X
        record_read("case.search", current_user, kind="registration_lookup", term=term, found=len(cases))
    selected = request.args.get("repeat_of_id", type=int)
    return render_template("cases/_earlier.html", earlier=cases, selected=selected, looked_up=True)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id: int):
    case = get_case(case_id)
    page = _render_case(case)
    if case.confidential or case.can_see_identity(current_user):  # a confidential case, or the petitioner's identity
        record_read("case.view", current_user, case, tracking_code=case.tracking_code, confidential=case.confidential)
    return page


@bp.route("/<int:case_id>/identity", methods=["POST"])
@login_required
def reveal(case_id: int):
    """显示: the petitioner's full contact details, for someone entitled, on an explicit request; the read is
    audited. htmx gets the identity fragment, a plain form the case page with the details shown."""
    case = get_case(case_id)
    if not case.can_reveal_identity(current_user):
        abort(403)
    form = EmptyForm(formdata=request.form)
    if not form.validate():
        abort(400)
    identity = services.reveal_identity(case, current_user)
    record_read("case.identity_reveal", current_user, case, tracking_code=case.tracking_code)
    response = (
        make_response(
            render_template(
                "cases/_identity.html",
                case=case,
                revealed=identity,
                can_read=True,
                show_identity=True,
                can_reveal=True,
                suggestions=[],
            )
        )
        if htmx and htmx.target == "identity"
        else make_response(_render_case(case, revealed=identity)[0])
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("HX-Target")
    return response


@bp.route("/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def attachment(case_id: int, attachment_id: int):
    case = get_case(case_id)
    item = db.get_or_404(Attachment, attachment_id)
    if item.case_id != case.id:
        abort(404)
    if not case.can_see_materials(current_user):
        abort(403)
    record_read("case.attachment", current_user, item, tracking_code=case.tracking_code, name=item.original_name)
    response = send_file(
        attachments.open_file(item),
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
    action = ACTIONS.get(name)
    if action is None or name == "tick":
        abort(404)
    service = getattr(services, action.service_name)
    form = _action_form(action, case, formdata=request.form)
    return _perform(
        case,
        action,
        form,
        lambda f: service(case, current_user, **f.arguments(), expected_version=f.expected_version()),
        anchor=None if action.on_actions_card else action.name.replace("_", "-"),
    )


@bp.route("/<int:case_id>/checklist/<int:item_id>", methods=["POST"])
@login_required
def tick(case_id: int, item_id: int):
    case = get_case(case_id)
    item = db.get_or_404(ChecklistItem, item_id)
    if item.case_id != case.id:
        abort(404)
    form = TickForm(formdata=request.form)
    return _perform(
        case,
        ACTIONS["tick"],
        form,
        lambda f: services.tick_checklist_item(
            item, current_user, **f.arguments(), expected_version=f.expected_version()
        ),
        anchor="checklist",
    )
