"""Pages: everyone's own sessions, the restore page after a timed-out post, and the security administrator's accounts,
sessions and security settings (403 for every other role)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts import sessions
from portal.accounts.models import Role, User, UserRole
from portal.accounts.sessions import StaffSession
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import utcnow
from portal.org.models import Department
from portal.security import bp, services, settings, stash
from portal.security.forms import AccountForm, AccountSearchForm, ActionForm, RolesForm

PER_PAGE = 50
MAX_PAGE = 10_000


def _page_number() -> int:
    """?page= as a page number: anything that is not one means the first page, a huge one the last we page to."""
    value = request.args.get("page", "")
    if not (value.isascii() and value.isdigit()):
        return 1
    return max(1, min(int(value[:6]), MAX_PAGE)) if len(value) <= 6 else MAX_PAGE


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _account(user_id: int) -> User:
    _require(current_user.can_manage_accounts)
    return db.get_or_404(User, user_id)


def _departments() -> list[Department]:
    return list(db.session.execute(db.select(Department).order_by(Department.name)).scalars())


# --- everyone: their own sessions ------------------------------------------------------------------------------
@bp.route("/sessions")
@login_required
def my_sessions():
    rows = db.session.execute(sessions.live_query(current_user)).scalars().all()
    return render_template("security/my_sessions.html", rows=rows, form=ActionForm())


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    row = db.get_or_404(StaffSession, session_id)
    _require(row.can_end(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    was_current = row.is_current
    sessions.end_session(row, current_user)
    if was_current:
        sessions.end()
        db.session.commit()
        flash("已结束本次登录。", "info")
        return redirect(url_for("accounts.login"), code=303)
    db.session.commit()
    flash("已结束该登录会话。", "success")
    back = request.form.get("back")
    if back == "all" and current_user.can_manage_sessions:
        return redirect(url_for("security.all_sessions"), code=303)
    if back == "account" and current_user.can_manage_accounts:
        return redirect(url_for("security.account", user_id=row.user_id), code=303)
    return redirect(url_for("security.my_sessions"), code=303)


# --- the person whose session timed out while posting -----------------------------------------------------------
@bp.route("/restore/<token>")
@login_required
def restore(token: str):
    kept = stash.find(token, current_user)
    if kept is None:
        abort(404)  # expired, used, or another person's: the same answer
    return (
        render_template("security/restore.html", kept=kept, field_name=stash.FIELD),
        200,
        {"Cache-Control": "no-store"},
    )


# --- the security administrator --------------------------------------------------------------------------------
@bp.route("/accounts/")
@login_required
def accounts():
    _require(current_user.can_manage_accounts)
    form = AccountSearchForm(request.args).with_departments(_departments())
    stmt = db.select(User).order_by(User.username)
    form.validate()  # a filter the form refuses (a control character: PostgreSQL refuses NUL) is not applied
    q = "" if form.q.errors else (form.q.data or "").strip()[:50]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(db.or_(User.username.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\")))
    if form.department.data and form.department.data.isdigit() and len(form.department.data) < 10:
        stmt = stmt.where(User.department_id == int(form.department.data))
    if form.role.data in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(db.select(UserRole.user_id).where(UserRole.role == Role(form.role.data))))
    now = utcnow()
    if form.state.data == "locked":
        stmt = stmt.where(User.locked_until > now)
    elif form.state.data == "disabled":
        stmt = stmt.where(User.active.is_(False))
    elif form.state.data == "active":
        stmt = stmt.where(User.active.is_(True), db.or_(User.locked_until.is_(None), User.locked_until <= now))
    page = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("security/accounts.html", form=form, page=page, now=now)


@bp.route("/accounts/new", methods=["GET", "POST"])
@login_required
def new_account():
    _require(current_user.can_manage_accounts)
    departments = _departments()
    form = AccountForm().with_departments(departments)
    if form.validate_on_submit():
        department = db.session.get(Department, int(form.department.data))
        try:
            user, generated = services.create_account(
                current_user,
                username=form.username.data,
                name=form.name.data,
                title=form.title.data or "",
                department=department,
                roles=form.roles.data,
                password=form.password.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            return render_template("security/new_account.html", form=form, error=error.message), 422
        db.session.commit()
        if generated:
            # Shown this once, never stored in clear: no cache may keep the page.
            page = render_template("security/temporary_password.html", user=user, temporary=generated, created=True)
            return page, 201, {"Cache-Control": "no-store"}
        flash(f"已创建账户 {user.username}；首次登录时须修改初始密码。", "success")
        return redirect(url_for("security.account", user_id=user.id), code=303)
    status = 200 if request.method == "GET" else 422
    return render_template("security/new_account.html", form=form, error=None), status


@bp.route("/accounts/<int:user_id>")
@login_required
def account(user_id: int):
    user = _account(user_id)
    return _account_page(user, RolesForm(roles=[r.value for r in user.roles]))


def _account_page(user: User, roles_form: RolesForm, error: str | None = None, status: int = 200):
    return render_template(
        "security/account.html",
        user=user,
        roles_form=roles_form,
        form=ActionForm(),
        rows=db.session.execute(sessions.live_query(user)).scalars().all(),
        locked=user.locked(utcnow()),
        error=error,
    ), status


@bp.route("/accounts/<int:user_id>/roles", methods=["POST"])
@login_required
def change_roles(user_id: int):
    user = _account(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        return _account_page(user, form, "；".join(e for errors in form.errors.values() for e in errors), 422)
    try:
        services.change_roles(user, form.roles.data, current_user)
    except DomainError as error:
        db.session.rollback()
        return _account_page(db.get_or_404(User, user_id), form, error.message, error.status_code)
    db.session.commit()
    flash("角色已更新。", "success")
    return redirect(url_for("security.account", user_id=user_id), code=303)


def _act(user_id: int, call, done: str):
    user = _account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = call(user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("security.account", user_id=user_id), code=303)
    db.session.commit()
    if done:
        flash(done, "success")
    return result or redirect(url_for("security.account", user_id=user_id), code=303)


@bp.route("/accounts/<int:user_id>/disable", methods=["POST"])
@login_required
def disable(user_id: int):
    return _act(user_id, lambda u: services.set_active(u, False, current_user), "账户已停用，其登录会话已全部结束。")


@bp.route("/accounts/<int:user_id>/enable", methods=["POST"])
@login_required
def enable(user_id: int):
    return _act(user_id, lambda u: services.set_active(u, True, current_user), "账户已启用。")


@bp.route("/accounts/<int:user_id>/unlock", methods=["POST"])
@login_required
def unlock(user_id: int):
    return _act(user_id, lambda u: services.unlock(u, current_user), "账户已解锁。")


@bp.route("/accounts/<int:user_id>/second-factor/remove", methods=["POST"])
@login_required
def remove_second_factor(user_id: int):
    return _act(
        user_id,
        lambda u: services.remove_second_factor(u, current_user),
        "两步验证已重置，该账户的登录会话已全部结束；其下次登录时须重新设置。",
    )


@bp.route("/accounts/<int:user_id>/reset-password", methods=["POST"])
@login_required
def reset_password(user_id: int):
    def reset(user: User):
        temporary = services.reset_password(user, current_user)
        # Shown this once, never stored in clear: no cache may keep the page.
        page = render_template("security/temporary_password.html", user=user, temporary=temporary)
        return page, 200, {"Cache-Control": "no-store"}

    return _act(user_id, reset, "")


@bp.route("/sessions/all")
@login_required
def all_sessions():
    _require(current_user.can_manage_sessions)
    page = db.paginate(sessions.live_query(), page=_page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("security/all_sessions.html", page=page, form=ActionForm())


@bp.route("/settings")
@login_required
def security_settings():
    _require(current_user.can_view_security_settings)
    return render_template("security/settings.html", groups=settings.shown(current_app.config))
