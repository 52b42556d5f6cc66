"""Staff sign-in and the staff start page."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import bp
from portal.accounts.forms import LoginForm
from portal.accounts.services import authenticate
from portal.audit.services import record
from portal.extensions import db


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"), code=303)
        flash("用户名或密码不正确。", "error")
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record("auth.logout", current_user, current_user)
    db.session.commit()
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/")
@login_required
def home():
    if current_user.can_read_audit:
        return redirect(url_for("audit.index"))
    if current_user.works_cases:
        return redirect(url_for("work.index"))
    return redirect(url_for("deadlines.calendar"))


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an attacker's link must not turn our login into an open redirect. Browsers and werkzeug
    # drop control characters, so "/\t/evil.example" would become "//evil.example": refuse them outright.
    if not target or any(ord(c) < 33 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
