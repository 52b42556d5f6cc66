"""Queue SMS notices and deliver the queue through the configured sender (``SMS_SENDER``)."""

from __future__ import annotations

import logging
from typing import Protocol

from flask import current_app
from werkzeug.utils import import_string

from portal.audit.services import record
from portal.extensions import db
from portal.localtime import utcnow
from portal.sms.models import SmsMessage, SmsState

MAX_ATTEMPTS = 3
log = logging.getLogger("portal.sms")


class Sender(Protocol):
    """What a gateway adapter provides: send one message or raise."""

    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """The default: writes each message to the log (a console in development). Replace with a gateway adapter by
    setting SMS_SENDER to its import path."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def queue(phone: str | None, text: str, case=None) -> SmsMessage | None:
    """Put a notice in the outbox (flush, no commit); nothing when there is no phone number."""
    if not phone:
        return None
    message = SmsMessage(phone=phone, text=text, case_id=getattr(case, "id", None))
    db.session.add(message)
    return message


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
            gateway.send(message.phone, message.text)
        except Exception as error:  # noqa: BLE001 -- a gateway may fail in any way; the message stays for the next run
            message.error = str(error)[:200]
            if message.attempts >= MAX_ATTEMPTS:
                message.state = SmsState.FAILED
            failed += 1
        else:
            message.state, message.sent_at, message.error = SmsState.SENT, utcnow(), ""
            sent += 1
    record("sms.deliver", None, None, actor_name="系统", sent=sent, failed=failed)
    return sent, failed
