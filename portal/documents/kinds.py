"""The kinds of written notice (文书), written down once: what each is called, which 机关代字 it is numbered under,
which recorded decision issues it, who issues it, whether the petitioner gets it, and what its template needs.

A new kind is one ``register(Kind(...))`` call and a template under ``templates/documents/kinds/`` — the issuing,
numbering, settings, PDF, delivery and lists come with it. The template receives ``doc`` (number, issuer, date),
``case``, ``event`` (the timeline event that issued it, or None) and what ``context`` returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from portal.cases.models import Case, CaseEvent, ReplyKind, ReplyState
from portal.errors import DomainError
from portal.extensions import db
from portal.org.models import Department
from portal.org.models import Kind as OrgKind
from portal.settings.models import DOCUMENTS, SettingSpec, declare


def petition_office(case: Case, event: CaseEvent | None, actor) -> Department:
    """The petition office that acted: the actor's own, else the county's (the first one in the tree); in a tree
    without one, the actor's department."""
    department = getattr(actor, "department", None)
    if department is not None and department.is_petition_office:
        return department
    office = db.session.execute(
        db.select(Department)
        .where(Department.kind == OrgKind.PETITION_OFFICE, Department.active)
        .order_by(Department.level, Department.id)
    ).scalar()
    if office is None and department is None:
        raise DomainError("组织机构中没有信访部门，无法出具文书，请系统管理员先设置。")
    return office or department


def handling_organ(case: Case, event: CaseEvent | None, actor) -> Department:
    """The department the case was assigned to (it answers and extends)."""
    return case.department or petition_office(case, event, actor)


def reviewing_organ(case: Case, event: CaseEvent | None, actor) -> Department:
    """The organ that reviewed (the level above); the petition office where the tree has none."""
    return case.reviewing_department or petition_office(case, event, actor)


@dataclass(frozen=True)
class Kind:
    key: str
    title: str  # as printed: 受理告知书
    code: str  # the default 机关代字 (a setting per kind)
    actions: tuple[str, ...]  # the timeline events (lifecycle action names) that issue it
    issuer: Callable = petition_office  # (case, event, actor) -> Department
    public: bool = True  # on the petitioner's progress page, downloadable
    to_petitioner: bool = True  # addressed and delivered to the petitioner (else to an organ: 交办单)
    signed: bool = False  # the law wants the signer named (处理意见书, 复查/复核意见书)
    applies: Callable | None = None  # (case, event) -> bool, when an action issues it only sometimes
    context: Callable | None = None  # (case, event) -> dict for the template
    addressee: Callable | None = None  # (case) -> str, for a document addressed to an organ
    template: str = ""  # templates/documents/kinds/<key>.html when empty
    # The 条例 article that obliges the document (shown on the staff list; the template cites it in the text).
    article: str = ""
    extra_settings: tuple[SettingSpec, ...] = field(default_factory=tuple)

    @property
    def code_setting(self) -> str:
        return f"document_code_{self.key}"

    @property
    def template_name(self) -> str:
        return self.template or f"documents/kinds/{self.key}.html"


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind and its 机关代字 setting (shown on the administrator's settings page under 文书)."""
    if kind.key in KINDS:
        raise ValueError(f"document kind {kind.key} registered twice")
    KINDS[kind.key] = kind
    declare(
        SettingSpec(
            kind.code_setting,
            f"{kind.title}机关代字",
            kind.code,
            f"{kind.title}文号中的机关代字，例如“{kind.code}”〔2026〕1号；改后新出具的文书使用新代字，已出具的不变。",
            group=DOCUMENTS,
            max_length=20,
        )
    )
    for spec in kind.extra_settings:
        declare(spec)
    return kind


def issued_by(action: str, case: Case, event: CaseEvent) -> list[Kind]:
    """The kinds the event of ``action`` issues on ``case``."""
    return [k for k in KINDS.values() if action in k.actions and (k.applies is None or k.applies(case, event))]


# --- the kinds of issue 14 ------------------------------------------------------------------------------------
def _latest_reply(kind: ReplyKind):
    """The published reply of ``kind``, the organ the petitioner may turn to next, and the request reviewed."""

    def context(case: Case, event: CaseEvent) -> dict:
        from portal.cases.services import review_organ

        replies = [r for r in case.replies if r.kind is kind and r.state is ReplyState.PUBLISHED]
        asked = "request_review" if kind is ReplyKind.REVIEW else "request_rereview"
        requests = [e for e in case.events if e.action == asked]
        return {
            "reply": replies[-1] if replies else None,
            "next_organ": review_organ(case) if case.reviewable and kind is not ReplyKind.REREVIEW else None,
            "review_request": requests[-1].data if requests and kind is not ReplyKind.REPLY else None,
        }

    return context


def _extension(case: Case, event: CaseEvent) -> dict:
    approved = [e for e in case.extensions if e.new_due is not None]
    return {"extension": approved[-1] if approved else None}


register(Kind("accept_notice", "受理告知书", "信受", ("accept",), article="第二十二条"))
register(Kind("not_accept_notice", "不予受理告知书", "信不受", ("not_accept",), article="第二十二条"))
register(Kind("forward_notice", "转送告知书", "信转", ("forward",), article="第二十二条"))
register(
    Kind(
        "assignment_slip",
        "信访事项交办单",
        "信交",
        ("assign",),
        public=False,
        to_petitioner=False,
        addressee=lambda case: case.department.name if case.department else "",
        article="第二十三条",
    )
)
register(
    Kind(
        "extension_notice",
        "延期办理告知书",
        "信延",
        ("approve_extension",),
        issuer=handling_organ,
        context=_extension,
        article="第三十四条",
    )
)
register(
    Kind(
        "opinion",
        "信访事项处理意见书",
        "信处",
        ("publish",),
        issuer=handling_organ,
        signed=True,
        applies=lambda case, event: case.reviewable,
        context=_latest_reply(ReplyKind.REPLY),
        article="第三十二条",
    )
)
register(
    Kind(
        "feedback",
        "信访事项答复反馈意见书",
        "信馈",
        ("publish",),
        issuer=handling_organ,
        signed=True,
        applies=lambda case, event: not case.reviewable,
        context=_latest_reply(ReplyKind.REPLY),
    )
)
register(
    Kind(
        "review_opinion",
        "信访事项复查意见书",
        "信复查",
        ("decide_review",),
        issuer=reviewing_organ,
        signed=True,
        context=_latest_reply(ReplyKind.REVIEW),
        article="第三十五条",
    )
)
register(
    Kind(
        "rereview_opinion",
        "信访事项复核意见书",
        "信复核",
        ("decide_rereview",),
        issuer=reviewing_organ,
        signed=True,
        context=_latest_reply(ReplyKind.REREVIEW),
        article="第三十六条",
    )
)

# Kinds whose delivery starts the petitioner's windows (review request, evaluation): the reply documents.
REPLY_KINDS = frozenset({"opinion", "feedback", "review_opinion", "rereview_opinion"})
