"""The 督办单 and the 催办通知 as kinds of written notice (portal.documents): numbered by the registry under their own
机关代字 (settings), frozen as issued, addressed to the department, never shown to the petitioner. The supervision
record carries the document's number, so the 督办台账 and the notice say the same."""

from __future__ import annotations

from portal.cases.models import Case, CaseEvent
from portal.cases.signals import event_written
from portal.documents import services as documents
from portal.documents.kinds import Kind, petition_office, register


def _issuer(case: Case, event: CaseEvent | None, actor):
    """The supervisor's own office (督查室), else the petition office."""
    department = getattr(actor, "department", None)
    return department if department is not None else petition_office(case, event, actor)


def _addressee(case: Case) -> str:
    running = case.open_supervision
    return running.department.name if running is not None else ""


def _context(case: Case, event: CaseEvent | None) -> dict:
    running = case.open_supervision
    return {"supervision": running, "urging": running.urgings[-1] if running and running.urgings else None}


SUPERVISION_NOTICE = register(
    Kind(
        "supervision_notice",
        "信访事项督办单",
        "信督",
        (),  # issued below, so the record takes its number
        issuer=_issuer,
        public=False,
        to_petitioner=False,
        addressee=_addressee,
        context=_context,
    )
)
URGING_NOTICE = register(
    Kind(
        "urging_notice",
        "信访事项催办通知",
        "信催",
        (),
        issuer=_issuer,
        public=False,
        to_petitioner=False,
        addressee=_addressee,
        context=_context,
    )
)


@event_written.connect
def number_notices(case, *, actor, event, **_):
    """督办 and 催办 issue their notice in the step's own transaction; the record gets the document's number."""
    if event.action == "supervise":
        running = case.open_supervision
        running.number = documents.issue(case, SUPERVISION_NOTICE.key, actor, event=event).number
    elif event.action == "urge_supervision":
        urging = case.open_supervision.urgings[-1]
        urging.number = documents.issue(case, URGING_NOTICE.key, actor, event=event).number
