"""The JSON API under /api/v1/ for apps and other systems: submit, look up, roster, statistics, deadlines; its
OpenAPI 3 document is at /api/v1/openapi.json."""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are read here: a lookup carries its codes in the body

from portal.api import views  # noqa: E402,F401
