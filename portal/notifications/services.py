"""Notices to the petitioner: the case workflow's timeline events (``portal.cases.signals.event_written``) become SMS
of the catalogue, queued in the outbox inside the step's transaction; the administrator's texts; 退订 and 恢复; the
clerk's resend and a new query code. Services flush, never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, contains_eager, defer, lazyload

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases import services as case_services
from portal.cases.models import Case, CaseEvent, Reply
from portal.cases.services import query_codes
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import utcnow
from portal.masking import mask_query_code
from portal.notifications import catalogue
from portal.notifications.models import MessageText, SmsOptOut
from portal.settings.models import get_setting
from portal.sms import services as sms
from portal.sms.models import SmsMessage, SmsState

# The messages queued in the open transaction, by case: a later step of the same transaction (a reception case is
# registered, accepted and assigned at once) replaces the earlier notice instead of sending a second SMS.
_PENDING = "portal.notifications.pending"


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- texts -----------------------------------------------------------------------------------------------------
def text_of(kind: catalogue.Kind) -> str:
    """The text ``kind`` is sent with: the administrator's, else the default."""
    stored = db.session.get(MessageText, kind.key)
    return stored.text if stored is not None else kind.default


def set_text(kind_key: str, actor: User, text: str) -> MessageText | None:
    """The administrator replaces a kind's text (checked: length, placeholders); the default text given back, or
    an empty one, removes the replacement."""
    if not actor.can_administer:
        raise NotAllowed("只有系统管理员可以修改短信内容。")
    kind = catalogue.KINDS.get(kind_key)
    if kind is None:
        raise DomainError("没有这种短信。")
    stored = db.session.get(MessageText, kind.key)
    before = stored.text if stored is not None else kind.default
    if not (text or "").strip() or " ".join(text.split()) == kind.default:
        if stored is not None:
            db.session.delete(stored)
        record("notice.text_reset", actor, None, kind=kind.key, before=before)
        db.session.flush()
        return None
    text = catalogue.check(kind, text)
    if stored is None:
        stored = MessageText(kind=kind.key, text=text)
        db.session.add(stored)
    stored.text, stored.updated_at, stored.updated_by_id = text, utcnow(), actor.id
    record("notice.text_edit", actor, None, kind=kind.key, before=before, after=text)
    db.session.flush()
    return stored


# --- the notices -----------------------------------------------------------------------------------------------
def opted_out(case: Case) -> bool:
    return case.id is not None and db.session.get(SmsOptOut, case.id) is not None


def _date(day: dt.date | None) -> str:
    return f"{day:%m月%d日}" if day else ""


def _values(case: Case, written: CaseEvent, code: str | None) -> dict[str, str]:
    data = written.data or {}
    reply = db.session.get(Reply, data["reply_id"]) if data.get("reply_id") else None
    if reply is None and case.published_replies:
        reply = case.published_replies[-1]
    return {
        "机关": get_setting("office_name"),
        "编号": case.tracking_code,
        "期限": _date(case.due_date if written.action != "accept" else case.handle_due or case.due_date),
        catalogue.CODE: mask_query_code(code) if code else "",
        "理由": case.not_accepted_route.label if case.not_accepted_route else "",
        "转送机关": case.forwarded_to or "",
        "结果": reply.outcome.label if reply is not None else "",
        "原编号": data.get("into", ""),
    }


def on_event_written(case: Case, *, actor=None, event: CaseEvent, notice: dict | None = None, **_) -> None:
    """The receiver of ``event_written``: a step the petitioner must hear of becomes an SMS."""
    kind_key = catalogue.KIND_OF_ACTION.get(event.action)
    if kind_key is None:
        return
    code = (notice or {}).get("query_code")
    if kind_key == "register" and code:
        kind_key = "register_code"
    notify(case, catalogue.KINDS[kind_key], event, code=code)


def notify(case: Case, kind: catalogue.Kind, written: CaseEvent | None, *, code: str | None = None):
    """Queue ``kind``'s SMS for ``case`` when a number is known and the petitioner has not opted out."""
    phone = case.notice_phone
    if not phone or opted_out(case):
        return None
    text = catalogue.render(text_of(kind), _values(case, written, code) if written else _plain_values(case, code))
    pending = db.session.info.setdefault(_PENDING, {})
    earlier = pending.get(id(case))
    if earlier is not None and earlier.state is SmsState.QUEUED and not earlier.carries_code and not code:
        # Not sent yet (its job waits for this commit): the later step's notice says what the petitioner must know.
        earlier.text, earlier.kind = text, kind.key
        return earlier
    message = sms.queue(phone, text, case, kind=kind.key, code=code)
    pending[id(case)] = message
    return message


def _plain_values(case: Case, code: str | None) -> dict[str, str]:
    return {
        "机关": get_setting("office_name"),
        "编号": case.tracking_code,
        catalogue.CODE: mask_query_code(code) if code else "",
    }


# --- what the petitioner or the clerk asks -----------------------------------------------------------------------
def opt_out(case: Case, actor: User | None) -> None:
    """退订: no more SMS for ``case``. ``actor`` None: the petitioner on the progress page; else a clerk on request."""
    _check_clerk(case, actor)
    if opted_out(case):
        raise DomainError("已退订短信通知。")
    db.session.add(SmsOptOut(case_id=case.id, by_id=getattr(actor, "id", None)))
    record("notice.opt_out", actor, case, tracking_code=case.tracking_code)
    db.session.flush()


def opt_in(case: Case, actor: User | None) -> None:
    """恢复: SMS for ``case`` again, from the next step on."""
    _check_clerk(case, actor)
    row = db.session.get(SmsOptOut, case.id)
    if row is None:
        raise DomainError("短信通知未退订，无需恢复。")
    db.session.delete(row)
    record("notice.opt_in", actor, case, tracking_code=case.tracking_code)
    db.session.flush()


def public_choice(case: Case) -> dict | None:
    """What the progress page offers: None when no SMS can reach the petitioner (no number), else whether they
    receive them now."""
    if not case.notice_phone:
        return None
    return {"receiving": not opted_out(case)}


def _check_clerk(case: Case, actor: User | None) -> None:
    if actor is not None and not case.can_manage_notices(actor):
        raise NotAllowed("只有信访部门登记员可以办理短信退订和恢复。")


def resend_refusal(message: SmsMessage, user: User, opted_out_ids: set[int] | None = None) -> str | None:
    """Why ``user`` may not send ``message`` again; None when they may. The one rule behind the button and
    ``resend``. ``opted_out_ids``: the cases of a page known to have opted out (``opted_out_among``), else asked."""
    case = message.case
    if case is None or not case.can_manage_notices(user):
        return "只有信访部门登记员可以重发短信。"
    if message.state is SmsState.QUEUED:
        return "该短信正在等待发送，无需重发。"
    if message.carries_code and not message.secret:
        return "含查询码的短信已发出，查询码不再保存，不能重发；信访人遗失查询码的，请核实身份后重新生成。"
    if (case.id in opted_out_ids) if opted_out_ids is not None else opted_out(case):
        return "信访人已退订短信通知，不能重发。"
    if not message.phone:
        return "没有手机号码。"
    return None


def can_resend(message: SmsMessage, user: User) -> bool:
    return resend_refusal(message, user) is None


def resend(message: SmsMessage, actor: User) -> SmsMessage:
    """Send ``message`` again as a new outbox row (the first keeps its state and history), within the case's
    daily limit. A query code still waiting (its message failed) moves to the new row."""
    if refusal := resend_refusal(message, actor):
        if message.case is None or not message.case.can_manage_notices(actor):
            raise NotAllowed(refusal)
        raise DomainError(refusal)
    case = message.case
    case_services.check_daily_limit(case)
    code, message.secret = message.secret, None
    again = sms.queue(message.phone, message.text, case, kind=message.kind, code=code)
    again.resent_from_id = message.id
    record("notice.resend", actor, again, tracking_code=case.tracking_code, resent_from=message.id, kind=message.kind)
    db.session.flush()
    return again


def reissue_refusal(case: Case, user: User, delivery: str | None = None) -> str | None:
    if refusal := case_services.reissue_refusal(case, user):
        return refusal
    if delivery == query_codes.SMS:
        if not case.notice_phone:
            return "该信访件没有信访人的手机号码，请打印查询码告知单。"
        if opted_out(case):
            return "信访人已退订短信通知，请打印查询码告知单当面交给信访人，或先为其恢复短信通知。"
    return None


def reissue(case: Case, actor: User, *, identity_check: str, note: str = "", delivery: str) -> str:
    """A new query code (the old one stops working), given by SMS or on the printed 告知单; returned for that
    page only."""
    if refusal := reissue_refusal(case, actor, delivery):
        raise (DomainError if case.can_manage_notices(actor) else NotAllowed)(refusal)
    code = case_services.reissue_query_code(case, actor, identity_check=identity_check, note=note, delivery=delivery)
    if delivery == query_codes.SMS:
        notify(case, catalogue.KINDS["query_code"], None, code=code)
    return code


# --- what the clerk sees -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutboxPage:
    """One page of the outbox, newest first, paged by message id (keyset: no offset, no count over the outbox).
    ``older`` / ``newer``: the ids to page on from (``before`` / ``after``), None at either end."""

    items: list[SmsMessage]
    older: int | None
    newer: int | None


def outbox(
    user: User,
    *,
    state: SmsState | None = None,
    case: Case | None = None,
    before: int | None = None,
    after: int | None = None,
    per_page: int = 50,
) -> OutboxPage:
    """The outbox messages of cases ``user`` may read, newest first: the page older than message ``before``, or
    the one newer than ``after``, else the newest. Each message's case is joined and checked row by row
    (``Case.readable_by``), so the messages are walked newest first and the walk stops at the page: the cases are
    never scanned for the ids the user may read."""
    stmt = (
        db.select(SmsMessage)
        .join(Case, Case.id == SmsMessage.case_id)
        .where(Case.readable_by(user))
        .options(
            # A row shows the tracking code and asks can_read: not the petitioner nor the case's own contact
            # details, each an AES-GCM open per row (two thirds of the page's decryptions).
            contains_eager(SmsMessage.case).options(
                lazyload(Case.petitioner),
                lazyload(Case.category),
                defer(Case.content),
                defer(Case.contact_phone),
                defer(Case.contact_id_number),
                defer(Case.contact_address),
            )
        )
    )
    if state is not None:
        stmt = stmt.where(SmsMessage.state == state)
    if case is not None:
        stmt = stmt.where(SmsMessage.case_id == case.id)
    if after is not None:
        stmt = stmt.where(SmsMessage.id > after).order_by(SmsMessage.id.asc())
    else:
        if before is not None:
            stmt = stmt.where(SmsMessage.id < before)
        stmt = stmt.order_by(SmsMessage.id.desc())
    rows = list(db.session.execute(stmt.limit(per_page + 1)).scalars())
    more = len(rows) > per_page
    rows = rows[:per_page]
    if after is not None:
        rows.reverse()
        older, newer = (rows[-1].id if rows else after), (rows[0].id if more else None)
    else:
        older, newer = (rows[-1].id if more else None), (rows[0].id if before is not None and rows else None)
    return OutboxPage(rows, older, newer)


def opted_out_among(case_ids) -> set[int]:
    """Which of ``case_ids`` opted out: one query for a page of messages."""
    ids = {i for i in case_ids if i is not None}
    if not ids:
        return set()
    return set(db.session.execute(db.select(SmsOptOut.case_id).where(SmsOptOut.case_id.in_(ids))).scalars())
