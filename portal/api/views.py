"""Submit a petition and look one up, as JSON. Validation and permissions are the services' own: the API and the
public pages refuse the same input with the same Chinese messages."""

from __future__ import annotations

from flask import current_app, jsonify, make_response, request
from flask_limiter import RequestLimit

from portal.api import bp
from portal.api.openapi import document
from portal.cases import receipts, services
from portal.cases.models import ADDRESS_MAX, CONTENT_MAX, TITLE_MAX, CaseType, Category, Channel
from portal.errors import DomainError
from portal.extensions import db, limiter
from portal.localtime import today
from portal.public import tracking
from portal.public.progress import public_case
from portal.validation import NAME_MAX, printable, within

PETITION_FIELDS = {"name", "phone", "title", "content", "case_type", "id_number", "address", "category"}


def error(status: int, code: str, message: str):
    return jsonify(error=code, message=message), status


def _throttled(limit: RequestLimit):
    return make_response(error(429, "too_many_requests", "请求过于频繁，请稍后再试。"))


def _json_object() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise DomainError("请求体必须是 JSON 对象（Content-Type: application/json）。")
    return payload


def _text(payload: dict, key: str, label: str, max_length: int, required: bool = False) -> str:
    """The string at ``key``, as the OpenAPI document describes it: its length counts every character sent."""
    value = payload.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{label}（{key}）必须是字符串。")
    within(printable(value, f"{label}（{key}）"), label, max_length)
    if required and not value.strip():
        raise DomainError(f"请填写{label}（{key}）。")
    return value


@bp.route("/petitions", methods=["POST"])
@limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], on_breach=_throttled)
def submit_petition():
    try:
        payload = _json_object()
        unknown = sorted(set(payload) - PETITION_FIELDS)
        if unknown:
            raise DomainError(f"不认识的字段：{', '.join(unknown)}。")
        case_type = _text(payload, "case_type", "信访类型", 20, required=True)
        if case_type not in {t.value for t in CaseType}:
            raise DomainError(
                "case_type 只能是 suggestion（建议意见类）、accusation（检举控告类）或 claim（申诉求决类）。"
            )
        phone = _text(payload, "phone", "联系电话", 20, required=True)
        case, query_code = services.register_case(
            None,
            channel=Channel.ONLINE,
            case_type=CaseType(case_type),
            title=_text(payload, "title", "标题", TITLE_MAX, required=True),
            content=_text(payload, "content", "信访内容", CONTENT_MAX, required=True),
            petitioner_name=_text(payload, "name", "姓名", NAME_MAX, required=True),
            phone=phone,
            id_number=_text(payload, "id_number", "身份证号", 18),
            address=_text(payload, "address", "住址", ADDRESS_MAX),
            category_id=_category_id(_text(payload, "category", "内容分类", 50)),
        )
    except DomainError as refusal:
        db.session.rollback()
        return error(400, "invalid", refusal.message)
    db.session.commit()
    return (
        jsonify(
            tracking_code=case.tracking_code,
            query_code=query_code,
            received_on=case.received_on.isoformat(),
            accept_due=case.accept_due.isoformat(),
            lookup_url=receipts.lookup_url(case.tracking_code),
        ),
        201,
        {"Cache-Control": "no-store"},
    )


def _category_id(name: str) -> int | None:
    name = name.strip()
    if not name:
        return None
    category = db.session.execute(db.select(Category).filter_by(name=name, active=True)).scalars().first()
    if category is None:
        names = db.session.execute(db.select(Category.name).filter_by(active=True).order_by(Category.name)).scalars()
        raise DomainError(f"内容分类“{name}”不存在，可选：{'、'.join(names)}。")
    return category.id


@bp.route("/lookup", methods=["POST"])
@tracking.lookup_limits(_throttled)
def lookup():
    try:
        payload = _json_object()
        tracking_code = _text(payload, "tracking_code", "信访件编号", 30, required=True)
        query_code = _text(payload, "query_code", "查询码", 30, required=True)
    except DomainError as refusal:
        return error(400, "invalid", refusal.message)
    case = tracking.find_case(tracking_code, query_code)
    if case is None:
        return error(404, "not_found", tracking.WRONG_PAIR)
    return jsonify(public_case(case, today()).as_dict()), 200, {"Cache-Control": "no-store"}


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())
