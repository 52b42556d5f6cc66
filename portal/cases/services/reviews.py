"""Reviews and the petitioner's windows: 复查 and 复核 requested and decided by the level above (条例 art.35–36),
hearings that pause the re-review clock, and the evaluation the petitioner may give once the reply is delivered."""

from __future__ import annotations

import datetime as dt

from portal.accounts.models import User
from portal.cases.delivery import default_method
from portal.cases.lifecycle import RATEABLE, transition_for_review
from portal.cases.models import (
    CONTENT_MAX,
    Case,
    Evaluation,
    Hearing,
    Outcome,
    Rating,
    Reply,
    ReplyKind,
    ReplyState,
)
from portal.cases.services import steps
from portal.deadlines.services import deadline
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import local, utcnow
from portal.localtime import today as local_today
from portal.org.models import Department
from portal.settings.models import get_setting
from portal.validation import limited, required


def review_organ(case: Case) -> Department | None:
    """Who reviews: the level above the department that answered (复查), then the level above the reviewer (复核).
    None when the tree has no level above: the petition office then records the opinion."""
    answered_by = case.department if case.review_level == 0 else case.reviewing_department
    organ = answered_by.parent if answered_by is not None else None
    while organ is not None and case.accuses_unit(organ.id):  # never the unit complained against (条例 art.30)
        organ = organ.parent
    return organ


def request_review(
    case: Case,
    actor: User | None,
    *,
    reason: str,
    received_on: dt.date | None = None,
    action: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """复查 or 复核 requested; ``action`` is the one the person asked for (a page posts it), else the one that fits.
    ``received_on``: the day the request was received, as the petition office enters it (a letter's postmark, the
    day of a visit); the petitioner online asks today. The window is checked and the review clock counted from it."""
    steps.lock(case, expected_version)
    name = action or transition_for_review(case.review_level, deciding=False).name  # read after the lock
    steps.refuse(case.refusal(name, actor))
    received_on = review_received_on(case, received_on if actor is not None else None)
    if refusal := case.review_request_refusal(received_on):
        raise DomainError(refusal)
    reason = required(reason, "申请理由", 2000)
    rule = "review" if name == "request_review" else "rereview"
    case.reviewing_department = review_organ(case)
    clock = steps.set_clock(case, rule, received_on)
    kind = case.review_kind
    steps.finish(
        case,
        actor,
        name,
        title=f"{kind}申请",
        public=True,
        text=f"已于{received_on:%Y年%m月%d日}收到{kind}申请，将在{clock.due:%Y年%m月%d日}前出具{kind}意见。",
        data={"reason": reason, "received_on": received_on.isoformat()},
    )
    return case


def review_received_on(case: Case, received_on: dt.date | None) -> dt.date:
    """The receipt date of a review request: not later than today, not before the reply it contests was delivered."""
    today = local_today()
    if received_on is None:
        return today
    if received_on > today:
        raise DomainError("收到申请的日期不能晚于今天。")
    if case.delivered_on is not None and received_on < case.delivered_on:
        raise DomainError(f"收到申请的日期不能早于答复送达之日（{case.delivered_on:%Y年%m月%d日}）。")
    return received_on


def decide_review(
    case: Case,
    actor: User,
    *,
    outcome: Outcome,
    text: str,
    legal_basis: str = "",
    delivered_on: dt.date | None = None,
    action: str | None = None,
    expected_version: int | None = None,
) -> Reply:
    """The review (复查) or re-review (复核) opinion, signed by the reviewing office and delivered at once."""
    name = action or transition_for_review(case.review_level, deciding=True).name
    steps.begin(case, actor, name, expected_version)  # the transition asks case.can_decide_review(actor)
    text = required(text, "复查（复核）意见", CONTENT_MAX)
    kind = ReplyKind.REVIEW if name == "decide_review" else ReplyKind.REREVIEW
    today = local_today()
    delivered_on = steps.delivery_date(case, delivered_on, today)
    now = utcnow()
    reply = Reply(
        case=case,
        kind=kind,
        version=1 + sum(1 for r in case.replies if r.kind is kind),
        outcome=outcome,
        text=text,
        legal_basis=legal_basis.strip(),
        drafted_by_id=actor.id,
        state=ReplyState.PUBLISHED,
        signed_by_id=actor.id,
        signer_name=actor.name,
        signer_title=actor.title,
        signer_department=actor.department.name,
        signed_at=now,
        published_at=now,
        delivered_on=delivered_on,
        delivery_method=default_method(case).label,
    )
    db.session.add(reply)
    case.delivered_on = delivered_on
    open_evaluation_window(case)
    case.review_level += 1
    if kind is ReplyKind.REVIEW:
        clock = steps.set_clock(case, "rereview_request", delivered_on)
        tail = f"如不服，可在{clock.due:%Y年%m月%d日}前申请复核。"
    else:
        steps.set_clock(case, None)
        tail = "复核意见为终结意见。"
    steps.finish(
        case,
        actor,
        name,
        title=kind.label,
        public=True,
        text=f"出具{kind.label}（{outcome.label}），于{delivered_on:%Y年%m月%d日}送达。{tail}",
        data={"reply_id": reply.id},
    )
    return reply


def delivery_recorded(
    case: Case, actor: User, *, reply_kind: ReplyKind, delivered_on: dt.date, method: str
) -> Reply | None:
    """The delivery of a reply document recorded after the decision (the 送达回证 came back, the letter arrived):
    when it is the answer the petitioner's windows run from, the reply's delivery date, the evaluation window and the
    review-request window move to the recorded date. An earlier answer's delivery changes no window."""
    steps.lock(case)
    published = [r for r in case.published_replies if r.kind is reply_kind]
    if not published:
        raise DomainError("该答复尚未送达，不能登记送达。")
    reply = published[-1]
    current = (ReplyKind.REPLY, ReplyKind.REVIEW, ReplyKind.REREVIEW)[min(case.review_level, 2)]
    if reply_kind is not current or case.status not in RATEABLE:
        return None
    if delivered_on < local(reply.signed_at).date():
        raise DomainError(f"送达日期不能早于署名日期（{local(reply.signed_at):%Y年%m月%d日}）。")
    reply.delivered_on, reply.delivery_method = delivered_on, method
    case.delivered_on = delivered_on
    open_evaluation_window(case)
    text = f"{reply_kind.label}于{delivered_on:%Y年%m月%d日}{method}。"
    if case.clock_rule in ("review_request", "rereview_request"):
        clock = steps.set_clock(case, case.clock_rule, delivered_on)
        text += f"如不服，可在{clock.due:%Y年%m月%d日}前申请{case.review_kind}。"
    steps.log(case, actor, "delivery", title="送达", public=True, text=text, delivered_on=delivered_on.isoformat())
    return reply


def record_hearing(
    case: Case,
    actor: User,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    place: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Hearing:
    """听证 in a re-review: its days are added to the paused days of the re-review clock."""
    steps.begin(case, actor, "hearing", expected_version)
    if ends_on < starts_on:
        raise DomainError("听证结束日期不能早于开始日期。")
    if starts_on < case.clock_start:
        raise DomainError("听证日期不能早于收到复核申请之日。")
    hearing = Hearing(
        case=case,
        starts_on=starts_on,
        ends_on=ends_on,
        place=limited(place, "听证地点", 200),
        note=(note or "").strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(hearing)
    paused = (case.clock_paused_days or 0) + hearing.days
    clock = steps.set_clock(case, "rereview", case.clock_start, paused_days=paused)
    steps.log(
        case,
        actor,
        "hearing",
        title="听证",
        public=True,
        text=f"于{starts_on:%Y年%m月%d日}至{ends_on:%Y年%m月%d日}举行听证，听证所需时间不计入复核期限，"
        f"复核期限顺延至{clock.due:%Y年%m月%d日}。",
        days=hearing.days,
        due=clock.due.isoformat(),
    )
    return hearing


def evaluation_window(case: Case):
    """The evaluation window (a setting, counted from delivery), or None before the reply is delivered. The date
    told at delivery (``evaluation_due``) stands when a calendar correction would shorten the window."""
    if case.delivered_on is None:
        return None
    clock = deadline("evaluate", case.delivered_on, length=int(get_setting("evaluation_window_days")))
    return clock.keep(case.evaluation_due)


def open_evaluation_window(case: Case) -> None:
    """Store the evaluation window of the delivery just recorded (a new delivery opens it afresh)."""
    case.evaluation_due = None
    case.evaluation_due = evaluation_window(case).due


def evaluation_refusal(case: Case, today: dt.date | None = None, window=None) -> str | None:
    """Why the petitioner may not rate the case now; None when they may. ``window``: the evaluation window when the
    caller has already computed it."""
    if case.evaluation is not None:
        return "该信访件已评价过，不能重复评价。"
    if case.delivered_on is None or case.status not in RATEABLE:
        return "处理意见送达后才能评价。"
    window = window or evaluation_window(case)
    if (today or local_today()) > window.due:
        return f"评价期限已于{window.due:%Y年%m月%d日}届满。"
    return None


def record_evaluation(case: Case, *, acceptance: Rating, handling: Rating, comment: str = "") -> Evaluation:
    """The petitioner's rating, once, inside the evaluation window; 不满意 puts the case under supervision."""
    steps.lock(case)
    refusal = evaluation_refusal(case)
    if refusal:
        raise DomainError(refusal)
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("评价意见不能超过1000字。")
    evaluation = Evaluation(case=case, acceptance=acceptance, handling=handling, comment=comment)
    db.session.add(evaluation)
    if evaluation.unsatisfied:
        case.supervised = True
    steps.log(
        case,
        None,
        "evaluate",
        title="满意度评价",
        public=True,
        text=f"受理：{acceptance.label}；办理：{handling.label}。",
        acceptance=acceptance.value,
        handling=handling.value,
    )
    return evaluation
