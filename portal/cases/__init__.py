"""Cases (信访件): registration, the lifecycle, and the staff pages that work them."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/staff/cases")

from portal.cases import views  # noqa: E402,F401
