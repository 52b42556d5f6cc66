"""Absolute addresses people open later — the receipt's QR code, the API's ``lookup_url``, calendar feeds: on
``PUBLIC_BASE_URL`` when it is set, otherwise on the host this request came in on, which Flask has checked against
``TRUSTED_HOSTS`` (400 for any other). Never a host a client merely claimed."""

from __future__ import annotations

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    if not current_app.config.get("TRUSTED_HOSTS"):
        # The host check is off (an override): the request's host is whatever the client sent. Only the local
        # machine's own name is known not to be someone else's.
        return "http://localhost" + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
