"""Statistics (DESIGN §7): the indicators the public and supervisors see, and their charts."""

from flask import Blueprint

bp = Blueprint("stats", __name__)

from portal.stats import dashboard, views  # noqa: E402,F401
