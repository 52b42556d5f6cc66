"""Queue SMS notices and deliver them through the configured sender (``SMS_SENDER``): each queued message becomes a
job (portal.jobs: RQ with retries and back-off when REDIS_URL is set, inline otherwise); ``flask sms send`` still
delivers whatever waits in the outbox."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from flask import current_app
from werkzeug.utils import import_string

from portal.audit.services import record
from portal.extensions import db
from portal.localtime import utcnow
from portal.masking import mask_phone, mask_query_code
from portal.sms.models import SmsMessage, SmsState

MAX_ATTEMPTS = 3
log = logging.getLogger("portal.sms")


class Sender(Protocol):
    """What a gateway adapter provides: send one message or raise."""

    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """The default: writes each message to the log (a console in development), the number masked and the text as
    the outbox keeps it — a query code masked too, since logs are kept and read by others. Replace with a gateway
    adapter by setting SMS_SENDER to its import path."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


def _deliver(gateway: Sender, message: SmsMessage) -> None:
    """Hand ``message`` to ``gateway``: a real gateway gets the query code, the log only what the outbox shows."""
    gateway.send(message.phone, message.text if isinstance(gateway, LogSender) else message.text_to_send)


def _sent(message: SmsMessage) -> None:
    message.state, message.sent_at, message.error = SmsState.SENT, utcnow(), ""
    message.secret = None  # the gateway has it: the code is not kept a moment longer


def queue(phone: str | None, text: str, case=None, *, kind: str = "", code: str | None = None) -> SmsMessage | None:
    """Put a notice in the outbox (flush, no commit) and queue its delivery for after the commit; nothing when
    there is no phone number. ``code``: a query code the text shows masked (``mask_query_code``); it is put in at
    sending and wiped once sent."""
    from portal.jobs.queue import enqueue
    from portal.jobs.tasks import SMS_RETRY

    if not phone:
        return None
    if code and mask_query_code(code) not in text:
        raise ValueError("a text that carries a query code shows it masked")
    message = SmsMessage(phone=phone, text=text, kind=kind, carries_code=bool(code), secret=code or None)
    if case is not None:
        message.case = case
    db.session.add(message)
    db.session.flush()
    enqueue("portal.jobs.tasks.send_sms", message.id, retry=SMS_RETRY)
    return message


class GatewayError(Exception):
    """The gateway refused or failed a message; the job is retried (the message stays in the outbox)."""


def send_one(message_id: int) -> str:
    """Send one outbox message unless it was sent already (a retried or duplicated job never sends twice), and
    commit; raise GatewayError when the gateway fails, after recording the attempt."""
    message = db.session.execute(
        db.select(SmsMessage).where(SmsMessage.id == message_id).with_for_update()
    ).scalar_one_or_none()
    if message is None or message.state is SmsState.SENT:
        db.session.rollback()
        return "nothing to send"
    message.attempts += 1
    try:
        _deliver(sender(), message)
    except Exception as error:  # noqa: BLE001 -- a gateway may fail in any way; the job is retried
        message.error = str(error)[:200]
        if message.attempts >= MAX_ATTEMPTS:
            message.state = SmsState.FAILED
        record("sms.deliver", None, message, actor_name="系统", sent=0, failed=1)
        db.session.commit()
        raise GatewayError(f"SMS {message_id}: attempt {message.attempts} failed") from None
    _sent(message)
    record("sms.deliver", None, message, actor_name="系统", sent=1, failed=0)
    db.session.commit()
    return "sent"


def stale_queued(minutes: int = 15, limit: int = 500) -> list[int]:
    """Ids of messages still 待发送 this long after they were queued: their job was lost (Redis was unreachable)."""
    before = utcnow() - dt.timedelta(minutes=minutes)
    return list(
        db.session.execute(
            db.select(SmsMessage.id)
            .where(SmsMessage.state == SmsState.QUEUED, SmsMessage.created_at < before)
            .order_by(SmsMessage.id)
            .limit(limit)
        ).scalars()
    )


def sender() -> Sender:
    target = current_app.config.get("SMS_SENDER", "portal.sms.services:LogSender")
    return import_string(target.replace(":", "."))()


def deliver_queued(limit: int = 100) -> tuple[int, int]:
    """Send what waits in the outbox; return (sent, failed). A failure is retried on later runs, three times."""
    gateway = sender()
    sent = failed = 0
    messages = (
        db.session.execute(
            db.select(SmsMessage).where(SmsMessage.state == SmsState.QUEUED).order_by(SmsMessage.id).limit(limit)
        )
        .scalars()
        .all()
    )
    for message in messages:
        message.attempts += 1
        try:
            _deliver(gateway, message)
        except Exception as error:  # noqa: BLE001 -- a gateway may fail in any way; the message stays for the next run
            message.error = str(error)[:200]
            if message.attempts >= MAX_ATTEMPTS:
                message.state = SmsState.FAILED
            failed += 1
        else:
            _sent(message)
            sent += 1
    record("sms.deliver", None, None, actor_name="系统", sent=sent, failed=failed)
    return sent, failed
