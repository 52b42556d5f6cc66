"""Ledgers (台账): saved views over cases, with filters, sorting and Excel export (DESIGN §5)."""

from flask import Blueprint

bp = Blueprint("ledgers", __name__, url_prefix="/staff/ledgers")

from portal.ledgers import views  # noqa: E402,F401
