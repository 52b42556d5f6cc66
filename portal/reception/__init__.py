"""Reception logs (接访登记): what happened on a leader's duty slot — visitors, on-the-spot answers, and visits
instructed and transferred to a department as cases (批示转办)."""

from flask import Blueprint

bp = Blueprint("reception", __name__, url_prefix="/staff/reception")

from portal.reception import views  # noqa: E402,F401
