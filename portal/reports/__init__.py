"""Reports (工作通报): the weekly summary (每周汇总), the half-monthly supervision circular (半月督办通报) and the
bi-monthly circular ranking the departments (两月通报) — produced by the job queue, published as frozen numbered
snapshots, shown as a page, printed on A4 and exported as .xlsx."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

from portal.reports import views  # noqa: E402,F401
