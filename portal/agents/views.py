"""The agent's desk (/agent: phone-sized, no JavaScript needed) and the office's pages about agents (/staff/agents).
Every view: load (404) → check (403) → validate → one service call → commit → 303."""

from __future__ import annotations

import dataclasses
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from portal.accounts.models import Role, User, UserRole
from portal.agents import bp, services
from portal.agents.forms import (
    CarryUpForm,
    CommitmentForm,
    ComplaintForm,
    FeedbackForm,
    FollowUpForm,
    MatterForm,
    MediationForm,
    MessageForm,
    RatingForm,
)
from portal.agents.models import (
    FIVE_PROHIBITIONS,
    STEP_NAMES,
    AgentMatter,
    DepartmentRating,
    MatterFile,
    can_message_agent,
    oversees,
    period_label,
    period_of,
)
from portal.audit.services import record_read
from portal.cases import attachments as sealed_files
from portal.cases.accused import Accused
from portal.cases.models import Case, CaseType, Channel, Rating
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import options
from portal.localtime import today
from portal.public.progress import Window, public_case
from portal.settings.models import get_setting


def _agent_only() -> None:
    if not current_user.is_agent:
        abort(403)


def get_matter(matter_id: int) -> AgentMatter:
    matter = db.get_or_404(AgentMatter, matter_id)
    if not matter.can_view(current_user):
        abort(403)
    return matter


def _upload(field):
    storage = field.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    found = sealed_files.check_uploads([(storage.filename or "", storage.read())])
    return found[0] if found else None


@bp.route("/agent/")
@login_required
def desk():
    _agent_only()
    matters = db.session.execute(
        db.select(AgentMatter)
        .where(AgentMatter.visible_to(current_user))
        .order_by(AgentMatter.received_on.desc(), AgentMatter.id.desc())
    ).scalars()
    matters = list(matters)
    waiting = [m for m in matters if m.can_act(current_user) and m.stage.value != "closed"]
    return render_template("agents/desk.html", waiting=waiting, matters=matters)


@bp.route("/agent/matters/new", methods=["GET", "POST"])
@login_required
def new_matter():
    _agent_only()
    form = MatterForm()
    message = None
    if form.validate_on_submit():
        try:
            matter = services.register_matter(
                current_user,
                name=form.name.data,
                phone=form.phone.data,
                id_number=form.id_number.data,
                address=form.address.data,
                channel=Channel(form.channel.data),
                received_on=form.received_on.data,
                case_type=CaseType(form.case_type.data),
                title=form.title.data,
                content=form.content.data,
                place=form.place.data,
                accuses_local_cadres=form.accuses_local_cadres.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            message = error.message
        else:
            flash("已登记备案。下一步：打印《群众信访双向承诺书》，双方签字后上传扫描件。", "success")
            if matter.can_view(current_user):
                return redirect(url_for("agents.matter", matter_id=matter.id), code=303)
            return redirect(url_for("agents.desk"), code=303)
    elif request.method == "POST":
        message = "；".join(e for errors in form.errors.values() for e in errors)
    status = 422 if message else 200
    return render_template("agents/new.html", form=form, message=message), status


def _step_forms(**given):
    forms = {
        "commit": CommitmentForm(formdata=None),
        "mediate": MediationForm(formdata=None),
        "carry_up": CarryUpForm(formdata=None),
        "feedback": FeedbackForm(formdata=None),
        "follow_up": FollowUpForm(formdata=None),
    }
    forms.update(given)
    return forms


def _progress(matter: AgentMatter):
    """The carried-up case as the public page shows it (the petitioner's own windows left out: the agent follows)."""
    if matter.case is None:
        return None
    view = public_case(matter.case, today())
    closed = Window(open=False, due=None, days_left=None, refusal=None)
    return dataclasses.replace(view, evaluate=closed, review=closed)


def _render_matter(matter: AgentMatter, *, message=None, status=200, **forms):
    page = render_template(
        "agents/matter.html",
        matter=matter,
        steps=STEP_NAMES,
        forms=_step_forms(**forms),
        view=_progress(matter),
        messages=matter.case.agent_messages if matter.case else [],
        message=message,
    )
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/agent/matters/<int:matter_id>")
@login_required
def matter(matter_id: int):
    matter = get_matter(matter_id)
    response = _render_matter(matter)
    record_read("agent.matter_view", current_user, matter)
    return response


@bp.route("/agent/matters/<int:matter_id>/commitment")
@login_required
def commitment(matter_id: int):
    """The printable 《群众信访双向承诺书》, filled in from the matter."""
    matter = get_matter(matter_id)
    page = render_template(
        "agents/commitment.html",
        matter=matter,
        prohibitions=FIVE_PROHIBITIONS,
        agent=matter.registered_by,
        county=get_setting("county_name"),
    )
    record_read("agent.commitment_print", current_user, matter)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/agent/matters/<int:matter_id>/files/<int:file_id>")
@login_required
def matter_file(matter_id: int, file_id: int):
    matter = get_matter(matter_id)
    row = db.get_or_404(MatterFile, file_id)
    if row.matter_id != matter.id:
        abort(404)
    data = sealed_files.read_sealed(row.stored_name)
    record_read("agent.file_download", current_user, matter, file_id=row.id)
    return send_file(io.BytesIO(data), mimetype=row.content_type, download_name=row.original_name)


STEPS = {
    "commit": (
        CommitmentForm,
        lambda m, f: services.record_commitment(current_user, m, signed_on=f.signed_on.data, scan=_upload(f.scan)),
        "已记录委托，承诺书扫描件已存档。",
    ),
    "mediate": (
        MediationForm,
        lambda m, f: services.record_mediation(
            current_user,
            m,
            mediated_on=f.mediated_on.data,
            parties=f.parties.data,
            outcome=f.outcome.data,
            agreement_text=f.agreement_text.data,
            agreement_scan=_upload(f.agreement_scan),
            villager_confirmed=f.villager_confirmed.data,
        ),
        "已记录本级调处。",
    ),
    "carry_up": (CarryUpForm, lambda m, f: services.carry_up(current_user, m), None),
    "feedback": (
        FeedbackForm,
        lambda m, f: services.record_feedback(
            current_user,
            m,
            fed_back_on=f.fed_back_on.data,
            text=f.text.data,
            rating=Rating(f.rating.data) if f.rating.data else None,
            comment=f.comment.data,
        ),
        "已记录反馈结果和信访人评议。",
    ),
    "follow_up": (
        FollowUpForm,
        lambda m, f: services.record_follow_up(
            current_user, m, followed_up_on=f.followed_up_on.data, text=f.text.data, new_risk=f.new_risk.data
        ),
        "已记录回访，本事项办结。",
    ),
}


@bp.route("/agent/matters/<int:matter_id>/<any(commit, mediate, carry_up, feedback, follow_up):step>", methods=["POST"])
@login_required
def take_step(matter_id: int, step: str):
    matter = get_matter(matter_id)
    if not matter.can_act(current_user):
        abort(403)
    form_cls, action, done = STEPS[step]
    form = form_cls()
    if not form.validate_on_submit():
        message = "；".join(e for errors in form.errors.values() for e in errors)
        return _render_matter(matter, message=message, status=422, **{step: form})
    try:
        result = action(matter, form)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_matter(matter, message=error.message, status=error.status_code, **{step: form})
    if step == "carry_up":
        case, query_code = result
        # The query code is shown once, like a receipt: the agent hands it to the villager.
        flash(
            f"已代为提出信访件 {case.tracking_code}，查询码 {query_code}（只显示这一次，请交给信访人）。",
            "success",
        )
    else:
        flash(done, "success")
    return redirect(url_for("agents.matter", matter_id=matter.id), code=303)


# --- 形象测评 -------------------------------------------------------------------------------------------------------
def _rating_form(departments, formdata=None) -> RatingForm:
    form = RatingForm(formdata=formdata)
    form.department_id.choices = options((d.id, d.name) for d in departments)
    return form


@bp.route("/agent/ratings", methods=["GET", "POST"])
@login_required
def ratings():
    _agent_only()
    departments = services.rateable_departments(current_user)
    form = _rating_form(departments, None if request.method == "GET" else request.form)
    message, status = None, 200
    if request.method == "POST":
        if form.validate():
            try:
                services.rate_department(
                    current_user, form.department_id.data, Rating(form.rating.data), form.comment.data
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                message, status = error.message, error.status_code
            else:
                flash("测评已提交。", "success")
                return redirect(url_for("agents.ratings"), code=303)
        else:
            message, status = "；".join(e for errors in form.errors.values() for e in errors), 422
    given = db.session.execute(
        db.select(DepartmentRating)
        .filter_by(agent_id=current_user.id)
        .order_by(DepartmentRating.period.desc(), DepartmentRating.id)
    ).scalars()
    period = period_of(today())
    return (
        render_template(
            "agents/ratings.html",
            form=form,
            departments=departments,
            given=list(given),
            period=period,
            period_label=period_label,
            message=message,
        ),
        status,
    )


# --- the office: agents' files, complaints, messages ------------------------------------------------------------
def get_agent(user_id: int) -> User:
    agent = db.get_or_404(User, user_id)
    if not agent.is_agent:
        abort(404)
    if current_user.is_agent or not oversees(current_user, agent.department):
        abort(403)
    return agent


@bp.route("/staff/agents/")
@login_required
def agents():
    if not current_user.works_cases:
        abort(403)
    rows = db.session.execute(
        db.select(User)
        .join(UserRole)
        .where(UserRole.role == Role.AGENT, User.active)
        .order_by(User.department_id, User.name)
    ).scalars()
    shown = [a for a in rows if oversees(current_user, a.department)]
    return render_template("agents/agents.html", agents=shown)


@bp.route("/staff/agents/<int:user_id>")
@login_required
def agent_file(user_id: int):
    """代理员档案: matters, villagers' ratings, ratings given, and complaints against the agent (never shown to the
    agent: the page refuses agents, and the complaint cases are sealed from them)."""
    agent = get_agent(user_id)
    matters = list(
        db.session.execute(
            db.select(AgentMatter).filter_by(registered_by_id=agent.id).order_by(AgentMatter.received_on.desc())
        ).scalars()
    )
    complaints = list(
        db.session.execute(
            db.select(Case)
            .where(Case.accused.any(Accused.user_id == agent.id), Case.visible_to(current_user))
            .order_by(Case.received_on.desc())
        ).scalars()
    )
    ratings = [m.villager_rating for m in matters if m.villager_rating is not None]
    summary = {r: sum(1 for x in ratings if x is r) for r in Rating}
    # 半年初评、年度总评: the villagers' ratings by the half-year of the feedback, for the agent's assessment.
    periods: dict[str, list[Rating]] = {}
    for m in matters:
        if m.villager_rating is not None:
            periods.setdefault(period_of(m.fed_back_on), []).append(m.villager_rating)
    assessment = [
        (period_label(p), len(rs), sum(r in (Rating.SATISFIED, Rating.BASICALLY) for r in rs) / len(rs))
        for p, rs in sorted(periods.items(), reverse=True)
    ]
    page = render_template(
        "agents/file.html",
        agent=agent,
        matters=matters,
        complaints=complaints,
        summary=summary,
        rated=len(ratings),
        assessment=assessment,
        complaint_form=ComplaintForm(formdata=None),
    )
    record_read("agent.file_view", current_user, agent)
    return page


@bp.route("/staff/agents/<int:user_id>/complaints", methods=["POST"])
@login_required
def complain(user_id: int):
    agent = get_agent(user_id)
    if not current_user.has_role(Role.CLERK):
        abort(403)
    form = ComplaintForm()
    if form.validate_on_submit():
        try:
            case, query_code = services.register_complaint(
                current_user,
                agent,
                channel=Channel(form.channel.data),
                title=form.title.data,
                content=form.content.data,
                petitioner_name=form.petitioner_name.data,
                phone=form.phone.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(
                f"投诉已登记为信访件 {case.tracking_code}（查询码 {query_code}），已交{case.department.name}办理。",
                "success",
            )
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("agents.agent_file", user_id=agent.id), code=303)


@bp.route("/staff/cases/<int:case_id>/agent-message", methods=["POST"])
@login_required
def message_agent(case_id: int):
    case = db.get_or_404(Case, case_id)
    if not can_message_agent(case, current_user):
        abort(403)
    form = MessageForm()
    if form.validate_on_submit():
        services.message_agent(current_user, case, form.text.data)
        db.session.commit()
        flash("已告知代理人。", "success")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("cases.detail", case_id=case.id), code=303)
