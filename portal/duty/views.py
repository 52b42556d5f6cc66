"""Reception duty pages: the public roster, its iCalendar feed and its JSON twin."""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app, jsonify, render_template, request

from portal.duty import bp
from portal.duty.calendar_feed import build_calendar
from portal.duty.links import public_host, public_url
from portal.duty.models import WEEKDAYS, DutySlot, Form, Period
from portal.duty.services import (
    MAX_RANGE_DAYS,
    ROSTER_WEEKS,
    capped_end,
    group_by_week,
    published_slots,
    roster_window,
    slot_as_json,
    week_start,
)
from portal.extensions import db
from portal.localtime import today
from portal.settings.models import get_setting


@bp.route("/roster")
def roster():
    start, end = roster_window(today())
    slots = published_slots(start, end)
    office = {key: get_setting(key) for key in ("office_address", "reception_hours", "office_phone")}
    # The intro states how far the roster really is published, which may be short of the weeks shown or beyond them.
    published_until = db.session.scalar(
        db.select(db.func.max(DutySlot.day)).where(DutySlot.published.is_(True), DutySlot.day >= start)
    )
    return render_template(
        "duty/roster.html",
        weeks=group_by_week(slots),
        start=start,
        end=end,
        published_until=published_until,
        this_monday=week_start(start),
        weeks_shown=ROSTER_WEEKS,
        days_ahead=get_setting("roster_publish_days_ahead"),
        office=office,
        feed_url=public_url("duty.roster_ics"),
    )


@bp.route("/roster.ics")
def roster_ics():
    start, end = roster_window(today())
    body = build_calendar(
        published_slots(start, end),
        name=f"{get_setting('office_name')}领导接访安排",
        host=public_host(),
        url=public_url("duty.roster"),
    )
    response = current_app.response_class(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = "inline; filename=roster.ics"
    return response


@bp.route("/api/v1/roster")
def api_roster():
    try:
        start = _date_arg("from") or today()
        end = _date_arg("to")
    except ValueError as error:
        return jsonify(error="bad_date", message=str(error)), 400
    # A range the API will not answer in full is cut, not refused: "to" in the answer says where it stopped.
    end = capped_end(start, end or roster_window(start)[1])
    slots = published_slots(start, end)
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), "slots": [slot_as_json(s) for s in slots]})


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_arg(name: str) -> dt.date | None:
    """The query argument ``name`` as a date, None when absent. Only YYYY-MM-DD is accepted (Python would also
    take 20261125 or 2026-W48-3)."""
    value = request.args.get(name)
    if value is None:
        return None
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{name} 必须是 YYYY-MM-DD 格式的日期，例如 2026-11-25。")


_SLOT_PROPERTIES = {
    "id": {"type": "integer", "description": "排班编号，与日历订阅中事件的 UID 对应"},
    "date": {"type": "string", "format": "date", "example": "2026-11-25"},
    "weekday": {"type": "string", "enum": list(WEEKDAYS)},
    "period": {"type": "string", "enum": [p.value for p in Period]},
    "period_label": {"type": "string", "enum": [p.label for p in Period]},
    "start": {"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "08:30", "description": "北京时间"},
    "end": {"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "12:00", "description": "北京时间"},
    "leader": {"type": "string", "description": "接访领导姓名"},
    "title": {"type": "string", "description": "职务，可能为空字符串"},
    "department": {"type": "string", "description": "领导所在单位"},
    "topics": {"type": "string", "description": "分管工作，可能为空字符串"},
    "place": {"type": "string", "description": "接访地点"},
    "form": {"type": "string", "enum": [f.value for f in Form]},
    "form_label": {"type": "string", "enum": [f.label for f in Form]},
    "cancelled": {"type": "boolean", "description": "已公布后取消的接访仍会列出，标为 true"},
    "original_leader": {
        "type": "string",
        "nullable": True,
        "description": "因故调换时原定的接访领导姓名（leader 为接替的领导）；未调换时为 null",
    },
}
_DATE_PARAMETER = {"in": "query", "required": False, "schema": {"type": "string", "format": "date"}}

# Merged into /api/v1/openapi.json by the API's owner.
OPENAPI_PATHS = {
    "/api/v1/roster": {
        "get": {
            "operationId": "getRoster",
            "summary": "已公布的领导接访排班",
            "description": (
                "按日期、时段（上午、下午、全天）和领导排序的已公布接访安排；公布后取消的安排仍列出并标明 cancelled。"
                f"不带参数时返回今天起 {ROSTER_WEEKS} 个自然周（含本周）的安排。一次最多返回 {MAX_RANGE_DAYS} 天，"
                "超出部分不返回，实际截止日期见响应中的 to；结束日期早于开始日期时返回空列表。"
            ),
            "tags": ["duty"],
            "parameters": [
                {**_DATE_PARAMETER, "name": "from", "description": "开始日期（含），默认今天"},
                {
                    **_DATE_PARAMETER,
                    "name": "to",
                    "description": f"结束日期（含），默认开始日期所在周起第 {ROSTER_WEEKS} 周的周日",
                },
            ],
            "responses": {
                "200": {
                    "description": "排班列表",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["from", "to", "slots"],
                                "properties": {
                                    "from": {"type": "string", "format": "date"},
                                    "to": {
                                        "type": "string",
                                        "format": "date",
                                        "description": f"实际截止日期：请求的 to，超过 {MAX_RANGE_DAYS} 天时截短",
                                    },
                                    "slots": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "additionalProperties": False,
                                            "required": list(_SLOT_PROPERTIES),
                                            "properties": _SLOT_PROPERTIES,
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "400": {
                    "description": "日期不是 YYYY-MM-DD 格式或不存在",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["error", "message"],
                                "properties": {
                                    "error": {"type": "string", "enum": ["bad_date"]},
                                    "message": {"type": "string", "description": "中文说明"},
                                },
                            }
                        }
                    },
                },
            },
        },
    },
}
