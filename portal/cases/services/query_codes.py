"""The query code after registration: how it was given (回执, 短信, 查询码告知单), and a new one for a petitioner who
lost it, made by a clerk who checked who is asking — the old one stops working at once. Reissues and resent SMS are
limited per case and day, so that neither can be used to flood a phone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func

from portal.accounts.models import User
from portal.cases import codes
from portal.cases.models import Case, CaseEvent
from portal.cases.services import steps
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import CST, today
from portal.settings.models import get_setting
from portal.sms.models import SmsMessage
from portal.validation import limited

# How the query code reaches the petitioner; only the first two at registration.
RECEIPT, SMS, SLIP = "receipt", "sms", "slip"
DELIVERIES = {RECEIPT: "登记回执", SMS: "短信", SLIP: "查询码告知单"}
# How the clerk made sure the person asking is the petitioner (recorded with the reissue).
IDENTITY_CHECKS = {
    "id_card": "查验本人身份证件原件",
    "proxy": "查验委托书和代理人身份证件",
    "phone_details": "来电核对登记的身份证号码和住址",
    "other": "其他方式（见说明）",
}


def _local_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The stored (naive UTC) bounds of ``day`` in China time."""
    start = dt.datetime.combine(day, dt.time(), CST).astimezone(dt.UTC).replace(tzinfo=None)
    return start, start + dt.timedelta(days=1)


def notice_actions_today(case: Case) -> int:
    """Reissued query codes and resent SMS of ``case`` today: what the ``notice_daily_limit`` setting counts."""
    start, end = _local_day(today())
    reissued = db.session.scalar(
        db.select(func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == "reissue_query_code")
        .where(CaseEvent.at >= start, CaseEvent.at < end)
    )
    resent = db.session.scalar(
        db.select(func.count())
        .select_from(SmsMessage)
        .where(SmsMessage.case_id == case.id, SmsMessage.resent_from_id.is_not(None))
        .where(SmsMessage.created_at >= start, SmsMessage.created_at < end)
    )
    return reissued + resent


def check_daily_limit(case: Case) -> None:
    limit = int(get_setting("notice_daily_limit"))
    if notice_actions_today(case) >= limit:
        raise DomainError(
            f"该信访件今天重发短信和重新生成查询码已达{limit}次上限，请明天再办理；确有急需的，请当面告知信访人。"
        )


def reissue_refusal(case: Case, user: User) -> str | None:
    """Why ``user`` may not give ``case``'s petitioner a new query code; None when they may."""
    if not case.can_manage_notices(user):
        return "只有信访部门登记员可以重新生成查询码。"
    if case.anonymous:
        return "匿名检举控告无法核实信访人身份，不能重新生成查询码。"
    return None


def reissue_query_code(
    case: Case, actor: User, *, identity_check: str, note: str = "", delivery: str, expected_version: int | None = None
) -> str:
    """A new query code for ``case``, returned to be given once (``delivery``: by SMS or on a printed 查询码告知单);
    the old one stops working at once. The caller has checked that an SMS can go out (a number, no 退订)."""
    if refusal := reissue_refusal(case, actor):
        raise (DomainError if case.can_manage_notices(actor) else NotAllowed)(refusal)
    if identity_check not in IDENTITY_CHECKS:
        raise DomainError("请选择核实信访人身份的方式。")
    note = limited(note, "核实情况说明", 200)
    if identity_check == "other" and not note:
        raise DomainError("选择“其他方式”时，请说明是如何核实信访人身份的。")
    if delivery not in (SMS, SLIP):
        raise DomainError("请选择告知新查询码的方式。")
    steps.lock(case, expected_version)
    check_daily_limit(case)
    code = codes.new_query_code()
    case.query_code_hash = codes.hash_query_code(code)
    text = f"经{IDENTITY_CHECKS[identity_check]}核实身份，重新生成查询码，以{DELIVERIES[delivery]}告知；原查询码作废。"
    steps.log(
        case,
        actor,
        "reissue_query_code",
        title="重新生成查询码",
        public=False,
        text=text + (f"说明：{note}" if note else ""),
        data={"identity_check": identity_check, "delivery": delivery},
        identity_check=identity_check,
        delivery=delivery,
    )
    return code
