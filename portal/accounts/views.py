"""Staff sign-in in two steps (password, then the second factor), enrolment, the person's own password and second
factor, and the gate that sends a signed-in person to a forced password change or enrolment before any staff page.

Between the steps the Flask session holds only "password ok for user X at time T" (``PENDING``, for
``PENDING_SECONDS``); Flask-Login's session starts when both steps passed, so a half-signed-in browser is anonymous
to every other page.
"""

from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required

from portal.accounts import bp, factors, services, sessions
from portal.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    EnrolForm,
    LoginForm,
    ReminderPhoneForm,
    SecondFactorForm,
)
from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import DomainError
from portal.extensions import db, htmx, limiter
from portal.localtime import now, utcnow

PENDING = "auth.pending"
PENDING_SECONDS = 5 * 60
ENROL = "auth.enrol"
# Pages a signed-in person can still reach while a password change or an enrolment is owed.
_GATE_EXEMPT = {
    "accounts.login",
    "accounts.second_factor",
    "accounts.enrol",
    "accounts.change_password",
    "accounts.logout",
    "static",
}


# --- throttling per address --------------------------------------------------------------------------------------
def _minutes_left(limit: RequestLimit) -> int:
    return max(1, int((limit.reset_at - now().timestamp()) // 60) + 1)


def _login_throttled(limit: RequestLimit):
    message = f"登录尝试过于频繁，请{_minutes_left(limit)}分钟后再试。"
    return make_response(render_template("accounts/login.html", form=LoginForm(), message=message), 429)


def _code_throttled(limit: RequestLimit):
    message = f"尝试过于频繁，请{_minutes_left(limit)}分钟后再试。"
    return make_response(render_template("accounts/second_factor.html", form=SecondFactorForm(), message=message), 429)


def _failed(response) -> bool:
    return response.status_code == 422  # only refusals count: a person who types it right is never throttled


def _throttle(on_breach):
    # One counter per address for both steps ("staff-login"): guessing codes costs the same as guessing passwords.
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"],
        methods=["POST"],
        scope="staff-login",
        deduct_when=_failed,
        on_breach=on_breach,
    )


# --- sign-in --------------------------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
@_throttle(_login_throttled)
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 422
    user = services.authenticate(form.username.data, form.password.data)
    if user is None:
        db.session.commit()
        return render_template("accounts/login.html", form=form, message=services.SIGN_IN_REFUSED), 422
    next_page = _safe_next(request.args.get("next"))
    if user.factor is None and not user.needs_second_factor:
        return _finish(user, None, next_page=next_page)
    db.session.commit()
    session.pop(ENROL, None)
    session[PENDING] = {
        "uid": user.id,
        "at": now().timestamp(),
        "next": next_page,
    }
    return redirect(url_for("accounts.second_factor" if user.factor else "accounts.enrol"), code=303)


@bp.route("/login/verify", methods=["GET", "POST"])
@_throttle(_code_throttled)
def second_factor():
    user = _pending_user()
    if user is None or user.factor is None:
        return _start_again()
    form = SecondFactorForm()
    if not form.validate_on_submit():
        return render_template("accounts/second_factor.html", form=form), 200 if request.method == "GET" else 422
    factor = services.verify_second_factor(user, form.code.data)
    if factor is None:
        db.session.commit()
        if not services.may_continue(user):
            session.pop(PENDING, None)
            return render_template("accounts/login.html", form=LoginForm(), message=services.SIGN_IN_REFUSED), 422
        form.code.data = ""
        return render_template("accounts/second_factor.html", form=form, message="验证码不正确，请重新输入。"), 422
    pending = session.pop(PENDING)
    return _finish(user, factor, next_page=pending["next"])


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """Set up the second factor: at the first sign-in of someone who needs one (after the password step), or for a
    signed-in person who has none yet."""
    user = _pending_user()
    if user is not None and user.factor is not None:
        return redirect(url_for("accounts.second_factor"), code=303)
    if user is None and current_user.is_authenticated and current_user.factor is None:
        user = current_user._get_current_object()
    if user is None:
        return _start_again()
    form = EnrolForm()
    kept = session.get(ENROL)
    if request.method == "GET" or not kept or kept.get("uid") != user.id:
        enrolment = factors.for_enrolment().begin(user)
        session[ENROL] = {"uid": user.id, "kind": factors.for_enrolment().kind, "state": enrolment.state}
        return _enrol_page(form, enrolment, 200 if request.method == "GET" else 422)
    factor = factors.REGISTRY[kept["kind"]]
    if not form.validate_on_submit():
        return _enrol_page(form, factor.begin(user, kept["state"]), 422)
    codes = services.confirm_enrolment(user, kept["kind"], kept["state"], form.code.data)
    if codes is None:
        db.session.commit()
        form.code.data = ""
        message = "动态口令不正确：请核对手机时间是否准确，并输入当前显示的6位数字。"
        return _enrol_page(form, factor.begin(user, kept["state"]), 422, message)
    session.pop(ENROL, None)
    pending = session.pop(PENDING, None)
    if pending is not None:
        _finish(user, kept["kind"], next_page=pending["next"])
        continue_to = pending["next"] or url_for("accounts.home")
    else:
        db.session.commit()
        continue_to = url_for("accounts.home")
    return _codes_page(codes, continue_to)


def _enrol_page(form, enrolment, status: int, message: str | None = None):
    return render_template(
        "accounts/enrol.html", form=form, enrolment=enrolment, message=message, required=True
    ), status


def _codes_page(codes: list[str], continue_to: str):
    # Shown this once: no cache may keep the page.
    return (
        render_template("accounts/recovery_codes.html", codes=codes, continue_to=continue_to),
        200,
        {"Cache-Control": "no-store"},
    )


def _finish(user: User, factor: str | None, *, next_page: str | None):
    """Both steps passed: the session starts here and nowhere else."""
    services.complete_sign_in(user, factor)
    sessions.start(user)  # a new server session; the browser's session is cleared (rotation), no remember cookie
    db.session.commit()
    return redirect(next_page or url_for("accounts.home"), code=303)


def _pending_user() -> User | None:
    """The user whose password step passed less than PENDING_SECONDS ago in this browser, if they may go on."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    user = db.session.get(User, pending.get("uid") or 0)
    if now().timestamp() - pending.get("at", 0) > PENDING_SECONDS or user is None or not services.may_continue(user):
        session.pop(PENDING, None)
        return None
    return user


def _start_again():
    session.pop(PENDING, None)
    flash("登录已超时或尚未输入密码，请重新登录。", "warning")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record("auth.logout", current_user, current_user, success=True)
    sessions.end()  # the server session ends: the cookie, replayed, no longer signs anyone in
    db.session.commit()
    flash("您已安全退出。", "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/")
@login_required
def home():
    if current_user.can_read_audit:
        return redirect(url_for("audit.index"))
    if current_user.works_cases:
        return redirect(url_for("work.index"))
    if current_user.can_administer:
        return redirect(url_for("administration.index"))
    if current_user.can_manage_calendar:
        return redirect(url_for("deadlines.calendar"))
    if current_user.can_manage_accounts:
        return redirect(url_for("security.accounts"))
    if current_user.is_agent:
        return redirect(url_for("agents.desk"))
    if current_user.files_screening:
        return redirect(url_for("screening.desk"))
    if current_user.reads_performance_files:
        return redirect(url_for("performance.index"))
    return redirect(url_for("accounts.account"))


# --- the person's own account -----------------------------------------------------------------------------------
@bp.route("/account")
@login_required
def account():
    return _account_page(ReminderPhoneForm(phone=current_user.reminder_phone or ""))


def _account_page(phone_form: ReminderPhoneForm, error: str | None = None, status: int = 200):
    return render_template(
        "accounts/account.html",
        factor=factors.REGISTRY.get(current_user.factor.kind) if current_user.factor else None,
        codes_left=factors.recovery_codes_left(current_user) if current_user.factor else 0,
        form=ConfirmPasswordForm(),
        phone_form=phone_form,
        phone_error=error,
    ), status


@bp.route("/account/reminder-phone", methods=["POST"])
@login_required
def reminder_phone():
    form = ReminderPhoneForm()
    if not form.validate_on_submit():
        return _account_page(form, "；".join(e for errors in form.errors.values() for e in errors), 422)
    clear = request.form.get("clear") == "1"
    if not clear and not (form.phone.data or "").strip():
        return _account_page(form, "请填写手机号；不再接收短信提醒请点“取消短信提醒”。", 422)
    try:
        changed = services.set_reminder_phone(current_user, None if clear else form.phone.data)
    except DomainError as error:
        db.session.rollback()
        return _account_page(form, error.message, 422)
    db.session.commit()
    if changed:
        flash("已保存接收待办提醒的手机号。" if current_user.reminder_phone else "已取消短信提醒。", "success")
    return redirect(url_for("accounts.account"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    due = current_user.password_change_due(utcnow())
    if not form.validate_on_submit():
        status = 200 if request.method == "GET" else 422
        return render_template("accounts/change_password.html", form=form, due=due), status
    try:
        services.change_password(current_user, form.current.data, form.new.data)
    except DomainError as error:
        db.session.commit()  # the refused attempt stays in the audit trail
        return render_template("accounts/change_password.html", form=form, due=due, message=error.message), 422
    db.session.commit()
    flash("密码已修改。", "info")
    return redirect(url_for("accounts.home"), code=303)


@bp.route("/account/recovery-codes", methods=["POST"])
@login_required
def regenerate_recovery_codes():
    form = ConfirmPasswordForm()
    if not form.validate_on_submit():
        flash("请输入当前密码。", "error")
        return redirect(url_for("accounts.account"), code=303)
    try:
        codes = services.regenerate_recovery_codes(current_user, form.password.data)
    except DomainError as error:
        db.session.commit()
        flash(error.message, "error")
        return redirect(url_for("accounts.account"), code=303)
    db.session.commit()
    return _codes_page(codes, url_for("accounts.account"))


# --- the gate -------------------------------------------------------------------------------------------------------
@bp.before_app_request
def _owed_before_any_staff_page():
    """A signed-in person who owes an enrolment or a password change reaches no other staff page."""
    if request.endpoint in _GATE_EXEMPT or not request.path.startswith("/staff"):
        return None
    if not current_user.is_authenticated:
        return None
    if current_user.needs_second_factor and current_user.factor is None:
        return _go(url_for("accounts.enrol"))
    if current_user.password_change_due(utcnow()):
        return _go(url_for("accounts.change_password"))
    return None


def _go(location: str):
    if htmx:  # an htmx request would swap the page into a fragment: have the browser navigate instead
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303 if request.method != "GET" else 302)


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an attacker's link must not turn our login into an open redirect. Browsers and werkzeug
    # drop control characters, so "/\t/evil.example" would become "//evil.example": refuse them outright.
    if not target or any(ord(c) < 33 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
