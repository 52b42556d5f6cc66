"""The 关怀版 (适老化, GB/T 37668) of the public pages: a display preference kept in a cookie, so it holds across
pages and works without JavaScript. The look itself is the stylesheet's (``html.care`` in static/css/portal.css); this
module only says which version a request asks for and switches it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, redirect, request, url_for
from flask_login import current_user

from portal.public import bp

COOKIE = "care"
# 0 标准版, 1 关怀版 (large text), 2 关怀版 with larger text still.
LEVELS = (0, 1, 2)
MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Care:
    level: int
    cookie: str = COOKIE
    max_age: int = MAX_AGE

    @property
    def on(self) -> bool:
        return self.level > 0

    @property
    def html_class(self) -> str:
        return {0: "", 1: "care", 2: "care care-xl"}[self.level]


def requested() -> Care:
    """The version this request asks for. Staff pages stay as they are: the 关怀版 is for the public side."""
    if not has_request_context() or current_user is None or current_user.is_authenticated:
        return Care(0)  # a document rendered for a PDF or a job, or a staff page
    raw = request.cookies.get(COOKIE, "")
    return Care(int(raw) if raw in {"1", "2"} else 0)


def _safe_next(target: str | None) -> str:
    # Back to the page the switch was on; only a path of this site (never "//host" or "http://…").
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("public.home")


@bp.app_context_processor
def _care():
    return {"care": requested()}


@bp.after_app_request
def _vary(response):
    if response.mimetype == "text/html":
        response.vary.add("Cookie")  # the same page looks different in the 关怀版
    return response


@bp.route("/care/<int:level>")
def switch(level: int):
    """Switch version and go back (303). A plain link, so it works without JavaScript; portal.js sets the same cookie
    in place instead, so a half-filled form or a receipt shown once is never left behind."""
    response = redirect(_safe_next(request.args.get("next")), code=303)
    if level not in LEVELS or level == 0:
        response.delete_cookie(COOKIE)
    else:
        response.set_cookie(
            COOKIE,
            str(level),
            max_age=MAX_AGE,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
