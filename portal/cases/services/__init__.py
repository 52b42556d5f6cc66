"""The only place where a case changes state, in four parts: ``registration`` (a petition becomes a case),
``transitions`` (the main path of lifecycle.ACTIONS), ``handling`` (what is recorded beside it) and ``reviews``
(复查, 复核 and the petitioner's windows). ``steps`` holds what they all do: lock, check, record. Arguments are plain
values, never a request or a form; services flush, never commit. Callers use this package's names."""

from portal.cases.models import CONTENT_MAX, TITLE_MAX
from portal.cases.services.handling import (
    MAX_EXTENSION_DAYS,
    add_instruction,
    add_note,
    assign_handler,
    clear_unsatisfied,
    decide_extension,
    record_follow_up,
    request_extension,
    supervise,
    tick_checklist_item,
)
from portal.cases.services.registration import (
    earlier_cases,
    find_or_create_petitioner,
    open_reception_case,
    register_case,
    related_cases,
)
from portal.cases.services.reviews import (
    decide_review,
    evaluation_refusal,
    evaluation_window,
    record_evaluation,
    record_hearing,
    request_review,
    review_organ,
)
from portal.cases.services.steps import current_clock
from portal.cases.services.transitions import (
    accept,
    assign,
    draft_reply,
    forward,
    mark_off,
    not_accept,
    publish_reply,
    rehandle,
    return_draft,
    send_back,
    sign_reply,
    start,
)

__all__ = [
    "CONTENT_MAX",
    "MAX_EXTENSION_DAYS",
    "TITLE_MAX",
    "accept",
    "add_instruction",
    "add_note",
    "assign",
    "assign_handler",
    "clear_unsatisfied",
    "current_clock",
    "decide_extension",
    "decide_review",
    "draft_reply",
    "earlier_cases",
    "evaluation_refusal",
    "evaluation_window",
    "find_or_create_petitioner",
    "forward",
    "mark_off",
    "not_accept",
    "open_reception_case",
    "publish_reply",
    "record_evaluation",
    "record_follow_up",
    "record_hearing",
    "register_case",
    "rehandle",
    "related_cases",
    "request_extension",
    "request_review",
    "return_draft",
    "review_organ",
    "send_back",
    "sign_reply",
    "start",
    "supervise",
    "tick_checklist_item",
]
