"""gunicorn settings (``gunicorn -c python:portal.ops.gunicorn wsgi:app``), read from the same environment as the
app: WEB_BIND, WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT, FORWARDED_ALLOW_IPS. The start is refused by ``on_starting``
when ``flask preflight`` would refuse it, so a unit that runs gunicorn directly gets the same checks."""

from __future__ import annotations

import sys

from portal.config import Config

bind = Config.WEB_BIND
workers = Config.WEB_WORKERS
threads = Config.WEB_THREADS
timeout = Config.WEB_TIMEOUT
graceful_timeout = Config.WEB_TIMEOUT
# Only the proxies named here may set X-Forwarded-Proto / -For for gunicorn; the app's ProxyFix (TRUSTED_PROXIES)
# then takes the client address from X-Forwarded-For.
forwarded_allow_ips = Config.FORWARDED_ALLOW_IPS
# Requests are logged by the app (portal.ops.logs), with their request id; gunicorn logs only its own events.
accesslog = None
errorlog = "-"
# Each worker builds its own app, so no database or Redis connection is ever shared across a fork.
preload_app = False


def on_starting(server) -> None:
    from portal import config as config_module
    from portal.ops.preflight import problems

    found = problems(config_module.load(), workers)
    if found:
        for problem in found:
            print(f"refusing to start: {problem}", file=sys.stderr)
        sys.exit(1)
