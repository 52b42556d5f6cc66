"""Public pages: home, online submission with its receipt, lookup by tracking code + query code, the progress
page with evaluation and review requests. Nothing here needs a login; every page shows only what DESIGN §8 allows."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_limiter import RequestLimit

from portal import resubmission
from portal.cases import receipts, services
from portal.cases.attachments import check_uploads
from portal.cases.models import Case, CaseType, Category, Channel, Rating
from portal.documents.downloads import send_pdf
from portal.errors import DomainError, StaleCase
from portal.extensions import db, htmx, limiter
from portal.forms import Form, options
from portal.localtime import now, today
from portal.masking import mask_name
from portal.notifications import services as notices
from portal.public import bp, tracking
from portal.public.forms import CASE_TYPE_HINTS, EvaluationForm, LookupForm, ReviewForm, SubmitForm
from portal.public.progress import public_case, public_notices
from portal.public.stages import ARTICLES
from portal.settings.models import office_contacts as configured_contacts


def office_contacts() -> dict:
    """The channels and reception hours 条例 art.18 requires to be published: only those configured."""
    return configured_contacts()


@bp.route("/")
def home():
    return render_template("public/home.html", office=office_contacts())


@bp.route("/basis")
def basis():
    """办理依据: the articles the progress page's "依据" links point at, in plain words."""
    return render_template("public/basis.html", articles=ARTICLES.values())


@bp.route("/privacy")
def privacy():
    return render_template("public/privacy.html", office=office_contacts())


@bp.route("/favicon.ico")
def favicon():
    # Browsers and feed readers ask for /favicon.ico whatever the page links to; the pages link the SVG as well.
    return send_from_directory(current_app.static_folder, "img/favicon.ico", max_age=86400)


# --- submission ----------------------------------------------------------------------------------------------
def _submit_form() -> SubmitForm:
    form = SubmitForm()
    categories = db.session.execute(db.select(Category).where(Category.active).order_by(Category.name)).scalars()
    form.category_id.choices = options([(0, "（不确定）")] + [(c.id, c.name) for c in categories])
    return form


def _render_submit(form: SubmitForm, status: int = 200, message: str | None = None):
    return render_template("public/submit.html", form=form, message=message, hints=CASE_TYPE_HINTS), status


def _minutes_left(limit: RequestLimit) -> int:
    """Whole minutes until ``limit`` lets the client try again, at least one."""
    return max(1, int((limit.reset_at - now().timestamp()) // 60) + 1)


def _submit_throttled(limit: RequestLimit):
    minutes = _minutes_left(limit)
    return make_response(
        _render_submit(
            _submit_form(), 429, f"提交过于频繁，请{minutes}分钟后再试。您填写的内容仍在页面上（附件需重新选择）。"
        )
    )


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], methods=["POST"], on_breach=_submit_throttled)
def submit():
    form = _submit_form()
    if not form.validate_on_submit():
        return _render_submit(form, 422 if form.errors else 200)
    if code := resubmission.registered(resubmission.posted()):
        # F5 on the receipt sends the same petition again: say so, never register it twice (the query code was
        # shown once, on that receipt).
        return _render_submit(
            _submit_form(), 200, f"这份信访事项已经提交过（信访件编号 {code}），未重复提交。查询码见提交后显示的回执。"
        )
    if form.website.data:
        # The honeypot: a person never sees this field. Say little, keep what was typed, create nothing.
        return _render_submit(form, 400, "提交未成功，请刷新页面后重新填写提交。")
    try:
        uploads = check_uploads([(f.filename or "", f.read()) for f in form.attachments.data or [] if f])
        case, query_code = services.register_case(
            None,
            channel=Channel.ONLINE,
            case_type=CaseType(form.case_type.data),
            title=form.title.data,
            content=form.content.data,
            petitioner_name=form.name.data,
            phone=form.phone.data,
            id_number=form.id_number.data,
            address=form.address.data or "",
            place=form.place.data or "",
            category_id=form.category_id.data or None,
            attachments=uploads,
        )
    except DomainError as error:
        db.session.rollback()
        return _render_submit(form, 422, error.message)
    db.session.commit()
    resubmission.remember(resubmission.posted(), case.tracking_code)
    context = receipts.context(case, query_code)
    # The query code is shown this once and is never stored: no cache may keep the page.
    return (
        render_template("public/receipt.html", petitioner_name=mask_name(case.petitioner.name), **context),
        201,
        {"Cache-Control": "no-store"},
    )


# --- lookup --------------------------------------------------------------------------------------------------
def _lookup_throttled(limit: RequestLimit):
    minutes = _minutes_left(limit)
    form = LookupForm()
    form.query_code.data = ""
    return make_response(
        render_template("public/lookup.html", form=form, message=f"查询尝试过于频繁，请{minutes}分钟后再试。"), 429
    )


@bp.route("/track", methods=["GET", "POST"])
@tracking.lookup_limits(_lookup_throttled)
def track():
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("public/lookup.html", form=form), 422 if form.errors else 200
    case = tracking.find_case(form.tracking_code.data, form.query_code.data)
    if case is None:
        form.query_code.data = ""
        return render_template("public/lookup.html", form=form, message=tracking.WRONG_PAIR), 422
    tracking.grant(case, now())
    return redirect(url_for("public.track_case", tracking_code=case.tracking_code), code=303)


def _granted_case(tracking_code: str) -> Case | None:
    case = db.session.execute(db.select(Case).filter_by(tracking_code=tracking_code[:30])).scalars().first()
    return case if case is not None and tracking.granted(case, now()) else None


@bp.route("/track/<tracking_code>")
def track_case(tracking_code: str):
    """The progress page when this browser looked the case up recently; otherwise the lookup form with the
    tracking code filled in (the address printed in the receipt's QR code)."""
    case = _granted_case(tracking_code)
    if case is None:
        form = LookupForm(formdata=None)
        form.tracking_code.data = tracking_code[:30]
        return render_template("public/lookup.html", form=form)
    return _render_progress(case)


def _render_progress(
    case: Case, *, evaluation_form=None, review_form=None, message=None, notice=None, status: int = 200
):
    template = "public/_progress.html" if htmx and htmx.target == "progress" else "public/progress.html"
    page = render_template(
        template,
        view=public_case(case, today()),
        grant_until=tracking.granted_until(case),
        version=case.version,
        evaluation_form=evaluation_form or EvaluationForm(formdata=None),
        review_form=review_form or ReviewForm(formdata=None),
        sms=notices.public_choice(case),
        sms_form=Form(),
        message=message,
        notice=notice,
    )
    return page, status, {"Cache-Control": "no-store"}


def _act(tracking_code: str, form, action, done: str):
    """Load the granted case → validate → one service call → commit → the progress page (303) or fragment."""
    case = _granted_case(tracking_code)
    if case is None:
        abort(403, "查询已过期，请重新输入信访件编号和查询码。")
    kwargs = {"evaluation_form" if isinstance(form, EvaluationForm) else "review_form": form}
    if not form.validate_on_submit():
        message = "；".join(e for errors in form.errors.values() for e in errors)
        return _render_progress(case, message=message, status=422, **kwargs)
    try:
        action(case, form)
        db.session.commit()
    except (DomainError, StaleCase) as error:
        db.session.rollback()
        return _render_progress(case, message=error.message, status=error.status_code, **kwargs)
    if htmx:
        return _render_progress(case, notice=done)
    flash(done, "success")
    return redirect(url_for("public.track_case", tracking_code=case.tracking_code), code=303)


@bp.route("/track/<tracking_code>/notices/<int:document_id>.pdf")
def notice_pdf(tracking_code: str, document_id: int):
    """A written notice of a case this browser looked up recently, as its PDF (the read audited)."""
    case = _granted_case(tracking_code)
    if case is None:
        return redirect(url_for("public.track_case", tracking_code=tracking_code[:30]), code=303)
    doc = next((d for d in public_notices(case) if d.id == document_id), None)
    if doc is None:
        abort(404)
    return send_pdf(doc, None)


@bp.route("/track/<tracking_code>/renew", methods=["POST"])
def renew(tracking_code: str):
    """Another TRACK_GRANT_MINUTES for a lookup still running, without typing the codes again (GB/T 37668: a time
    limit a person can extend). A grant that has ended needs the codes: that is what the grant stands for."""
    case = _granted_case(tracking_code)
    if case is None:
        abort(403, "查询已过期，请重新输入信访件编号和查询码。")
    tracking.grant(case, now())
    until = tracking.granted_until(case)
    if htmx:
        return render_template("public/_grant.html", tracking_code=case.tracking_code, grant_until=until, renewed=True)
    flash(f"已延长，本页可查看至{until:%H:%M}。", "success")
    return redirect(url_for("public.track_case", tracking_code=case.tracking_code), code=303)


@bp.route("/track/<tracking_code>/evaluate", methods=["POST"])
def evaluate(tracking_code: str):
    return _act(
        tracking_code,
        EvaluationForm(),
        lambda case, form: services.record_evaluation(
            case,
            acceptance=Rating(form.acceptance.data),
            handling=Rating(form.handling.data),
            comment=form.comment.data or "",
        ),
        "感谢您的评价。",
    )


@bp.route("/track/<tracking_code>/review", methods=["POST"])
def request_review(tracking_code: str):
    return _act(
        tracking_code,
        ReviewForm(),
        lambda case, form: services.request_review(case, None, reason=form.reason.data),
        "申请已收到，复查（复核）意见期限见本页。",
    )


@bp.route("/track/<tracking_code>/sms", methods=["POST"])
def sms_choice(tracking_code: str):
    """退订 or 恢复 the SMS notices of the case this browser looked up."""
    case = _granted_case(tracking_code)
    if case is None:
        abort(403, "查询已过期，请重新输入信访件编号和查询码。")
    if not Form().validate_on_submit():
        abort(400)
    wants = request.form.get("sms")
    try:
        if wants == "off":
            notices.opt_out(case, None)
            done = "已退订短信通知，今后办理进展请在本页查询。"
        elif wants == "on":
            notices.opt_in(case, None)
            done = "已恢复短信通知。"
        else:
            raise DomainError("请选择退订或恢复短信通知。")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _render_progress(case, message=error.message, status=error.status_code)
    if htmx:
        return _render_progress(case, notice=done)
    flash(done, "success")
    return redirect(url_for("public.track_case", tracking_code=case.tracking_code), code=303)
