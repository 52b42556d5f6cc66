"""Running in production: the start-up checks (``flask preflight``), fingerprinted and compressed static files,
``/healthz``, JSON logs with a request id, and ``flask backup`` / ``flask restore``."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def init_app(app: Flask) -> None:
    from portal.ops import cli, logs, static

    static.init_app(app)
    logs.init_app(app)
    cli.init_app(app)
    app.register_blueprint(bp)


from portal.ops import health  # noqa: E402,F401
