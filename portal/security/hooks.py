"""Every request: load the signed-in user before any view work, and keep a post that arrives on a timed-out session."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.accounts import sessions
from portal.extensions import db, htmx
from portal.security import bp, stash

# Posts that are about signing in or out themselves: nothing to keep.
_NOT_KEPT = frozenset({"accounts.login", "accounts.logout"})


@bp.before_app_request
def _load_user_first():
    # The user loader writes "last seen" and "ended" on a connection of its own; loading the user here, before any
    # view has written anything, means it never waits for the request's own transaction.
    if request.endpoint == "static":
        return None
    if current_user.is_authenticated:
        if request.method == "POST" and request.path.startswith("/staff/") and (token := request.form.get(stash.FIELD)):
            stash.use_up(token, current_user)
        return None
    if request.method == "POST" and request.endpoint not in _NOT_KEPT and request.path.startswith("/staff/"):
        return _keep_lapsed_post()
    return None


def _keep_lapsed_post():
    lapsed = sessions.lapsed()
    if lapsed is None or request.url_rule is None:
        return None  # not signed in at all, or logged out: Flask-Login sends them to sign in as usual
    url = request.full_path.rstrip("?")
    kept = stash.keep(lapsed.user_id, url, request.form)
    if kept is None:
        return None
    db.session.commit()
    flash("登录已过期，请重新登录；您填写的内容已保存，登录后可继续提交。", "warning")
    target = url_for("accounts.login", next=url_for("security.restore", token=kept.token))
    if htmx:
        return "", 204, {"HX-Redirect": target}
    return redirect(target, code=303)
