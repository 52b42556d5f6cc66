"""What the public may see of a case (DESIGN §3, §8): one place that decides it, for the progress page and the
lookup API alike. Masked name only; never phone, ID number, address, internal notes or instructions; of a
confidential or accusation case nothing beyond its stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from portal.cases import services
from portal.cases.lifecycle import FROM_REPLY, STEPS_BEFORE_REPLY, STOPPED
from portal.cases.models import Case, CaseType, Reply, Status
from portal.deadlines.clock import Deadline
from portal.localtime import local
from portal.public.stages import Article, next_step


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # done | current | todo | stopped


@dataclass(frozen=True)
class Event:
    on: dt.date
    title: str
    text: str


@dataclass(frozen=True)
class Document:
    """A signed 处理意见书 (or 复查 / 复核意见书) as it was delivered."""

    kind: str
    outcome: str
    text: str
    legal_basis: str
    signer_name: str
    signer_title: str
    signer_department: str
    signed_on: dt.date
    delivered_on: dt.date | None


@dataclass(frozen=True)
class Notice:
    """A written notice of the case the petitioner may download (portal.documents)."""

    id: int
    title: str
    number: str
    issued_on: dt.date
    delivered: str | None  # the delivery as recorded, in words


@dataclass(frozen=True)
class Window:
    """A petitioner's right with a deadline: to rate, or to ask for review."""

    open: bool
    due: dt.date | None
    days_left: int | None
    refusal: str | None  # why it is closed, in words for the petitioner


@dataclass
class PublicCase:
    tracking_code: str
    masked_name: str
    restricted: bool  # confidential or accusation: the stage only
    status: str
    status_label: str
    stage: str
    steps: list[Step]
    received_on: dt.date
    title: str | None = None
    channel: str | None = None
    case_type: str | None = None
    department: str | None = None
    clock: Deadline | None = None
    clock_label: str | None = None
    events: list[Event] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    evaluation: dict | None = None
    evaluate: Window | None = None
    review_kind: str = "复查"
    review: Window | None = None
    replied: bool = False  # from the reply on: the windows to rate and to ask for review are the petitioner's
    next_step: str = ""  # what happens next and by when, in plain words (portal.public.stages)
    basis: Article | None = None  # the article behind it

    def as_dict(self) -> dict:
        """The JSON of ``POST /api/v1/lookup``."""

        def window(w: Window | None):
            return (
                None
                if w is None
                else {"open": w.open, "due": _iso(w.due), "days_left": w.days_left, "message": w.refusal}
            )

        return {
            "tracking_code": self.tracking_code,
            "name": self.masked_name,
            "restricted": self.restricted,
            "status": self.status,
            "status_label": self.status_label,
            "stage": self.stage,
            "next_step": self.next_step,
            "steps": [{"label": s.label, "state": s.state} for s in self.steps],
            "received_on": self.received_on.isoformat(),
            "title": self.title,
            "channel": self.channel,
            "case_type": self.case_type,
            "department": self.department,
            "due_date": _iso(self.clock.due) if self.clock else None,
            "due_label": self.clock_label,
            "due_explanation": self.clock.explanation() if self.clock else None,
            "timeline": [{"date": e.on.isoformat(), "title": e.title, "text": e.text} for e in self.events],
            "replies": [
                {
                    "kind": d.kind,
                    "outcome": d.outcome,
                    "text": d.text,
                    "legal_basis": d.legal_basis,
                    "signer_name": d.signer_name,
                    "signer_title": d.signer_title,
                    "signer_department": d.signer_department,
                    "signed_on": d.signed_on.isoformat(),
                    "delivered_on": _iso(d.delivered_on),
                }
                for d in self.documents
            ],
            "evaluation": self.evaluation,
            "can_evaluate": window(self.evaluate),
            "review_kind": self.review_kind,
            "can_request_review": window(self.review),
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def is_restricted(case: Case) -> bool:
    """Confidential or an accusation: the public page shows the stage only."""
    return case.confidential or case.case_type is CaseType.ACCUSATION


def public_notices(case: Case) -> list:
    """The written notices the petitioner may download from the progress page: the public ones (a 交办单 is
    internal) of a case whose page shows more than its stage."""
    return [] if is_restricted(case) else [d for d in case.documents if d.public]


def public_case(case: Case, today: dt.date) -> PublicCase:
    restricted = is_restricted(case)
    evaluate = _evaluation_window(case, today)
    view = PublicCase(
        tracking_code=case.tracking_code,
        masked_name=case.petitioner.masked_name,
        restricted=restricted,
        status=case.status.value,
        status_label=case.status.label,
        stage=case.status.stage,
        steps=steps(case, evaluation_open=evaluate.open),
        received_on=case.received_on,
        review_kind=case.review_kind,
        evaluate=evaluate,
        review=_review_window(case, today),
        evaluation=_evaluation(case),
        replied=case.status in FROM_REPLY,
    )
    if restricted:
        _explain(view, case, None)
        return view
    view.title = case.title
    view.channel = case.channel.label
    view.case_type = case.case_type.label
    view.department = case.department.name if case.department else None
    view.clock = services.current_clock(case)
    if view.clock:
        label = view.clock.rule.label
        view.clock_label = label if label.endswith("期限") else label + "期限"
    view.events = [Event(local(e.at).date(), e.title, e.text) for e in case.events if e.public]
    view.documents = [_document(r) for r in case.published_replies]
    view.notices = [
        Notice(d.id, d.title, d.number, d.issued_on, d.delivery.summary if d.delivery else None)
        for d in public_notices(case)
    ]
    _explain(view, case, view.clock.due if view.clock else None)
    return view


def _explain(view: PublicCase, case: Case, due: dt.date | None) -> None:
    # From the reply on, "by when" is the petitioner's own window to ask for review.
    if case.status in (Status.REPLIED, Status.CLOSED) and view.review is not None:
        due = view.review.due
    step = next_step(case, due)
    view.next_step, view.basis = step.text, step.article


def _document(reply: Reply) -> Document:
    return Document(
        kind=reply.kind.label,
        outcome=reply.outcome.label,
        text=reply.text,
        legal_basis=reply.legal_basis,
        signer_name=reply.signer_name,
        signer_title=reply.signer_title,
        signer_department=reply.signer_department,
        signed_on=local(reply.signed_at).date(),
        delivered_on=reply.delivered_on,
    )


def _evaluation(case: Case) -> dict | None:
    if case.evaluation is None:
        return None
    return {"acceptance": case.evaluation.acceptance.label, "handling": case.evaluation.handling.label}


def _evaluation_window(case: Case, today: dt.date) -> Window:
    window = services.evaluation_window(case)
    refusal = services.evaluation_refusal(case, today, window)
    due = window.due if window else None
    return Window(
        open=refusal is None, due=due, days_left=(due - today).days if due and not refusal else None, refusal=refusal
    )


def _review_window(case: Case, today: dt.date) -> Window:
    refusal = case.review_request_refusal(today)
    due = case.due_date if case.clock_is_window else None
    return Window(
        open=refusal is None,
        due=due if not refusal else None,
        days_left=(due - today).days if due and not refusal else None,
        refusal=refusal,
    )


# --- the stepper: 登记 → 受理 → 交办 → 办理 → 答复 → 评价 / 复查 / 复核 -------------------------------------------
def steps(case: Case, *, evaluation_open: bool) -> list[Step]:
    if case.status in STOPPED:
        return [Step("登记", "done"), Step(case.status.label, "stopped")]
    reached = case.status.stage_index
    if reached is not None:
        return [
            Step(label, "done" if i < reached else "current" if i == reached else "todo")
            for i, label in enumerate(list(STEPS_BEFORE_REPLY) + ["答复", "评价"])
        ]
    result = [Step(label, "done") for label in list(STEPS_BEFORE_REPLY) + ["答复"]]
    evaluated = case.evaluation is not None
    result.append(Step("评价", "done" if evaluated else "current" if evaluation_open else "todo"))
    for level, label, status in ((1, "复查", Status.UNDER_REVIEW), (2, "复核", Status.UNDER_REREVIEW)):
        if case.status is status:
            result.append(Step(label, "current"))
        elif case.review_level >= level:
            result.append(Step(label, "done"))
    return result
