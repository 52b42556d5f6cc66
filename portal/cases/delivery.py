"""送达: how a written answer or notice reaches the petitioner, and the rules every delivery record keeps — the reply's
own delivery at 送达 (portal.cases.services.transitions.publish_reply) and each later record of a document's delivery
(portal.documents.services.record_delivery) ask the same ``delivery_problem``."""

from __future__ import annotations

import datetime as dt
import enum

from portal.cases.models import Case, Channel
from portal.errors import DomainError
from portal.validation import limited


class DeliveryMethod(enum.StrEnum):
    """送达方式."""

    IN_PERSON = "in_person"  # 当面送达: the recipient signs the 送达回证
    POST = "post"  # 邮寄送达, with the tracking number; delivered the day it was received
    SMS = "sms"  # 短信送达 (the notice's content by SMS, where the petitioner agreed)
    ONLINE = "online"  # 网上送达: the day it is posted, for a petitioner who petitioned online
    NOTICE = "notice"  # 公告送达: the petitioner cannot be reached

    @property
    def label(self) -> str:
        return DELIVERY_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> DeliveryMethod:
        """The method a reply's stored label names; 直接送达 (the label before methods were fixed) is 当面送达."""
        return next((m for m, text in DELIVERY_LABELS.items() if text == label), cls.IN_PERSON)


DELIVERY_LABELS = {
    DeliveryMethod.IN_PERSON: "当面送达",
    DeliveryMethod.POST: "邮寄送达",
    DeliveryMethod.SMS: "短信送达",
    DeliveryMethod.ONLINE: "网上送达",
    DeliveryMethod.NOTICE: "公告送达",
}
TRACKING_MAX = 40
RECIPIENT_MAX = 50


def default_method(case: Case) -> DeliveryMethod:
    return DeliveryMethod.ONLINE if case.channel is Channel.ONLINE else DeliveryMethod.IN_PERSON


def delivery_problem(
    case: Case,
    method: DeliveryMethod,
    delivered_on: dt.date | None,
    *,
    today: dt.date,
    not_before: dt.date,
    not_before_what: str,
    tracking_number: str = "",
) -> str | None:
    """Why this delivery record cannot be kept, in words for the clerk; None when it can."""
    if delivered_on is None:
        return "请填写送达日期。"
    if delivered_on > today:
        return "送达日期不能晚于今天。"
    if delivered_on < not_before:
        return f"送达日期不能早于{not_before_what}（{not_before:%Y年%m月%d日}）。"
    if method is DeliveryMethod.POST and not tracking_number:
        return "邮寄送达请填写邮件号（挂号信或EMS单号）。"
    if method is DeliveryMethod.ONLINE and case.channel is not Channel.ONLINE:
        return "网上送达只适用于网上提交信访事项的信访人。"
    return None


def checked_delivery(
    case: Case,
    method: DeliveryMethod,
    delivered_on: dt.date | None,
    *,
    today: dt.date,
    not_before: dt.date,
    not_before_what: str,
    tracking_number: str = "",
    recipient: str = "",
) -> tuple[str, str]:
    """The tracking number and signer of a delivery the rules allow, cleaned; a DomainError saying why not."""
    tracking_number = limited(tracking_number, "邮件号", TRACKING_MAX)
    recipient = recipient_of(method, limited(recipient, "签收人", RECIPIENT_MAX))
    problem = delivery_problem(
        case,
        method,
        delivered_on,
        today=today,
        not_before=not_before,
        not_before_what=not_before_what,
        tracking_number=tracking_number,
    )
    if problem:
        raise DomainError(problem)
    return tracking_number, recipient


def recipient_of(method: DeliveryMethod, recipient: str) -> str:
    """Who signed for an in-person delivery: as typed, else the petitioner in person (the usual case at the
    counter); other methods have no signer."""
    if method is not DeliveryMethod.IN_PERSON:
        return recipient
    return recipient or "信访人本人"
