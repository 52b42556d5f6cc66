"""The system administrator's area (系统管理员): the department tree, categories, checklist templates, run-time
settings, Excel import and export of departments (and of accounts, for the security administrator), and the
``flask setup`` command that sets a county's office up on an empty installation."""

from flask import Blueprint

bp = Blueprint("administration", __name__, url_prefix="/staff/admin")

from portal.administration import messages, views  # noqa: E402,F401
