"""Staff accounts, roles and sign-in."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/staff")

from portal.accounts import views  # noqa: E402,F401
