"""Leader reception duty (接访排班): who receives visitors on which day, where."""
from flask import Blueprint

bp = Blueprint("duty", __name__)

from portal.duty import views  # noqa: E402,F401
from portal.duty import staff_views  # noqa: E402,F401
