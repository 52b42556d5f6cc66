"""Absolute addresses that leave the portal — in calendar feeds, on the roster for calendar apps — built on the
configured public address when there is one, so they stay the same whichever address a request came through."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from portal.links import external_url


def public_url(endpoint: str, **values) -> str:
    """An absolute address for people and calendar apps: on ``PUBLIC_BASE_URL`` when it is set."""
    return external_url(endpoint, **values)


def public_host() -> str:
    """The host name in event UIDs: the configured public address if there is one, so that UIDs stay the same
    whichever address a calendar app subscribed through."""
    return urlsplit(current_app.config.get("PUBLIC_BASE_URL") or request.host_url).hostname or "localhost"
