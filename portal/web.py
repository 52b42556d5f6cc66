"""What every page shares: the user loader, error pages in Chinese, template filters, response headers."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, flash, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from portal import resubmission
from portal.accounts import sessions
from portal.audit import services as audit
from portal.deadlines.clock import official_year_known
from portal.errors import DomainError
from portal.extensions import db, htmx, login_manager
from portal.forms import INT_MAX
from portal.localtime import local, today
from portal.validation import printable

ERROR_TITLES = {
    400: "请求有误",
    403: "没有权限",
    404: "页面不存在",
    405: "请求方式不正确",
    409: "内容已被他人更新",
    413: "提交的内容过大",
    422: "无法办理",
    429: "操作过于频繁",
    500: "系统出错",
}


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: an id a column can hold, or the URL names no page (404) — a larger number would
    reach the database, which refuses it (PostgreSQL ``integer``), instead of finding nothing."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT_MAX)  # a rule may still ask for a smaller one: <int(max=12):month>
        super().__init__(url_map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """``<name>`` in every route: a segment with a control character (NUL, …) names no page (404), so no view
    looks it up (PostgreSQL refuses NUL in a query)."""

    def to_python(self, value: str) -> str:
        try:
            return printable(value, "地址")
        except DomainError:
            raise ValidationError from None


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: a rule takes its converters from the map when it is added.
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    login_manager.user_loader(sessions.load_user)  # only while the server session is live

    for code in ERROR_TITLES:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)

    app.json.ensure_ascii = False  # Chinese messages stay readable in JSON
    app.add_template_filter(_date, "date")
    app.add_template_filter(_datetime, "datetime")
    app.add_template_global(today, "today")
    app.add_template_global(resubmission.form_token, "resubmission_token")
    app.before_request(_audit_address)
    app.after_request(_headers)
    app.context_processor(_calendar_gap)


def _audit_address() -> None:
    # The web layer hands the acting person's address to the unit of work; services and the audit trail never read
    # the request themselves (a CLI or a job has no request: the trail then says where it ran).
    audit.set_address(db.session, request.remote_addr or "")


def _error_page(error):
    if isinstance(error, SecurityError):
        return _unknown_host()
    if getattr(error, "response", None) is not None:
        return error.response  # a page made for this refusal, e.g. a throttled form that keeps what was typed
    code = getattr(error, "code", 500) or 500
    message = getattr(error, "description", "") if code != 500 else "请稍后再试，或联系系统管理员。"
    # Keep what the exception says about itself, e.g. Allow on a 405 and Retry-After on a 429.
    headers = [(k, v) for k, v in error.get_headers() if k != "Content-Type"] if hasattr(error, "get_headers") else []
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": ERROR_TITLES.get(code, "错误"), "message": _chinese(code, message)}, code, headers
    return (
        render_template(
            "errors/error.html", code=code, title=ERROR_TITLES.get(code, "错误"), message=_chinese(code, message)
        ),
        code,
        headers,
    )


def _unknown_host():
    # The Host header is not one of TRUSTED_HOSTS. No URL can be built for this request (Flask made no URL adapter),
    # so the page is one that needs none, rendered without the context processors that might build one.
    return current_app.jinja_env.get_template("errors/unknown_host.html").render(), 400


def _chinese(code: int, message: str) -> str:
    # werkzeug's default descriptions are English; show a Chinese one unless the code gave its own.
    if message and not message.isascii():
        return message
    return {
        403: "您无权访问该页面或操作。",
        404: "您要找的页面不存在。",
        405: "该地址不支持这种请求方式。",
        400: "请求内容有误，请检查后重试。",
        429: "操作过于频繁，请稍后再试。",
        413: _too_large(),
    }.get(code, message or "请稍后再试。")


def _too_large() -> str:
    config = current_app.config
    each, total = config["MAX_ATTACHMENT_BYTES"] // 2**20, (config["MAX_CONTENT_LENGTH"] or 0) // 2**20
    return (
        f"提交的内容过大：每个附件不超过{each}MB，一次提交合计不超过{total}MB。您填写的内容未被保存，请精简后重新提交。"
    )


def _csrf_error(error):
    return render_template(
        "errors/error.html", code=400, title="页面已过期", message="表单已过期或来源不明，请刷新页面后重新提交。"
    ), 400


def _domain_error(error: DomainError):
    if htmx:
        return render_template("errors/_message.html", message=error.message), error.status_code
    flash(error.message, "error")
    return render_template(
        "errors/error.html",
        code=error.status_code,
        title=ERROR_TITLES.get(error.status_code, "无法办理"),
        message=error.message,
    ), error.status_code


def _calendar_gap() -> dict:
    """Years staff will count deadlines into soon for which the official holiday data is missing."""
    current = today()
    years = [current.year] + ([current.year + 1] if current.month >= 10 else [])
    return {"calendar_gap": [y for y in years if not official_year_known(y)]}


# The htmx request headers views choose a response by: whether it is htmx at all, and which element it will
# replace (a full page, or the fragment for that target). Named in every response's Vary, so a cache keeps apart
# answers that differ by them; a view that starts branching on another one (HX-Trigger, …) adds it here.
HTMX_VARY = ("HX-Request", "HX-Target")
# Pages no cache may keep — not a shared one, not the browser's own (the back button after signing out on a shared
# computer): every staff page, and the public pages that show a case (lookup, progress, evaluation, review request)
# and the API's lookup.
NO_STORE_PREFIXES = ("/staff/", "/track", "/api/v1/lookup")
HSTS = "max-age=31536000; includeSubDomains"


def _headers(response):
    response.vary.update(HTMX_VARY)
    if request.path.startswith(NO_STORE_PREFIXES) and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS: browsers must never try plain HTTP
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    return response


def _date(value, fmt: str = "%Y-%m-%d") -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime(fmt)


def _datetime(value) -> str:
    return "—" if value is None else local(value).strftime("%Y-%m-%d %H:%M")
