"""The OpenAPI 3 document of /api/v1/. Each area that serves JSON keeps its own path items next to its views
(``OPENAPI_PATHS``); this module puts them together. The schemas are strict enough for schemathesis to check every
response against them."""

from __future__ import annotations

from portal.cases.models import ADDRESS_MAX, CONTENT_MAX, TITLE_MAX, CaseType, Category
from portal.deadlines.clock import RULES
from portal.deadlines.views import API_YEARS
from portal.extensions import db
from portal.validation import CONTROL_CHARACTERS, NAME_MAX

STRING_OR_NULL = {"type": "string", "nullable": True}
DATE = {"type": "string", "format": "date"}
DATE_OR_NULL = {"type": "string", "format": "date", "nullable": True}

# What the server refuses, said as JSON Schema wherever JSON Schema can say it. Text carries no control characters
# (portal.validation.CONTROL_CHARACTERS; the server also refuses lone surrogates, which are not characters, so no
# JSON Schema string holds them); required text has a character that is not a space; the deadline API counts only
# from API_YEARS. What a pattern cannot say (an ID number's check digit and a real, past birth date) is a named
# format, ``cn-resident-id``, which a client must implement and the project's schemathesis test generates.
PRINTABLE = f"^[^{CONTROL_CHARACTERS}]*$"
NOT_BLANK = f"^[^{CONTROL_CHARACTERS}]*[^\\s{CONTROL_CHARACTERS}][^{CONTROL_CHARACTERS}]*$"
YEAR_PATTERN = r"^(199\d|20\d\d|2100)-"
RESIDENT_ID = {
    "type": "string",
    "format": "cn-resident-id",
    "pattern": r"^(\d{17}[\dX])?$",
    "description": "18位居民身份证号（GB 11643—1999）：第7至14位为1900年以后、不晚于今天的出生日期，末位为校验码",
}


def _text(max_length: int, description: str = "", *, required: bool = True) -> dict:
    schema = {"type": "string", "maxLength": max_length, "pattern": NOT_BLANK if required else PRINTABLE}
    if required:
        schema["minLength"] = 1
    else:
        schema["nullable"] = True
    return {**schema, "description": description} if description else schema


def _error(description: str) -> dict:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


WINDOW = {
    "type": "object",
    "nullable": True,
    "required": ["open", "due", "days_left", "message"],
    "properties": {
        "open": {"type": "boolean"},
        "due": DATE_OR_NULL,
        "days_left": {"type": "integer", "nullable": True},
        "message": STRING_OR_NULL,
    },
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string", "description": "中文说明"}},
    },
    # "Petition" is built per request by petition_schema(): its category names come from the database.
    "Receipt": {
        "type": "object",
        "required": ["tracking_code", "query_code", "received_on", "accept_due", "lookup_url"],
        "properties": {
            "tracking_code": {"type": "string"},
            "query_code": {"type": "string", "description": "只返回这一次"},
            "received_on": DATE,
            "accept_due": DATE,
            "lookup_url": {"type": "string"},
        },
    },
    "Lookup": {
        "type": "object",
        "required": ["tracking_code", "query_code"],
        "properties": {
            "tracking_code": {**_text(30), "example": "XF20261122-7K3Q9M"},
            "query_code": _text(30),
        },
    },
    "CaseProgress": {
        "type": "object",
        "required": [
            "tracking_code",
            "name",
            "restricted",
            "status",
            "status_label",
            "stage",
            "steps",
            "received_on",
            "title",
            "channel",
            "case_type",
            "department",
            "due_date",
            "due_label",
            "due_explanation",
            "timeline",
            "replies",
            "evaluation",
            "can_evaluate",
            "review_kind",
            "can_request_review",
        ],
        "properties": {
            "tracking_code": {"type": "string"},
            "name": {"type": "string", "description": "只显示姓氏"},
            "restricted": {"type": "boolean", "description": "检举控告类或保密件：只公开办理阶段"},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
            "stage": {"type": "string"},
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["label", "state"],
                    "properties": {
                        "label": {"type": "string"},
                        "state": {"type": "string", "enum": ["done", "current", "todo", "stopped"]},
                    },
                },
            },
            "received_on": DATE,
            "title": STRING_OR_NULL,
            "channel": STRING_OR_NULL,
            "case_type": STRING_OR_NULL,
            "department": STRING_OR_NULL,
            "due_date": DATE_OR_NULL,
            "due_label": STRING_OR_NULL,
            "due_explanation": STRING_OR_NULL,
            "timeline": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "title", "text"],
                    "properties": {"date": DATE, "title": {"type": "string"}, "text": {"type": "string"}},
                },
            },
            "replies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "kind",
                        "outcome",
                        "text",
                        "legal_basis",
                        "signer_name",
                        "signer_title",
                        "signer_department",
                        "signed_on",
                        "delivered_on",
                    ],
                    "properties": {
                        "kind": {"type": "string"},
                        "outcome": {"type": "string"},
                        "text": {"type": "string"},
                        "legal_basis": {"type": "string"},
                        "signer_name": {"type": "string"},
                        "signer_title": {"type": "string"},
                        "signer_department": {"type": "string"},
                        "signed_on": DATE,
                        "delivered_on": DATE_OR_NULL,
                    },
                },
            },
            "evaluation": {
                "type": "object",
                "nullable": True,
                "required": ["acceptance", "handling"],
                "properties": {"acceptance": {"type": "string"}, "handling": {"type": "string"}},
            },
            "can_evaluate": WINDOW,
            "review_kind": {"type": "string", "enum": ["复查", "复核"]},
            "can_request_review": WINDOW,
        },
    },
    "Deadline": {
        "type": "object",
        "required": [
            "rule",
            "label",
            "start",
            "first_day",
            "length",
            "unit",
            "due",
            "skipped",
            "source",
            "calendar_complete",
            "missing_years",
            "statutory_days",
            "explanation",
        ],
        "properties": {
            "rule": {"type": "string"},
            "label": {"type": "string"},
            "start": DATE,
            "first_day": DATE,
            "length": {"type": "integer"},
            "unit": {"type": "string", "enum": ["days", "working_days"]},
            "due": DATE,
            "skipped": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "reason"],
                    "properties": {"date": DATE, "reason": {"type": "string"}},
                },
            },
            "source": {"type": "string"},
            "calendar_complete": {"type": "boolean"},
            "missing_years": {"type": "array", "items": {"type": "integer"}},
            "statutory_days": {
                "type": "array",
                "description": "无官方数据的年份中，按《全国年节及纪念日放假办法》计为休息日的法定节假日及补假（暂定）",
                "items": {
                    "type": "object",
                    "required": ["date", "reason"],
                    "properties": {"date": DATE, "reason": {"type": "string"}},
                },
            },
            "explanation": {"type": "string"},
        },
    },
}

PATHS = {
    "/api/v1/petitions": {
        "post": {
            "summary": "网上提交信访事项",
            "operationId": "submitPetition",
            "requestBody": _json_body({"$ref": "#/components/schemas/Petition"}),
            "responses": {
                "201": _ok("已登记；查询码只返回这一次", {"$ref": "#/components/schemas/Receipt"}),
                "400": _error("输入有误"),
                "413": _error("请求过大"),
                "429": _error("提交过于频繁"),
            },
        }
    },
    "/api/v1/lookup": {
        "post": {
            "summary": "凭信访件编号和查询码查询办理进度",
            "operationId": "lookupCase",
            "requestBody": _json_body({"$ref": "#/components/schemas/Lookup"}),
            "responses": {
                "200": _ok("办理进度（只含可公开的内容）", {"$ref": "#/components/schemas/CaseProgress"}),
                "400": _error("输入有误"),
                "404": _error("编号或查询码不正确（不区分哪一项错误）"),
                "413": _error("请求过大"),
                "429": _error("查询尝试过于频繁"),
            },
        }
    },
    "/api/v1/deadline": {
        "get": {
            "summary": "按法定规则计算期限",
            "operationId": "computeDeadline",
            "parameters": [
                {"name": "rule", "in": "query", "required": True, "schema": {"type": "string", "enum": list(RULES)}},
                {
                    "name": "start",
                    "in": "query",
                    "required": True,
                    "schema": {**DATE, "pattern": YEAR_PATTERN},
                    "description": f"起算事件发生之日（{API_YEARS[0]}—{API_YEARS[1]}年）",
                },
            ],
            "responses": {
                "200": _ok("截止日期及计算过程", {"$ref": "#/components/schemas/Deadline"}),
                "400": _error("参数有误"),
            },
        }
    },
}


def petition_schema() -> dict:
    """An online petition as POST /api/v1/petitions takes it; ``category`` is one of the active categories."""
    categories = db.session.execute(db.select(Category.name).filter_by(active=True).order_by(Category.name))
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "phone", "title", "content", "case_type"],
        "properties": {
            "name": _text(NAME_MAX, "姓名"),
            "phone": {
                "type": "string",
                "pattern": r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
                "description": "11位手机号或带区号的固定电话",
            },
            "title": _text(TITLE_MAX),
            "content": _text(CONTENT_MAX),
            "case_type": {"type": "string", "enum": [t.value for t in CaseType]},
            "id_number": {**RESIDENT_ID, "nullable": True, "description": "18位身份证号（选填；空字符串视为未填）"},
            "address": _text(ADDRESS_MAX, "住址（选填）", required=False),
            "category": {
                "type": "string",
                "nullable": True,
                "enum": [*categories.scalars(), None],
                "description": "内容分类名称（选填）",
            },
        },
    }


def document() -> dict:
    from portal.duty.views import OPENAPI_PATHS as duty_paths
    from portal.localtime import today
    from portal.stats.views import openapi_paths as stats_paths

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "阳光信访 API",
            "version": "1.0.0",
            "description": "网上信访提交、办理进度查询、领导接访安排、统计数据和期限计算。错误均以 JSON 返回中文说明。",
        },
        "servers": [{"url": "/"}],
        "paths": {**PATHS, **duty_paths, **stats_paths(today().year)},
        "components": {"schemas": {**SCHEMAS, "Petition": petition_schema()}},
    }
