"""A registration form is sent once: pressing F5 (or 重新提交) on the receipt that answered it must not register the
same petition again. Each form carries a random token; the browser session remembers the tokens it has already
registered, with the tracking code they produced, so a repeat is answered with that case instead of a new one.

The web layer's concern only (the browser's session and its forms); services never see the token."""

from __future__ import annotations

import secrets

from flask import request, session

_KEY = "registered_forms"
FIELD = "once"  # the hidden field's name
KEEP = 20  # a clerk's morning of registrations in one browser


def new_token() -> str:
    return secrets.token_urlsafe(16)


def registered(token: str | None) -> str | None:
    """The tracking code this form's token already registered in this browser, or None."""
    return session.get(_KEY, {}).get(token) if token else None


def remember(token: str | None, tracking_code: str) -> None:
    if not token:
        return
    done = dict(session.get(_KEY, {}))
    done[token] = tracking_code
    session[_KEY] = dict(list(done.items())[-KEEP:])


def form_token() -> str:
    """The token a registration form carries: the one it was posted with (a form shown again after a refusal keeps
    it), else a new one — also after a registration, so the next form is a new one. A template global,
    ``resubmission_token()``."""
    token = request.form.get(FIELD)
    return token if token and not registered(token) else new_token()


def posted() -> str | None:
    return request.form.get(FIELD)
