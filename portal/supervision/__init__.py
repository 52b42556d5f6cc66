"""督办 pages for staff: the 督办台账 (every 督办单 with its state and lateness) and the supervisor's lists (超期, 临期,
不满意, 重复, 越级) by department. The records and their rules are in portal.cases.supervision."""

from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/staff/supervision")

from portal.supervision import notices, views  # noqa: E402,F401
