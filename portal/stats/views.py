"""Public statistics page and its JSON twin."""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, render_template, request

from portal.caching import Cached, cached
from portal.cases.models import CaseType, Channel
from portal.localtime import local, today
from portal.stats import bp
from portal.stats.charts import case_type_chart, channel_chart
from portal.stats.indicators import (
    DEPARTMENT_INDICATORS,
    FIRST_YEAR,
    INDICATORS,
    BadPeriod,
    Counts,
    Period,
    available_years,
    build_report,
    period_from,
)


def _report(period: Period, current) -> Cached:
    """The report of ``period``, computed at most once per STATS_CACHE_SECONDS (the page says when)."""
    key = f"stats:{period.start}:{period.end}:{current}"
    return cached(key, current_app.config["STATS_CACHE_SECONDS"], lambda: build_report(period, current))


@bp.route("/stats")
def page():
    current = today()
    message = None
    try:
        # The selector's “最近12个月” sends an empty year.
        period = period_from(request.args.get("year") or None, current)
    except BadPeriod as error:
        message = error.message + "已显示最近12个月的数据。"
        period = Period.last_12_months(current)
    entry = _report(period, current)
    report = entry.value
    years = available_years(current)
    if period.year is not None and period.year not in years:
        years = sorted({*years, period.year}, reverse=True)
    return render_template(
        "stats/page.html",
        report=report,
        period=period,
        message=message,
        years=years,
        indicators=INDICATORS,
        department_indicators=DEPARTMENT_INDICATORS,
        charts=[channel_chart(report), case_type_chart(report)],
        computed_at=local(entry.at),
        cache_minutes=entry.seconds // 60,
    )


@bp.route("/api/v1/stats")
def api_stats():
    current = today()
    try:
        period = period_from(request.args.get("year"), current)
    except BadPeriod as error:
        return jsonify(error="bad_year", message=error.message), 400
    entry = _report(period, current)
    response = jsonify(entry.value.as_dict())
    response.headers["Last-Modified"] = entry.at.replace(tzinfo=dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


# --- OpenAPI 3.0 path item, merged into /api/v1/openapi.json by the API module ---------------------------------
def _object(properties: dict, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


_COUNT = {"type": "integer", "minimum": 0}
_COUNTS = _object(dict.fromkeys(Counts.__dataclass_fields__, _COUNT), description="各项指标的分子和分母（件数）")
_RATE = {
    "type": "number",
    "minimum": 0,
    "maximum": 1,
    "nullable": True,
    "description": "比率（0～1，保留四位小数）；分母为 0 时为 null",
}
_DATE = {"type": "string", "format": "date"}
_MONTH = {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"}
_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}


def openapi_paths(this_year: int) -> dict:
    """The path item of ``GET /api/v1/stats``; the latest year it accepts is ``this_year``."""
    return {
        "/api/v1/stats": {
            "get": {
                "tags": ["公开统计"],
                "summary": "公开统计数据",
                "description": "按收到日期统计的信访量和《设计》第七节的各项指标（及时受理率、按期办结率、参评率、"
                "满意率、重复信访率、一次性化解率），总体、按月（渠道、信访类型）和按责任单位。只含汇总数字。",
                "operationId": "getStats",
                "parameters": [
                    {
                        "name": "year",
                        "in": "query",
                        "required": False,
                        "description": f"统计年份（{FIRST_YEAR} 至今年）；不填为最近12个月。",
                        "schema": {"type": "integer", "minimum": FIRST_YEAR, "maximum": this_year},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "统计结果",
                        "content": {
                            "application/json": {
                                "schema": _object(
                                    {
                                        "period": _object(
                                            {
                                                "kind": {"type": "string", "enum": ["year", "last_12_months"]},
                                                "year": {"type": "integer", "nullable": True},
                                                "start": _DATE,
                                                "end": _DATE,
                                                "months": {"type": "array", "items": _MONTH},
                                            }
                                        ),
                                        "as_of": {**_DATE, "description": "判断期限是否届满所依据的日期（今天）"},
                                        "totals": _COUNTS,
                                        "rates": _object({i.key: _RATE for i in INDICATORS}),
                                        "unassigned": {**_COUNTS, "description": "未交办的信访件（只计入总体）"},
                                        "monthly": {
                                            "type": "array",
                                            "items": _object(
                                                {
                                                    "month": _MONTH,
                                                    "total": _COUNT,
                                                    "by_channel": _object({c.value: _COUNT for c in Channel}),
                                                    "by_case_type": _object({t.value: _COUNT for t in CaseType}),
                                                }
                                            ),
                                        },
                                        "departments": {
                                            "type": "array",
                                            "items": _object(
                                                {
                                                    "id": {"type": "integer"},
                                                    "name": {"type": "string"},
                                                    "totals": _COUNTS,
                                                    "rates": _object({i.key: _RATE for i in DEPARTMENT_INDICATORS}),
                                                }
                                            ),
                                        },
                                        "labels": _object(
                                            {
                                                "channels": _LABELS,
                                                "case_types": _LABELS,
                                                "rates": _LABELS,
                                            }
                                        ),
                                    }
                                )
                            }
                        },
                    },
                    "400": {
                        "description": "参数有误",
                        "content": {
                            "application/json": {
                                "schema": _object(
                                    {
                                        "error": {"type": "string", "description": "错误代码，例如 bad_year"},
                                        "message": {"type": "string"},
                                    }
                                )
                            }
                        },
                    },
                },
            },
        },
    }


# Built when the module is imported; a server running across New Year may call ``openapi_paths`` per request instead.
OPENAPI_PATHS = openapi_paths(today().year)
