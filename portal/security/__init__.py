"""The security administrator's area (安全管理员: accounts, roles, unlocks, sessions, security settings), everyone's
own sessions, and keeping what was typed when a session times out."""

from flask import Blueprint

bp = Blueprint("security", __name__, url_prefix="/staff/security")

from portal.security import hooks, views  # noqa: E402,F401
