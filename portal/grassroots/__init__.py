"""The grassroots network's numbers for staff (DESIGN §9): per township and village, from agents' matters,
screening reports and cases. Sits above portal.agents and portal.screening and reads both."""

from flask import Blueprint

bp = Blueprint("grassroots", __name__, url_prefix="/staff/grassroots")

from portal.grassroots import views  # noqa: E402,F401
