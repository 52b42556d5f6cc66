"""A request id for every request (the proxy's X-Request-ID when it is a plain token, else a new one), sent back
in the response; with LOG_FORMAT=json every log record is one JSON line carrying it, and each request is logged
once (method, path without the query string, status, duration) — never a form field or a query value."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, current_app, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
log = logging.getLogger("portal.request")


def request_id() -> str:
    return g.get("request_id", "") if has_request_context() else ""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or request_id()
        if rid:
            entry["request_id"] = rid
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def configure(log_format: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr, as JSON lines when ``log_format`` is ``json``."""
    if log_format != "json":
        return
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level)


def init_app(app: Flask) -> None:
    if not app.testing:  # test apps leave the process's logging to pytest
        configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.monotonic()


def _finish(response):
    # An earlier before_request (a throttle, a redirect) may have answered before _start ran.
    if g.get("request_started") is None:
        _start()
    response.headers["X-Request-ID"] = g.request_id
    if current_app.config.get("LOG_FORMAT") == "json" and request.endpoint != "static":
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - g.request_started) * 1000, 1),
            },
        )
    return response
