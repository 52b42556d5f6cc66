"""Dispute screening (矛盾纠纷排查): daily and weekly reports from townships and villages, and the reporting board."""

from flask import Blueprint

bp = Blueprint("screening", __name__)

from portal.screening import views  # noqa: E402,F401
