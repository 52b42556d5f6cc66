"""Legal deadlines (期限): the clock rules, the working-day calendar with admin overrides, the calculator."""

from flask import Blueprint

bp = Blueprint("deadlines", __name__)

from portal.deadlines import views  # noqa: E402,F401
