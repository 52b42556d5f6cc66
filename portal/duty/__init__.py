"""Leader reception duty (接访排班): who receives visitors on which day, where."""

from flask import Blueprint

bp = Blueprint("duty", __name__)

from portal.duty import staff_views, views  # noqa: E402,F401
