"""The public side of 阳光信访: what anyone may see without signing in."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import care, views  # noqa: E402,F401
