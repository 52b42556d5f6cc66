"""Leaders' performance files (实绩档案): each leader's petition work in a year, for their assessment — read by the
leader, the supervisors and the organisation department (``org_dept``, which sees files and never cases)."""

from flask import Blueprint

bp = Blueprint("performance", __name__, url_prefix="/staff/performance")

from portal.performance import views  # noqa: E402,F401
