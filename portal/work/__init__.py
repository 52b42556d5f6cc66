"""My work (我的待办): what waits for the signed-in person, most urgent first."""

from flask import Blueprint

bp = Blueprint("work", __name__, url_prefix="/staff/work")

from portal.work import views  # noqa: E402,F401
