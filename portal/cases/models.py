"""Cases (信访件) and everything recorded on them: petitioners, events, instructions, replies, checklists,
evaluations and follow-ups. Permission predicates (``can_*``) live here so views and templates agree."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, event, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from portal.accounts.models import DEPARTMENT_SCOPED, Role, User
from portal.cases.accused import Accused, CadreLevel, organ_for
from portal.cases.lifecycle import (
    ACTIONS,
    ASSISTABLE,
    BEING_HANDLED,
    CHECKLIST_EDITABLE,
    EXTENDABLE,
    HANDLING_CLOCKS,
    OPEN,
    ORDINARY_SWITCHABLE,
    PUBLIC,
    RATEABLE,
    TERMINAL,
    UNDER_ANY_REVIEW,
    Action,
    Refusal,
    Status,
    transition_for_review,
)
from portal.cases.supervision import (
    AccountabilityProposal,
    HandlingRound,
    Supervision,
    SupervisionState,
)
from portal.deadlines.clock import WINDOW_RULES
from portal.deadlines.services import deadline
from portal.errors import DomainError
from portal.extensions import db, enum_column
from portal.localtime import today as local_today
from portal.localtime import utcnow
from portal.masking import MaskedContact, mask_name
from portal.org.models import Department, Kind
from portal.protection import EncryptedString, blind_index_column, keep_blind_index


class Channel(enum.StrEnum):
    LETTER = "letter"
    VISIT = "visit"
    PHONE = "phone"
    EMAIL = "email"
    ONLINE = "online"
    FAX = "fax"

    @property
    def label(self) -> str:
        return {
            "letter": "来信",
            "visit": "来访",
            "phone": "来电",
            "email": "来邮",
            "online": "网上信访",
            "fax": "传真",
        }[self.value]


class CaseType(enum.StrEnum):
    SUGGESTION = "suggestion"
    ACCUSATION = "accusation"
    CLAIM = "claim"

    @property
    def label(self) -> str:
        return {"suggestion": "建议意见类", "accusation": "检举控告类", "claim": "申诉求决类"}[self.value]


class Procedure(enum.StrEnum):
    NORMAL = "normal"
    SIMPLE = "simple"

    @property
    def label(self) -> str:
        return {"normal": "普通程序", "simple": "简易办理"}[self.value]


def simple_procedure_refusal(case_type: CaseType, group_visit: bool, people_count: int, repeat: bool) -> str | None:
    """Why a petition may not be handled under 简易办理: it is for first petitions with clear facts (consultations,
    suggestions, daily-life matters), never an accusation, a group of five or more, or a repeat."""
    if case_type is CaseType.ACCUSATION:
        return "检举控告类信访事项不适用简易办理，请按普通程序受理。"
    if group_visit or people_count >= 5:
        return "集体访（5人以上）不适用简易办理，请按普通程序受理。"
    if repeat:
        return "重复信访不适用简易办理，请按普通程序受理。"
    return None


# How long what a person types may be: the columns, the forms and the services use these.
TITLE_MAX = 100
CONTENT_MAX = 5000
ADDRESS_MAX = 200


class Outcome(enum.StrEnum):
    SUPPORT = "support"
    EXPLAIN = "explain"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return {"support": "支持", "explain": "解释说明", "reject": "不予支持"}[self.value]


class ReplyKind(enum.StrEnum):
    REPLY = "reply"  # 处理意见书
    REVIEW = "review"  # 复查意见书
    REREVIEW = "rereview"  # 复核意见书

    @property
    def label(self) -> str:
        return {"reply": "处理意见书", "review": "复查意见书", "rereview": "复核意见书"}[self.value]


class ReplyState(enum.StrEnum):
    DRAFT = "draft"
    RETURNED = "returned"  # the department head sent the draft back
    SIGNED = "signed"
    SENT_BACK = "sent_back"  # the petition office sent the signed reply back (退回重办)
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {
            "draft": "草稿",
            "returned": "已退回修改",
            "signed": "已署名",
            "sent_back": "退回重办",
            "published": "已送达",
        }[self.value]


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}[self.value]


class NotAcceptedRoute(enum.StrEnum):
    LITIGATION = "litigation"
    ARBITRATION = "arbitration"
    RECONSIDERATION = "reconsideration"
    PARTY = "party"
    OTHER_LEGAL = "other_legal"
    FINAL_SAME_FACTS = "final_same_facts"
    PENDING_BELOW = "pending_below"  # 条例 art.19: accepted by, and still being handled by, an organ below

    @property
    def label(self) -> str:
        return NOT_ACCEPTED_ROUTES[self][0]

    @property
    def route_text(self) -> str:
        return NOT_ACCEPTED_ROUTES[self][1]


NOT_ACCEPTED_ROUTES = {
    NotAcceptedRoute.LITIGATION: (
        "应当通过诉讼解决",
        "您反映的事项应当通过诉讼程序解决，请依法向有管辖权的人民法院提起诉讼。",
    ),
    NotAcceptedRoute.ARBITRATION: (
        "应当通过仲裁解决",
        "您反映的事项应当通过仲裁程序解决，请依法向劳动人事争议仲裁委员会或约定的仲裁机构申请仲裁。",
    ),
    NotAcceptedRoute.RECONSIDERATION: (
        "应当通过行政复议解决",
        "您反映的事项应当通过行政复议程序解决，请依法向有权机关申请行政复议。",
    ),
    NotAcceptedRoute.PARTY: ("属党员申诉事项", "您反映的事项属于党员申诉，请依照党内法规向有关党组织提出。"),
    NotAcceptedRoute.OTHER_LEGAL: (
        "应当通过其他法定途径解决",
        "您反映的事项已有法定途径，请依照相关法律法规向有权机关提出。",
    ),
    NotAcceptedRoute.FINAL_SAME_FACTS: (
        "已复核终结，无新的事实和理由",
        "您反映的事项已经复核终结，您以同一事实和理由提出的信访不再受理（《信访工作条例》第三十六条）。",
    ),
    # The organ, since when and until when are the case's own (Case.pending_*): not_accept writes them in.
    NotAcceptedRoute.PENDING_BELOW: (
        "下级机关正在办理",
        "依照《信访工作条例》第十九条，信访事项已经受理或者正在办理的，信访人在规定期限内向受理、办理机关的上级机关"
        "又提出同一信访事项的，上级机关不予受理。请等待该机关的处理意见；该机关逾期未办结的，可以再向本机关反映。",
    ),
}


class Category(db.Model):
    """内容分类 (e.g. 征地拆迁, 劳动社保); managed by the admin."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class Petitioner(MaskedContact, db.Model):
    __tablename__ = "petitioners"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Code-point order (C collation) on PostgreSQL, as SQLite's BINARY: the index then serves the name-prefix search
    # of portal.cases.search whatever the database's locale.
    name: Mapped[str] = mapped_column(String(50).with_variant(String(50, collation="C"), "postgresql"), index=True)
    # Encrypted at rest (portal.protection); looked up only through the blind indexes, kept by the listeners below.
    phone: Mapped[str | None] = mapped_column(EncryptedString(20))
    id_number: Mapped[str | None] = mapped_column(EncryptedString(18))
    address: Mapped[str] = mapped_column(EncryptedString(ADDRESS_MAX), default="")
    phone_index: Mapped[str | None] = blind_index_column()
    id_number_index: Mapped[str | None] = blind_index_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# 条例 art.35–36 review a 信访处理意见书 (申诉求决类, art.31(6)); the other kinds of matter are answered otherwise.
REVIEW_ROUTES = {
    CaseType.SUGGESTION: "建议意见类事项由有权处理的机关、单位研究论证后予以回复反馈（《信访工作条例》第二十九条），"
    "不适用复查、复核程序；您可以继续提出建议意见，或对回复作出评价。",
    CaseType.ACCUSATION: "检举控告类事项依规依纪依法办理和反馈（《信访工作条例》第三十条），不适用信访复查、复核程序；"
    "对办理结果有异议的，可以依照纪检监察机关或者有权处理机关的有关规定提出。",
}

# What a case shows instead of its title to someone who may know that it exists but not what it says.
SEALED_TITLE = "检举控告件（内容保密）"


keep_blind_index(Petitioner.phone, "phone_index", "phone")
keep_blind_index(Petitioner.id_number, "id_number_index", "id_number")


@dataclass(frozen=True)
class Standing:
    """Where a matter still being handled stands: the organ holding it, since when, its deadline."""

    organ: str
    since: dt.date
    due: dt.date | None
    below: bool  # handled by an organ the petition office assigned it to (条例 art.19)

    @property
    def told(self) -> str:
        text = f"{self.since:%Y年%m月%d日}起由{self.organ}办理"
        return text + (f"，期限至{self.due:%Y年%m月%d日}" if self.due else "")

    @property
    def article(self) -> str:
        return "依照《信访工作条例》第十九条，" if self.below else ""


def _partial_index(name: str, *columns, where: str) -> Index:
    """An index of the rows ``where`` holds for, with the same condition on both databases."""
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_due", "status", "due_date"),
        Index("ix_cases_department_status", "department_id", "status"),
        # "Most urgent first" over all cases; with the columns of 超期 and the department after the id, so that a
        # ledger page finds its ids (portal.ledgers.queries._page_select) and 超期 is counted from the index alone.
        Index("ix_cases_urgency_due", "urgency", "due_date", "id", "status", "clock_rule", "department_id"),
        # The repeats received in a period (一次性化解's exclusion, portal.stats.indicators): 5 % of the cases.
        _partial_index("ix_cases_repeat_received", "received_on", "repeat_of_id", where="repeat_of_id IS NOT NULL"),
        # The 越级 cases received in a period, with where they belong (the grassroots numbers): 3 % of the cases.
        Index(
            "ix_cases_skipped_received",
            "received_on",
            "place_area_id",
            "place",
            sqlite_where=text("skipped_level = 1"),
            postgresql_where=text("skipped_level"),
        ),
        # 我的待办's order (due dates first, the nearest on top; then the undated, oldest first) over one state, and
        # over every case for the queues that are not about a state (portal.work.queues).
        Index("ix_cases_status_queue_order", "status", db.text("(due_date IS NULL)"), "due_date", "id"),
        Index("ix_cases_queue_order", db.text("(due_date IS NULL)"), "due_date", "id"),
        # The same order over a leader's own cases (待批示) and over those a department reviews (复查 / 复核).
        Index(
            "ix_cases_owner_queue_order", "owner_leader_id", "status", db.text("(due_date IS NULL)"), "due_date", "id"
        ),
        Index(
            "ix_cases_reviewing_queue_order",
            "reviewing_department_id",
            "status",
            db.text("(due_date IS NULL)"),
            "due_date",
            "id",
        ),
        # The supervisor's lists counted by department (portal.supervision.queries.lists_by_department) read
        # only these indexes: one per list whose filter is a stored fact of the case. Each ends in the id, which
        # the viewer's exclusion of cases that accuse them tests (SQLite's indexes hold the rowid anyway;
        # PostgreSQL's would read every row for it).
        Index("ix_cases_skipped_department", "skipped_level", "department_id", "id"),
        Index("ix_cases_unsatisfied_department", "unsatisfied", "department_id", "id"),
        _partial_index("ix_cases_repeat_department", "department_id", "id", where="repeat_of_id IS NOT NULL"),
        Index("ix_cases_status_due_clock", "status", "due_date", "clock_rule", "department_id", "id"),
        # A ledger filtered by 责任单位 (and 只看超期) in its default order: one range of this index. It carries the
        # status and the clock too, so that 超期 counted by department (the 督办 lists) reads only the index.
        Index("ix_cases_department_urgency_due", "department_id", "urgency", "due_date", "id", "status", "clock_rule"),
        # The sparse ledgers (督办, 越级, 不满意, 重信重访, 包案) in their default order, and their overdue part as one
        # range (urgency 0, due before today) instead of a row read for each of the ~2 % overdue cases.
        Index("ix_cases_supervised_urgency_due", "supervised", "urgency", "due_date", "id"),
        Index("ix_cases_skipped_urgency_due", "skipped_level", "urgency", "due_date", "id"),
        # With the columns of 超期 too: the 不满意 ledger's overdue count read ~17,000 rows of the overdue range on
        # PostgreSQL for them (70 ms of the ledgers index).
        Index("ix_cases_unsatisfied_urgency_due", "unsatisfied", "urgency", "due_date", "id", "status", "clock_rule"),
        _partial_index("ix_cases_repeat_urgency_due", "urgency", "due_date", "id", where="repeat_of_id IS NOT NULL"),
        _partial_index("ix_cases_owned_urgency_due", "urgency", "due_date", "id", where="owner_leader_id IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock: a stale write fails instead of overwriting
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    content: Mapped[str] = mapped_column(Text)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), index=True)
    case_type: Mapped[CaseType] = mapped_column(enum_column(CaseType), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    procedure: Mapped[Procedure] = mapped_column(enum_column(Procedure), default=Procedure.NORMAL)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.REGISTERED, index=True)
    confidential: Mapped[bool] = mapped_column(default=False)
    people_count: Mapped[int] = mapped_column(default=1)
    place: Mapped[str] = mapped_column(String(200), default="")  # 问题发生地: the free-text detail
    # 问题属地: the township or village where the matter arose, from the department tree (counted by place).
    place_area_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # What each channel brings: a letter's postmark, a visit's group and representatives, a call's number.
    postmarked_on: Mapped[dt.date | None]
    caller_number: Mapped[str] = mapped_column(String(20), default="")
    group_visit: Mapped[bool] = mapped_column(default=False)  # 集体访
    representatives: Mapped[list] = mapped_column(JSON, default=list)  # names of a group's representatives
    new_facts: Mapped[bool] = mapped_column(default=False)  # a repeat of a final case that brings new facts
    # 越级: brought here although the matter belongs to a lower level first; recorded and counted, not refused.
    skipped_level: Mapped[bool] = mapped_column(default=False, server_default=false())
    proper_level: Mapped[str] = mapped_column(String(100), default="", server_default="")  # where it belonged
    procedure_reason: Mapped[str] = mapped_column(String(200), default="")  # why 简易办理 qualifies
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())  # 匿名: nobody to contact or match
    # A public submission whose ID number or phone is that of a known petitioner: the clerk says whether it is the
    # same person (同一人) or not; until then the case has a petitioner of its own and changes nobody else's record.
    identity_unconfirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The contact details given with this case (a submission's own claim, or what the clerk took down), kept as
    # given whatever becomes of the petitioner's record: the petitioner's current details are the clerk's to edit.
    contact_phone: Mapped[str | None] = mapped_column(EncryptedString(20))
    contact_id_number: Mapped[str | None] = mapped_column(EncryptedString(18))
    contact_address: Mapped[str | None] = mapped_column(EncryptedString(ADDRESS_MAX))

    petitioner_id: Mapped[int] = mapped_column(ForeignKey("petitioners.id"), index=True)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 代理人: the petition agent who carried the matter up on the petitioner's behalf (portal.agents, 代言代访).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    owner_leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The organ deciding the running review (复查) or re-review (复核): the level above the one that answered.
    reviewing_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)

    received_on: Mapped[dt.date] = mapped_column(index=True)  # 收到之日: the acceptance clock starts here
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_on: Mapped[dt.date | None]  # accepted / not accepted / forwarded
    assigned_on: Mapped[dt.date | None]
    replied_on: Mapped[dt.date | None]  # the first reply published
    delivered_on: Mapped[dt.date | None]  # the latest reply or opinion delivered; review windows count from it
    closed_on: Mapped[dt.date | None]
    review_level: Mapped[int] = mapped_column(default=0)  # 0 reply, 1 review opinion, 2 re-review opinion

    # The running clock: which rule, counted from which day, due when. Ledgers filter and sort on due_date.
    clock_rule: Mapped[str | None] = mapped_column(String(30))
    clock_start: Mapped[dt.date | None]
    clock_length: Mapped[int | None]  # when the rule's length was changed (an extension of N days)
    clock_paused_days: Mapped[int] = mapped_column(default=0)  # hearing days, not counted (条例 art.36)
    due_date: Mapped[dt.date | None] = mapped_column(index=True)
    # Kept for the statistics of DESIGN §7 after the clock has moved on.
    accept_due: Mapped[dt.date | None]
    handle_due: Mapped[dt.date | None]
    extended: Mapped[bool] = mapped_column(default=False)
    # The evaluation window's last day as told at delivery: a calendar recompute only ever moves it later.
    evaluation_due: Mapped[dt.date | None]

    not_accepted_route: Mapped[NotAcceptedRoute | None] = mapped_column(enum_column(NotAcceptedRoute))
    decision_note: Mapped[str] = mapped_column(Text, default="")  # reason for not accepting / forwarding
    forwarded_to: Mapped[str] = mapped_column(String(100), default="")
    # 条例 art.19: the organ below that accepted the same matter and still handles it, as the petitioner told the
    # clerk (a matter outside this system; one inside it is merged instead): who, since when, until when.
    pending_organ: Mapped[str] = mapped_column(String(100), default="", server_default="")
    pending_since: Mapped[dt.date | None]
    pending_due: Mapped[dt.date | None]
    supervised: Mapped[bool] = mapped_column(default=False)  # indexed by ix_cases_supervised_urgency_due
    # 第N轮办理: a supervisor's order to handle a 不满意 case again opens the next round (HandlingRound).
    handling_round: Mapped[int] = mapped_column(default=1, server_default="1")
    # 0 while ``due_date`` is a running staff deadline of an open case, else 1 (kept by ``_keep_urgency``): the
    # first key of the "most urgent first" order, stored so that one index (urgency, due_date, id) serves it.
    urgency: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    # True while the case's evaluation rates either count 不满意 (``Evaluation.unsatisfied``; kept by
    # ``_keep_unsatisfied``): the 不满意 list's filter as a column, so that an index counts it by department.
    unsatisfied: Mapped[bool] = mapped_column(default=False, server_default=false())

    petitioner: Mapped[Petitioner] = relationship(lazy="joined", backref="cases")
    category: Mapped[Category | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined", foreign_keys=[department_id])
    reviewing_department: Mapped[Department | None] = relationship(foreign_keys=[reviewing_department_id])
    place_area: Mapped[Department | None] = relationship(foreign_keys=[place_area_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    owner_leader: Mapped[User | None] = relationship(foreign_keys=[owner_leader_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id])
    repeat_of: Mapped[Case | None] = relationship(remote_side=[id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    replies: Mapped[list[Reply]] = relationship(
        back_populates="case", order_by="Reply.id", cascade="all, delete-orphan"
    )
    instructions: Mapped[list[Instruction]] = relationship(
        back_populates="case", order_by="Instruction.id", cascade="all, delete-orphan"
    )
    checklist: Mapped[list[ChecklistItem]] = relationship(
        back_populates="case", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )
    evaluation: Mapped[Evaluation | None] = relationship(back_populates="case", cascade="all, delete-orphan")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case", order_by="FollowUp.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    notes: Mapped[list[Note]] = relationship(back_populates="case", order_by="Note.id", cascade="all, delete-orphan")
    extensions: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="case", order_by="ExtensionRequest.id", cascade="all, delete-orphan"
    )
    hearings: Mapped[list[Hearing]] = relationship(
        back_populates="case", order_by="Hearing.id", cascade="all, delete-orphan"
    )
    accused: Mapped[list[Accused]] = relationship(order_by=Accused.id, cascade="all, delete-orphan", lazy="selectin")
    supervisions: Mapped[list[Supervision]] = relationship(
        back_populates="case", order_by=Supervision.id, cascade="all, delete-orphan"
    )
    rounds: Mapped[list[HandlingRound]] = relationship(order_by=HandlingRound.id, cascade="all, delete-orphan")
    # 协办单位 named at assignment, and what they sent the lead department (主办单位).
    assists: Mapped[list[Assist]] = relationship(
        back_populates="case", order_by="Assist.id", cascade="all, delete-orphan"
    )
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="case", order_by="Contribution.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it from the class)

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def masked_representatives(self) -> list[str]:
        """A confidential group's representatives are masked like the petitioner."""
        return [mask_name(name) for name in self.representatives or []]

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def current_reply(self) -> Reply | None:
        """The newest reply document of the current review level that is not superseded."""
        live = [r for r in self.replies if r.state is not ReplyState.SENT_BACK and r.state is not ReplyState.RETURNED]
        return live[-1] if live else None

    @property
    def last_draft(self) -> Reply | None:
        """The newest 处理意见书 version, whatever became of it: a redraft starts from its text."""
        drafts = [r for r in self.replies if r.kind is ReplyKind.REPLY]
        return drafts[-1] if drafts else None

    @property
    def published_replies(self) -> list[Reply]:
        return [r for r in self.replies if r.state is ReplyState.PUBLISHED]

    @property
    def clock_is_window(self) -> bool:
        """The running clock is the petitioner's window (to ask for review), not a duty of staff."""
        return self.clock_rule in WINDOW_RULES

    @property
    def handling_clock_runs(self) -> bool:
        return self.clock_rule in HANDLING_CLOCKS

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due_date is None else (self.due_date - today).days

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((e for e in self.extensions if e.state is ExtensionState.REQUESTED), None)

    @property
    def hearing_days(self) -> int:
        return sum(h.days for h in self.hearings)

    def simple_refusal(self) -> str | None:
        return simple_procedure_refusal(self.case_type, self.group_visit, self.people_count, self.is_repeat)

    @property
    def reviewable(self) -> bool:
        """复查 / 复核 (条例 art.35–36) follow a 信访处理意见书, the answer to a 申诉求决类 matter (art.31(6))."""
        return self.case_type is CaseType.CLAIM

    @property
    def waiting_for(self) -> str:
        """Who must act next, in words for the case page; a reply that opens no review waits only for the rating."""
        if self.status is Status.REPLIED and not self.reviewable:
            return "待信访人评价；信访部门回访后销号"
        return self.status.waiting_for

    @property
    def review_route(self) -> str | None:
        """What a matter that is not reviewable gets instead of 复查 / 复核, in words for the petitioner."""
        return REVIEW_ROUTES.get(self.case_type)

    @property
    def review_kind(self) -> str:
        """What the petitioner may ask for next: 复查 after the reply, 复核 after the review opinion."""
        return "复查" if self.review_level == 0 else "复核"

    # --- the same rules as SQL, for lists, queues and ledgers ----------------------------------------------
    @classmethod
    def staff_clock(cls):
        """The running clock is a duty of staff, not the petitioner's window to ask for review (never "overdue")."""
        return db.or_(cls.clock_rule.is_(None), cls.clock_rule.not_in(sorted(WINDOW_RULES)))

    @property
    def runs_staff_deadline(self) -> bool:
        """The rule of ``urgency`` 0: an open case whose running clock is a deadline of staff."""
        return self.due_date is not None and not self.clock_is_window and self.is_open

    @classmethod
    def most_urgent_first(cls) -> list:
        """Running staff deadlines first, the nearest on top; then the rest by due date. Served by an index."""
        return [cls.urgency, cls.due_date, cls.id]

    @classmethod
    def overdue(cls, today: dt.date):
        """超期: an open case whose staff deadline has passed."""
        return db.and_(cls.due_date < today, cls.staff_clock(), cls.status.in_(sorted(OPEN)))

    # The seal (条例 art.30): an accusation, and any case that names an accused person or unit, is read only by the
    # petition office, the organ it was sent to (and the organ reviewing it), and its owner leader; supervisors
    # know it exists and follow its clocks; an accused person, and everyone in an accused unit, never learn of it,
    # whatever else they are. Department-scoped roles see their department's cases, and the organ above while it
    # reviews one. ``visible_to`` / ``reads_sealed`` / ``accuses`` are the SQL of ``can_view`` / ``can_read``.
    # Both as an uncorrelated ``IN (SELECT case_id …)``, not ``EXISTS`` per case: the accused rows are few, the
    # database reads them once, and a list or count over a million cases no longer probes them for every case.
    @classmethod
    def sealed_clause(cls):
        return db.or_(cls.case_type == CaseType.ACCUSATION, cls.id.in_(db.select(Accused.case_id)))

    @classmethod
    def accuses_clause(cls, user: User):
        """The case accuses ``user`` or ``user``'s unit."""
        named = [Accused.user_id == user.id]
        if user.department_id is not None:
            named.append(Accused.unit_id == user.department_id)
        return cls.id.in_(db.select(Accused.case_id).where(db.or_(*named)))

    @classmethod
    def _handling_organ(cls, user: User):
        if user.department_id is None:
            return db.false()
        return db.or_(cls.department_id == user.department_id, cls.reviewing_department_id == user.department_id)

    @classmethod
    def assisted_by(cls, user: User):
        """The rule of ``assisting`` as SQL: ``user``'s department is one of the case's 协办单位."""
        if user.department_id is None:
            return db.false()
        # Uncorrelated like the seal's: a department assists few cases, read first (the 协办 queue walked every
        # assigned and in-progress case probing its 协办单位 at a million cases).
        return cls.id.in_(db.select(Assist.case_id).where(Assist.department_id == user.department_id))

    @classmethod
    def reads_sealed(cls, user: User):
        """Who reads a sealed case in full: the petition office, the organ handling or reviewing it (and the
        departments assisting it), its owner."""
        if user.has_role(Role.CLERK):
            return db.true()
        clauses = [cls._handling_organ(user), cls.assisted_by(user)]
        if user.has_role(Role.LEADER):
            clauses.append(cls.owner_leader_id == user.id)
        return db.or_(*clauses)

    @classmethod
    def visible_to(cls, user: User):
        """The rule of ``can_view`` as a WHERE clause."""
        if not user.is_authenticated or not user.works_cases:
            return db.false()
        if user.department_scoped:
            open_rule = db.or_(cls._handling_organ(user), cls.assisted_by(user))
        else:
            open_rule = db.true()
        reads_all_sealed = user.has_role(Role.SUPERVISOR, Role.CLERK)
        if not user.department_scoped and reads_all_sealed:
            # Both rules below are true: "not sealed, or sealed" says nothing, and written out it cost a look at
            # case_type and at the accused list for every case a list or count touched.
            return db.not_(cls.accuses_clause(user))
        sealed_rule = db.true() if user.has_role(Role.SUPERVISOR) else cls.reads_sealed(user)
        return db.and_(
            db.not_(cls.accuses_clause(user)),
            db.or_(db.and_(db.not_(cls.sealed_clause()), open_rule), db.and_(cls.sealed_clause(), sealed_rule)),
        )

    @classmethod
    def readable_by(cls, user: User):
        """The rule of ``can_read`` as a WHERE clause (e.g. whether a list may show the title)."""
        return db.and_(cls.visible_to(user), db.or_(db.not_(cls.sealed_clause()), cls.reads_sealed(user)))

    @classmethod
    def identity_visible_to(cls, user: User):
        """The rule of ``can_see_identity`` as a WHERE clause: what a search by name, phone or ID number may find."""
        if not user.is_authenticated or not user.works_cases:
            return db.false()
        if user.has_role(Role.CLERK):
            return cls.visible_to(user)
        return db.and_(
            cls.visible_to(user),
            db.or_(
                cls.confidential.is_(False),
                db.and_(cls.sealed_clause(), cls.reads_sealed(user), cls.anonymous.is_(False)),
            ),
        )

    @classmethod
    def reviewed_by(cls, user: User):
        """The rule of ``can_decide_review`` as a WHERE clause (for cases under review), 回避 included."""
        clauses = []
        if user.has_role(Role.CLERK):
            clauses.append(db.and_(cls.reviewing_department_id.is_(None), cls.case_type != CaseType.ACCUSATION))
        if user.has_role(Role.LEADER, Role.DEPT_HEAD) and user.department_id is not None:
            clauses.append(cls.reviewing_department_id == user.department_id)
        if not clauses:
            return db.false()
        recused = db.or_(
            cls.owner_leader_id == user.id,
            cls.handler_id == user.id,
            cls.replies.any(
                db.and_(
                    db.or_(Reply.drafted_by_id == user.id, Reply.signed_by_id == user.id),
                    db.or_(Reply.kind == ReplyKind.REPLY, cls.reviewing_department_id.is_not(None)),
                )
            ),
        )
        return db.and_(db.or_(*clauses), db.not_(recused))

    @classmethod
    def has_pending_extension(cls):
        return cls.id.in_(db.select(ExtensionRequest.case_id).where(ExtensionRequest.state == ExtensionState.REQUESTED))

    # The queues of the 督办 chain and of pending extensions, as an uncorrelated ``IN (SELECT case_id …)`` like the
    # seal's: the open supervisions and requests are few, so the database reads them first and looks their cases up,
    # instead of probing them for every case of a queue in due order (a scan of every case when there are none).
    @classmethod
    def supervision_awaiting_from(cls, user: User):
        """A supervision waits for an answer from ``user``'s department (the queue of ``answer_supervision``)."""
        if user.department_id is None:
            return db.false()
        return cls.id.in_(
            db.select(Supervision.case_id).where(
                Supervision.state == SupervisionState.AWAITING, Supervision.department_id == user.department_id
            )
        )

    @classmethod
    def supervision_answered(cls):
        return cls.id.in_(db.select(Supervision.case_id).where(Supervision.state == SupervisionState.ANSWERED))

    @classmethod
    def supervision_late(cls, today: dt.date):
        """A supervision's reply deadline has passed without an answer: the supervisor may escalate."""
        return cls.id.in_(db.select(Supervision.case_id).where(Supervision.late_clause(today)))

    @classmethod
    def accountability_for(cls, user: User):
        """An accountability proposal addressed to ``user`` waits for the decision."""
        return cls.id.in_(
            db.select(Supervision.case_id)
            .join(AccountabilityProposal, AccountabilityProposal.supervision_id == Supervision.id)
            .where(Supervision.state == SupervisionState.PROPOSED, AccountabilityProposal.leader_id == user.id)
        )

    @classmethod
    def unsatisfied_clause(cls):
        """Rated 不满意 on either count (the 不满意 list), explained or not: the stored ``unsatisfied``."""
        return cls.unsatisfied.is_(True)

    @classmethod
    def unsatisfied_pending(cls):
        """Rated 不满意 and not yet explained by a supervisor: the SQL form of ``Evaluation.blocks_mark_off``."""
        return cls.evaluation.has(
            db.and_(
                Evaluation.override_at.is_(None),
                db.or_(Evaluation.acceptance == Rating.UNSATISFIED, Evaluation.handling == Rating.UNSATISFIED),
            )
        )

    # --- who may see and do what -------------------------------------------------------------------------
    @property
    def sealed(self) -> bool:
        """Under the seal of 条例 art.30: an accusation, or a case that names an accused person or unit."""
        return self.case_type is CaseType.ACCUSATION or bool(self.accused)

    def accuses(self, user: User) -> bool:
        """``user`` is accused by this case, or works in an accused unit."""
        return any(
            a.user_id == user.id or (a.unit_id is not None and a.unit_id == user.department_id) for a in self.accused
        )

    def accuses_unit(self, department_id: int | None) -> bool:
        return department_id is not None and any(a.unit_id == department_id for a in self.accused)

    def accuses_person(self, user_id: int | None) -> bool:
        return user_id is not None and any(a.user_id == user_id for a in self.accused)

    def _in_handling_organ(self, user: User) -> bool:
        return user.department_id is not None and user.department_id in (
            self.department_id,
            self.reviewing_department_id,
        )

    def assisting(self, user: User) -> bool:
        """``user``'s department is one of the case's 协办单位: it reads the case like the lead department's handlers
        and heads, and adds its opinion; the lead department alone drafts and signs."""
        return user.department_id is not None and any(a.department_id == user.department_id for a in self.assists)

    def _only_assists(self, user: User) -> bool:
        """``user`` sees the case only as an assisting department: what the lead records is not theirs to record."""
        return not user.has_role(Role.CLERK) and not self._in_handling_organ(user) and self.assisting(user)

    def _reads_sealed(self, user: User) -> bool:
        return (
            user.has_role(Role.CLERK)
            or self._in_handling_organ(user)
            or (user.has_role(Role.LEADER) and user.id == self.owner_leader_id)
            or self.assisting(user)
        )

    def can_view(self, user: User) -> bool:
        """May know the case exists and follow it (list rows, clocks); what it says is ``can_read``."""
        if not user.is_authenticated or not user.works_cases or self.accuses(user):
            return False
        if self.sealed:
            return user.has_role(Role.SUPERVISOR) or self._reads_sealed(user)
        if user.department_scoped:
            # The department handling it (and those assisting it), and the organ above it while that organ reviews it.
            return self._in_handling_organ(user) or self.assisting(user)
        return True

    def can_read(self, user: User) -> bool:
        """May read the case: its title, text, notes, replies, instructions and timeline. A supervisor sees only
        that a sealed case exists and how its clocks run."""
        return self.can_view(user) and (not self.sealed or self._reads_sealed(user))

    def title_for(self, user: User) -> str:
        return self.title if self.can_read(user) else SEALED_TITLE

    def assignment_refusal(self, department: Department) -> str | None:
        """Why this case may not be assigned (交办) to ``department``; None when it may."""
        if department is None or not department.active:
            return "请选择有效的责任单位。"
        if not department.takes_assignments:
            return f"{department.name}不是可交办的责任单位。"
        if self.accuses_unit(department.id):
            # 条例 art.30: never to the unit complained against.
            return f"{department.name}是被检举控告的单位，不能交其办理。"
        if self.case_type is CaseType.ACCUSATION:
            # 条例 art.30: an official goes to the 纪检监察 organ of their 干部管理权限 (the CADRE_ORGANS setting);
            # anything else to the authority competent to handle it, whom the petition office chooses.
            for accused in self.accused:
                organ = organ_for(accused.cadre_level)
                if organ is not None and organ.id != department.id:
                    return f"被检举控告人为{accused.cadre_level.label}，应交{organ.name}办理。"
                if accused.cadre_level not in (None, CadreLevel.NONE) and department.kind is not Kind.DISCIPLINE:
                    return "检举控告公职人员的，应交有管辖权的纪检监察机关办理。"
        return None

    def assist_refusal(self, department: Department | None, lead_id: int | None) -> str | None:
        """Why ``department`` may not assist (协办) a case led by department ``lead_id``; None when it may. An
        assisting department reads the case: never an accused unit (条例 art.30)."""
        if department is None or not department.active:
            return "请选择有效的协办单位。"
        if department.id == lead_id:
            return f"{department.name}已是主办单位，不能同时作为协办单位。"
        if not department.takes_assignments:
            return f"{department.name}不是可交办的单位，不能作为协办单位。"
        if self.accuses_unit(department.id):
            return f"{department.name}是被检举控告的单位，不能参与办理。"
        return None

    def owner_refusal(self, leader: User | None) -> str | None:
        """Why ``leader`` may not own (包案) this case: an accused person, or someone of an accused unit."""
        if leader is None:
            return None
        if self.accuses(leader):
            return "被检举控告人或其所在单位的领导不能担任包案领导。"
        return None

    def can_see_materials(self, user: User) -> bool:
        """Attachments may name or show the petitioner: the same rule as identity (条例 art.30)."""
        return self.can_see_identity(user)

    def can_see_identity(self, user: User) -> bool:
        """The petitioner's name and masked contact: the petition office always; the organ investigating a sealed
        case (which may contact a named accuser) and its owner leader; others only when the case is not
        confidential."""
        if not self.can_read(user):
            return False
        if user.has_role(Role.CLERK):
            return True
        if self.sealed and self._reads_sealed(user):
            return True
        return not self.confidential

    def can_reveal_identity(self, user: User) -> bool:
        """The full phone, ID number and address on an explicit 显示 (audited): the petition office, the department
        handling a case it may see the identity of, the investigating organ, and the owner leader; never a
        supervisor or another leader."""
        if self.anonymous or not self.can_see_identity(user):
            return False
        return (
            user.has_role(Role.CLERK)
            or (self.department_id is not None and user.department_id == self.department_id)
            or self._in_handling_organ(user)
            or (user.has_role(Role.LEADER) and user.id == self.owner_leader_id)
        )

    def refusal(self, name: str, user: User | None) -> Refusal | None:
        """Why ``user`` (None: the petitioner through the lookup page) may not take action ``name`` on this case
        now; None when they may. The one rule behind every button, fragment and service (lifecycle.ACTIONS)."""
        action = ACTIONS[name]
        check = getattr(self, action.check) if action.check else None
        if check and action.check_first and (refused := check(user)):
            return refused
        if action.is_transition and not self._in_source_state(action):
            return Refusal(f"该信访件当前状态为“{self.status.label}”，不能{action.label}。")
        if user is None:
            if PUBLIC not in action.roles:
                return Refusal(f"您没有对该信访件“{action.label}”的权限。", forbidden=True)
        elif action.is_transition and not self._role_permits(action, user):
            return Refusal(f"您没有对该信访件“{action.label}”的权限。", forbidden=True)
        elif not self.can_view(user):
            return Refusal("您无权查看该信访件。", forbidden=True)
        if check and not action.check_first and (refused := check(user)):
            return Refusal(refused.message, refused.forbidden, by_check=not refused.forbidden)
        return None

    def can(self, name: str, user: User | None) -> bool:
        return self.refusal(name, user) is None

    def available_actions(self, user: User) -> list[Action]:
        """What the actions card offers ``user`` now: the step that moves the case on first, then side steps."""
        allowed = [a for a in ACTIONS.values() if a.on_actions_card and self.can(a.name, user)]
        return [a for a in allowed if a.primary] + [a for a in allowed if not a.primary]

    def _in_source_state(self, action: Action) -> bool:
        return self.status in action.sources and (
            action.review_level is None or self.review_level == action.review_level
        )

    def _role_permits(self, action: Action, user: User) -> bool:
        if action.check == "_refuse_decide_review":
            return self.can_view(user)  # the organ above decides, wherever its people sit: the check says who
        if not self.can_view(user):
            return False
        # A department-scoped role counts only in the department the case is assigned to.
        return any(
            role in user.roles and (role not in DEPARTMENT_SCOPED or user.department_id == self.department_id)
            for role in action.roles
            if role != PUBLIC
        )

    def _in_department(self, user: User, *roles: Role) -> bool:
        return user.has_role(*roles) and user.department_id == self.department_id

    # The checks of lifecycle.ACTIONS: each returns why not, or None.
    @property
    def merges_into(self) -> Case | None:
        """The open case this petition repeats while it is still being handled, when no new facts are brought:
        such a petition is merged into it (并案), not accepted a second time."""
        earlier = self.repeat_of
        if earlier is None or self.new_facts or earlier.status not in BEING_HANDLED:
            return None
        return earlier

    @property
    def standing(self) -> Standing:
        """Where this case stands, for a petitioner who brings the same matter again: who holds it, since when, until
        when. ``below``: an organ it was assigned to handles it (条例 art.19: the office, its superior, does not
        take it up a second time)."""
        if self.status in UNDER_ANY_REVIEW:
            organ = self.reviewing_department.name if self.reviewing_department else "本机关信访部门"
            return Standing(organ, self.clock_start or self.received_on, self.due_date, below=False)
        if self.department is not None and self.assigned_on is not None:
            return Standing(self.department.name, self.assigned_on, self.due_date, below=True)
        return Standing("本机关信访部门", self.decided_on or self.received_on, self.due_date, below=False)

    def _refuse_accept(self, user: User) -> Refusal | None:
        if (earlier := self.merges_into) is not None:
            standing = earlier.standing
            return Refusal(
                f"同一事项的信访件 {earlier.tracking_code} 正在办理中（{earlier.status.label}，{standing.told}），"
                f"{standing.article}应并案办理，不再重复受理；"
                "信访人提出新的事实和理由的，请在登记时注明后作为新的信访事项受理。"
            )
        return None

    def pending_below_refusal(self, since: dt.date | None, due: dt.date | None) -> str | None:
        """Why this petition may not be refused under 条例 art.19 as a matter an organ below accepted on ``since``
        and must answer by ``due``; None when it may. Only within that organ's period: brought here after it, the
        matter is this office's to take up."""
        if self.merges_into is not None:
            return f"同一事项的信访件 {self.merges_into.tracking_code} 正在本系统办理中，应并案办理。"
        if since is None:
            return "请填写下级机关受理该事项的日期。"
        if since > self.received_on:
            return "下级机关受理日期不能晚于本机关收到该信访事项的日期。"
        if due is not None and due < since:
            return "下级机关的办理期限不能早于其受理日期。"
        if due is not None and self.received_on > due:
            return (
                f"下级机关的办理期限已于{due:%Y年%m月%d日}届满，信访人在期限届满后提出的，不适用《信访工作条例》"
                "第十九条，请依法受理或转送，并督促该机关办理。"
            )
        return None

    def merge_refusal(self) -> str | None:
        """Why this petition may not be merged (并案) into the case it repeats; None when it may."""
        if self.repeat_of is None:
            return "该信访件未关联原信访件，没有可并入的信访件。"
        if self.merges_into is None:
            if self.new_facts:
                return "信访人提出了新的事实和理由，应作为新的信访事项受理，不并案。"
            return f"原信访件 {self.repeat_of.tracking_code} 已不在办理中（{self.repeat_of.status.label}），不能并案。"
        return None

    def _refuse_merge(self, user: User) -> Refusal | None:
        message = self.merge_refusal()
        return Refusal(message) if message else None

    def _refuse_start(self, user: User) -> Refusal | None:
        if (
            self.handler_id is not None
            and user.has_role(Role.HANDLER)
            and not user.has_role(Role.DEPT_HEAD)
            and self.handler_id != user.id
        ):
            return Refusal(f"该信访件已指定由{self.handler.name}承办。", forbidden=True)
        return None

    @property
    def objection_due(self) -> dt.date | None:
        """The last day the department a case was assigned to may object that it is not theirs (条例 art.23: within
        5 working days of receiving the assignment)."""
        if self.assigned_on is None:
            return None
        return deadline("objection", self.assigned_on).due

    def _refuse_object_assignment(self, user: User) -> Refusal | None:
        if not self._in_department(user, Role.DEPT_HEAD):
            return Refusal("只有受交办的责任单位负责人可以提出交办异议。", forbidden=True)
        due = self.objection_due
        if due is None:
            return Refusal("该信访件没有交办记录，不能提出交办异议。")
        if local_today() > due:
            return Refusal(
                f"交办异议应自收到交办之日起5个工作日内提出（至{due:%Y年%m月%d日}），已逾期，"
                "请依法办理（《信访工作条例》第二十三条）。"
            )
        return None

    def _refuse_assign_handler(self, user: User) -> Refusal | None:
        if not self._in_department(user, Role.DEPT_HEAD):
            return Refusal("只有责任单位负责人可以指定承办人。", forbidden=True)
        if self.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
            return Refusal(f"该信访件当前状态为“{self.status.label}”，不能指定承办人。")
        return None

    def _refuse_request_extension(self, user: User) -> Refusal | None:
        if not self._in_department(user, Role.HANDLER, Role.DEPT_HEAD):
            return Refusal("只有责任单位的承办人员可以申请延期。", forbidden=True)
        if self.extended or any(e.state is ExtensionState.APPROVED for e in self.extensions):
            return Refusal("该信访件已延期一次，不能再次延期（《信访工作条例》第三十四条）。")
        if self.procedure is Procedure.SIMPLE:
            return Refusal("简易办理的信访件不能延期；情况复杂、需要更多时间的，请先转为普通程序办理。")
        if self.status not in EXTENDABLE or not self.handling_clock_runs:
            return Refusal(f"该信访件当前状态为“{self.status.label}”，不能申请延期。")
        if self.pending_extension is not None:
            return Refusal("已有待审批的延期申请。")
        return self._handling_period_passed()

    def _handling_period_passed(self, today: dt.date | None = None) -> Refusal | None:
        """条例 art.34 extends a handling period that is still running: once its last day has passed, the case is
        overdue and stays so; an extension would erase the overdue record."""
        if self.due_date is not None and (today or local_today()) > self.due_date:
            return Refusal(
                f"办理期限已于{self.due_date:%Y年%m月%d日}届满，不能再延期；延期须在办理期限届满前申请并批准"
                "（《信访工作条例》第三十四条）。"
            )
        return None

    def _refuse_decide_extension(self, user: User) -> Refusal | None:
        if self.pending_extension is None:
            return Refusal("没有待审批的延期申请。")
        if not self.can_decide_extension(user):
            return Refusal("只有承办单位负责人可以审批延期（《信访工作条例》第三十四条）。", forbidden=True)
        return None

    def _refuse_approve_extension(self, user: User) -> Refusal | None:
        """A pending request can be granted only while the handling clock still runs."""
        if refused := self._refuse_decide_extension(user):
            return refused
        if not self.handling_clock_runs:
            return Refusal("该信访件已不在办理期限内，不能延期。")
        return self._handling_period_passed()

    def _refuse_to_ordinary(self, user: User) -> Refusal | None:
        if not (user.has_role(Role.CLERK) or self._in_department(user, Role.HANDLER, Role.DEPT_HEAD)):
            return Refusal("只有信访部门或承办单位可以将信访件转为普通程序。", forbidden=True)
        if self.procedure is not Procedure.SIMPLE:
            return Refusal("该信访件不是简易办理，无需转为普通程序。")
        if self.status not in ORDINARY_SWITCHABLE or self.clock_rule != "simple_handle":
            return Refusal(f"该信访件当前状态为“{self.status.label}”，不能转为普通程序。")
        return None

    def _refuse_review_request(self, user: User | None) -> Refusal | None:
        # Staff register a request that came by letter or visit with the day it was received (the postmark), which
        # may lie inside the window after it has passed: the service checks the window against that day.
        message = self.review_request_refusal(window=user is None)
        return Refusal(message) if message else None

    def review_request_refusal(self, today: dt.date | None = None, *, window: bool = True) -> str | None:
        """Why a review (or re-review) received on ``today`` may not be requested, in words for the petitioner; None
        when it may. ``window=False``: everything but the window's last day."""
        kind = self.review_kind
        if not self.reviewable:
            return self.review_route
        if self.review_level >= 2 or self.status is Status.FINAL:
            return "复核意见为终结意见（《信访工作条例》第三十六条），不能再申请复查或复核。"
        if self.status in UNDER_ANY_REVIEW:
            running = "复查" if self.status is Status.UNDER_REVIEW else "复核"
            return f"您已申请{running}，正在办理中，不能重复申请。"
        request = transition_for_review(self.review_level, deciding=False)
        if self.status not in request.sources or self.delivered_on is None:
            return f"处理意见送达后才能申请{kind}。"
        if window and self.clock_is_window and self.due_date and (today or local_today()) > self.due_date:
            return f"申请{kind}的期限已于{self.due_date:%Y年%m月%d日}届满，不能再申请。"
        return None

    def _refuse_decide_review(self, user: User) -> Refusal | None:
        if self.can_view(user) and self.must_recuse(user):
            return Refusal(
                "您包案或参与办理过该信访件，依照《信访工作条例》第二十八条应当回避，不能出具复查（复核）意见。",
                forbidden=True,
            )
        if not self.can_decide_review(user):
            return Refusal("只有复查（复核）机关可以出具意见。", forbidden=True)
        return None

    def _refuse_hearing(self, user: User) -> Refusal | None:
        if self.status is not Status.UNDER_REREVIEW:
            return Refusal("只有复核中的信访件可以记录听证。")
        if not self.can_decide_review(user):
            return Refusal("只有复核机关可以记录听证。", forbidden=True)
        return None

    def _refuse_mark_off(self, user: User) -> Refusal | None:
        blockers = self.mark_off_blockers()
        return Refusal("暂不能销号：" + "；".join(blockers) + "。") if blockers else None

    def _refuse_contribute(self, user: User) -> Refusal | None:
        if not self._only_assists(user):
            return Refusal("只有协办单位可以提交协办意见。", forbidden=True)
        if self.status not in ASSISTABLE:
            return Refusal(f"该信访件当前状态为“{self.status.label}”，主办单位已起草处理意见书，不能再提交协办意见。")
        return None

    def _refuse_note(self, user: User) -> Refusal | None:
        if self._only_assists(user):
            return Refusal("协办单位请提交协办意见；调查记录由主办单位记录。", forbidden=True)
        if not user.has_role(Role.HANDLER, Role.DEPT_HEAD, Role.CLERK):
            return Refusal("您不能为该信访件添加调查记录。", forbidden=True)
        if not self.is_open:
            return Refusal("该信访件已办结，不能再添加调查记录。")
        return None

    def _refuse_instruct(self, user: User) -> Refusal | None:
        if not user.has_role(Role.LEADER):
            return Refusal("只有领导可以作出批示。", forbidden=True)
        return None

    def _refuse_follow_up(self, user: User) -> Refusal | None:
        if not user.has_role(Role.CLERK):
            return Refusal("只有信访部门可以记录回访。", forbidden=True)
        if self.delivered_on is None:
            return Refusal("答复送达后才能回访。")
        if self.status is Status.CLOSED:
            return Refusal("该信访件已销号，不能再记录回访。")
        return None

    def _refuse_tick(self, user: User) -> Refusal | None:
        if self._only_assists(user):
            return Refusal("清单事项由主办单位勾销，协办单位不能勾销。", forbidden=True)
        if not (user.has_role(Role.CLERK, Role.HANDLER, Role.DEPT_HEAD) or self.owner_leader_id == user.id):
            return Refusal("您不能勾销该信访件的清单事项。", forbidden=True)
        if self.status not in CHECKLIST_EDITABLE:
            return Refusal("该信访件已办结，清单不能再修改。")
        return None

    def _refuse_supervise(self, user: User) -> Refusal | None:
        if not user.has_role(Role.SUPERVISOR):
            return Refusal("只有督查人员可以督办。", forbidden=True)
        if not self.is_open:
            return Refusal("该信访件已办结，无需督办。")
        if self.department_id is None:
            return Refusal("该信访件尚未交办责任单位，督办单无从下发；请先督促信访部门受理、交办。")
        if (running := self.open_supervision) is not None:
            return Refusal(f"该信访件已有在办的督办单{running.number}（{running.state.label}），请在该督办单上催办。")
        return None

    # --- 督办 (portal.cases.supervision) --------------------------------------------------------------------
    @property
    def open_supervision(self) -> Supervision | None:
        """The supervision still running on this case (at most one: a new one waits until it ends)."""
        return next((s for s in reversed(self.supervisions) if s.is_open), None)

    def _supervision_refusal(self, name: str, user: User) -> Refusal | None:
        running = self.open_supervision
        if running is None:
            if name == "answer_supervision" and not user.has_role(Role.DEPT_HEAD):
                return Refusal("只有责任单位负责人可以答复督办。", forbidden=True)
            if name == "decide_accountability" and not user.has_role(Role.LEADER):
                return Refusal("只有收到问责建议的领导可以作出决定。", forbidden=True)
            if name not in ("answer_supervision", "decide_accountability") and not user.has_role(Role.SUPERVISOR):
                return Refusal("只有督查人员可以办理督办。", forbidden=True)
            return Refusal("该信访件没有在办的督办单。")
        refused = running.refusal(name, user, local_today())
        if isinstance(refused, tuple):
            return Refusal(refused[0], forbidden=refused[1])
        return Refusal(refused) if refused else None

    def _refuse_answer_supervision(self, user: User) -> Refusal | None:
        return self._supervision_refusal("answer_supervision", user)

    def _refuse_accept_supervision(self, user: User) -> Refusal | None:
        return self._supervision_refusal("accept_supervision", user)

    def _refuse_urge_supervision(self, user: User) -> Refusal | None:
        return self._supervision_refusal("urge_supervision", user)

    def _refuse_interview(self, user: User) -> Refusal | None:
        return self._supervision_refusal("interview", user)

    def _refuse_propose_accountability(self, user: User) -> Refusal | None:
        return self._supervision_refusal("propose_accountability", user)

    def _refuse_decide_accountability(self, user: User) -> Refusal | None:
        return self._supervision_refusal("decide_accountability", user)

    def _refuse_order_rehandling(self, user: User) -> Refusal | None:
        if not user.has_role(Role.SUPERVISOR):
            return Refusal("只有督查人员可以责令重新办理不满意件。", forbidden=True)
        if self.evaluation is None or not self.evaluation.unsatisfied:
            return Refusal("只有信访人评价不满意的信访件可以责令重新办理。")
        if self.review_level != 0:
            return Refusal("该信访件已经复查（复核），不再由责任单位重新办理。")
        if self.department_id is None:
            return Refusal("该信访件没有责任单位，无法重新办理。")
        return None

    def can_supervise(self, user: User) -> bool:
        return self.can("supervise", user)

    def can_answer_supervision(self, user: User) -> bool:
        return self.can("answer_supervision", user)

    def can_accept_supervision(self, user: User) -> bool:
        return self.can("accept_supervision", user)

    def can_urge_supervision(self, user: User) -> bool:
        return self.can("urge_supervision", user)

    def can_interview(self, user: User) -> bool:
        return self.can("interview", user)

    def can_propose_accountability(self, user: User) -> bool:
        return self.can("propose_accountability", user)

    def can_decide_accountability(self, user: User) -> bool:
        return self.can("decide_accountability", user)

    def can_order_rehandling(self, user: User) -> bool:
        return self.can("order_rehandling", user)

    def _refuse_clear_unsatisfied(self, user: User) -> Refusal | None:
        if not user.has_role(Role.SUPERVISOR):
            return Refusal("只有督查人员可以说明不满意件的销号理由。", forbidden=True)
        if self.evaluation is None or not self.evaluation.blocks_mark_off:
            return Refusal("该信访件没有待说明的不满意评价。")
        return None

    def _refuse_record_accused(self, user: User) -> Refusal | None:
        if not user.has_role(Role.CLERK):
            return Refusal("只有信访部门可以记录被检举控告对象。", forbidden=True)
        if not self.is_open:
            return Refusal("该信访件已办结，不能再记录被检举控告对象。")
        return None

    def _refuse_confirm_petitioner(self, user: User) -> Refusal | None:
        if not user.has_role(Role.CLERK):
            return Refusal("只有信访部门可以核对信访人身份。", forbidden=True)
        if not self.identity_unconfirmed:
            return Refusal("该信访件的信访人身份无需核对。")
        return None

    def _refuse_edit_petitioner(self, user: User) -> Refusal | None:
        if not user.has_role(Role.CLERK):
            return Refusal("只有信访部门可以修改信访人信息。", forbidden=True)
        if self.anonymous:
            return Refusal("匿名检举控告没有信访人信息可修改。")
        return None

    def can_manage_notices(self, user: User) -> bool:
        """短信与查询码 (the SMS sent, 退订, 重发, a new query code): the petition office, on a case it may read, when
        the petitioner asks."""
        return user.is_authenticated and user.has_role(Role.CLERK) and self.can_read(user)

    @property
    def notice_phone(self) -> str | None:
        """The number the petitioner is told at: the one given for this petition, else the petitioner's."""
        if self.anonymous:
            return None
        return self.contact_phone or (self.petitioner.phone if self.petitioner else None)

    # The named predicates other areas and tests use; each is a row of lifecycle.ACTIONS.
    def can_assign_handler(self, user: User) -> bool:
        return self.can("assign_handler", user)

    def can_request_extension(self, user: User) -> bool:
        return self.can("request_extension", user)

    def can_approve_extension(self, user: User) -> bool:
        return self.can("approve_extension", user)

    def can_add_note(self, user: User) -> bool:
        return self.can("note", user)

    def can_record_hearing(self, user: User) -> bool:
        return self.can("hearing", user)

    def can_instruct(self, user: User) -> bool:
        return self.can("instruct", user)

    def can_follow_up(self, user: User) -> bool:
        return self.can("follow_up", user)

    def can_tick(self, user: User) -> bool:
        return self.can("tick", user)

    def can_contribute(self, user: User) -> bool:
        return self.can("contribute", user)

    @property
    def waiting_assists(self) -> list[Assist]:
        """The assisting departments that have sent no opinion yet."""
        sent = {c.department_id for c in self.contributions}
        return [a for a in self.assists if a.department_id not in sent]

    def can_decide_review(self, user: User) -> bool:
        """The review organ (the level above) decides 复查 / 复核; without one, the petition office records it.
        Nobody who owned or handled the case decides its review (回避, 条例 art.28): ``must_recuse``."""
        if not self.can_view(user) or self.must_recuse(user):
            return False
        if self.reviewing_department_id is None:
            # An accusation is never reviewed by the petition office: it follows the discipline rules (art.30).
            return user.has_role(Role.CLERK) and self.case_type is not CaseType.ACCUSATION
        return user.department_id == self.reviewing_department_id and user.has_role(Role.LEADER, Role.DEPT_HEAD)

    def must_recuse(self, user: User) -> bool:
        """回避 (条例 art.28): the owner leader (包案领导), the handler, whoever drafted or signed the 处理意见书,
        and the review organ's signer of a review opinion may not decide the case's review or re-review. (Where the
        tree has no level above, the petition office records both opinions: its clerk is not their author.)"""
        if user.id in (self.owner_leader_id, self.handler_id):
            return True
        return any(
            user.id in (r.drafted_by_id, r.signed_by_id)
            and (r.kind is ReplyKind.REPLY or self.reviewing_department_id is not None)
            for r in self.replies
        )

    def can_decide_extension(self, user: User) -> bool:
        """The head of the handling organ (责任单位负责人, 条例 art.34) — not the owner leader."""
        return self.can_view(user) and self._in_department(user, Role.DEPT_HEAD)

    # --- mark-off (DESIGN §5) ----------------------------------------------------------------------------
    def mark_off_blockers(self) -> list[str]:
        """Why the case cannot be marked off yet; empty when it can."""
        blockers = []
        if self.delivered_on is None:
            blockers.append("答复尚未送达")
        open_items = [i.label for i in self.checklist if i.required and not i.done]
        if open_items:
            blockers.append("清单事项未勾销：" + "、".join(open_items))
        if self.status in UNDER_ANY_REVIEW:
            blockers.append("复查（复核）正在进行")
        if self.evaluation is None and not self.follow_ups:
            blockers.append("尚无满意度评价，也未回访")
        if self.evaluation is not None and self.evaluation.blocks_mark_off:
            blockers.append("信访人评价不满意，须由督查人员说明可以销号的理由")
        return blockers

    @property
    def rateable(self) -> bool:
        return self.delivered_on is not None and self.status in RATEABLE


class CaseEvent(db.Model):
    """One entry on a case's timeline; ``public`` ones are shown on the lookup page."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(100))  # 受理告知, 交办, …
    text: Mapped[str] = mapped_column(Text, default="")  # what the reader of this event sees
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Instruction(db.Model):
    """批示: a leader's written instruction; rounds accumulate."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    rehandle: Mapped[bool] = mapped_column(default=False)  # the leader ordered the case handled again
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="instructions")
    leader: Mapped[User] = relationship()


class Reply(db.Model):
    """处理意见书 (or 复查 / 复核意见书). Once signed a version is immutable; a change makes a new version."""

    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("case_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReplyKind] = mapped_column(enum_column(ReplyKind), default=ReplyKind.REPLY)
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[ReplyState] = mapped_column(enum_column(ReplyState), default=ReplyState.DRAFT)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    text: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(50), default="")
    signer_title: Mapped[str] = mapped_column(String(100), default="")
    signer_department: Mapped[str] = mapped_column(String(100), default="")
    signed_at: Mapped[dt.datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")  # why it was returned or sent back
    published_at: Mapped[dt.datetime | None]
    delivered_on: Mapped[dt.date | None]
    delivery_method: Mapped[str] = mapped_column(String(30), default="")

    case: Mapped[Case] = relationship(back_populates="replies")
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


SIGNED_CONTENT = (
    "outcome",
    "text",
    "legal_basis",
    "signer_name",
    "signer_title",
    "signer_department",
    "signed_at",
    "kind",
    "version",
    "case_id",
)


def _stored_signed_at(connection, reply: Reply):
    # Read from the database: after a commit the attribute is expired and its history is empty.
    return connection.execute(db.select(Reply.signed_at).where(Reply.id == reply.id)).scalar()


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _keep_urgency(mapper, connection, case: Case) -> None:
    # Every change of status, clock or due date goes through a flush of the case: the stored key follows here.
    case.urgency = 0 if case.runs_staff_deadline else 1


@event.listens_for(Reply, "before_update")
def _signed_reply_is_immutable(mapper, connection, reply: Reply) -> None:
    # The last line of defence: services never edit a signed reply, they draft a new version.
    state = db.inspect(reply)
    if any(state.attrs[n].history.has_changes() for n in SIGNED_CONTENT) and _stored_signed_at(connection, reply):
        raise DomainError("已署名的答复不可修改，请另起新版本。")


@event.listens_for(Reply, "before_delete")
def _signed_reply_is_kept(mapper, connection, reply: Reply) -> None:
    if _stored_signed_at(connection, reply):
        raise DomainError("已署名的答复不可删除。")


class ChecklistTemplate(db.Model):
    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    case_type: Mapped[CaseType | None] = mapped_column(enum_column(CaseType))  # None: any type
    leader_owned: Mapped[bool] = mapped_column(default=False)  # the 五包 list for leader-owned cases
    items: Mapped[list[ChecklistTemplateItem]] = relationship(
        order_by="ChecklistTemplateItem.position", cascade="all, delete-orphan"
    )


class ChecklistTemplateItem(db.Model):
    __tablename__ = "checklist_template_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    required: Mapped[bool] = mapped_column(default=True)
    # The action whose recorded event ticks this item by itself (sign, publish, follow_up); see lifecycle.ACTIONS.
    mirrors: Mapped[str | None] = mapped_column(String(30))


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"
    # The ledgers count a page's progress (required, ticked) from this index alone.
    __table_args__ = (Index("ix_checklist_items_case_required", "case_id", "required", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    required: Mapped[bool] = mapped_column(default=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[dt.datetime | None]
    mirrors: Mapped[str | None] = mapped_column(String(30))  # ticked by this action's event, never by hand
    owner_only: Mapped[bool] = mapped_column(default=False)  # a 五包 item: only the owner leader ticks it
    done_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship(back_populates="checklist")
    done_by: Mapped[User | None] = relationship()
    done_event: Mapped[CaseEvent | None] = relationship()

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def mirrored_action(self) -> Action | None:
        return ACTIONS.get(self.mirrors) if self.mirrors else None

    def refusal(self, user: User) -> Refusal | None:
        """Why ``user`` may not tick (or untick) this item by hand; None when they may."""
        if refused := self.case.refusal("tick", user):
            return refused
        if self.owner_only and user.id != self.case.owner_leader_id:
            return Refusal("“五包”事项只能由包案领导勾销。", forbidden=True)
        if not self.owner_only and not user.has_role(Role.CLERK, Role.HANDLER, Role.DEPT_HEAD):
            return Refusal("您不能勾销该事项。", forbidden=True)
        if self.mirrored_action is not None:
            return Refusal(f"该事项在“{self.mirrored_action.label}”后自动勾销，无需手动勾销。")
        return None

    def can_tick(self, user: User) -> bool:
        return self.refusal(user) is None


class Evaluation(db.Model):
    """The petitioner's two ratings; once only. A supervisor may clear an unsatisfied one for mark-off."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    acceptance: Mapped[Rating] = mapped_column(enum_column(Rating))  # the petition office's acceptance
    handling: Mapped[Rating] = mapped_column(enum_column(Rating))  # the department's handling
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship(back_populates="evaluation")

    @property
    def unsatisfied(self) -> bool:
        return Rating.UNSATISFIED in (self.acceptance, self.handling)

    @property
    def blocks_mark_off(self) -> bool:
        return self.unsatisfied and self.override_at is None


class FollowUp(db.Model):
    """回访 after the reply."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # 面访 / 电话 / 短信
    satisfaction: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    notes: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="follow_ups")
    by: Mapped[User] = relationship()


class Attachment(db.Model):
    """A file handed in with a petition (scan, photo, PDF). The bytes live under UPLOAD_FOLDER with a random name;
    only staff who may see the petitioner's materials can open it, never the public."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the petitioner, online
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class Note(db.Model):
    """A handler's investigation note (调查记录): internal, never public."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class Assist(db.Model):
    """A 协办单位: a department named at assignment to help the lead department (主办单位) handle the case."""

    __tablename__ = "case_assists"
    __table_args__ = (UniqueConstraint("case_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    assigned_on: Mapped[dt.date]

    case: Mapped[Case] = relationship(back_populates="assists")
    department: Mapped[Department] = relationship(lazy="joined")


class Contribution(db.Model):
    """协办意见: what an assisting department found and proposes, for the lead department to draft from; internal."""

    __tablename__ = "case_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="contributions")
    department: Mapped[Department] = relationship(lazy="joined")
    author: Mapped[User] = relationship()


class ExtensionState(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"requested": "待审批", "approved": "已批准", "refused": "未批准"}[self.value]


class ExtensionRequest(db.Model):
    """延期: the handler asks for up to 30 more days while the period runs; the handling organ's head decides, once
    (art.34)."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ExtensionState] = mapped_column(
        enum_column(ExtensionState), default=ExtensionState.REQUESTED, index=True
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    original_due: Mapped[dt.date | None]
    new_due: Mapped[dt.date | None]

    case: Mapped[Case] = relationship(back_populates="extensions")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Hearing(db.Model):
    """听证 in a re-review: its days do not count against the re-review clock (条例 art.36)."""

    __tablename__ = "hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    place: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="hearings")

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def _set_unsatisfied(connection, evaluation: Evaluation, value: bool) -> None:
    connection.execute(db.update(Case).where(Case.id == evaluation.case_id).values(unsatisfied=value))
    session = db.inspect(evaluation).session
    case = session.identity_map.get(identity_key(Case, evaluation.case_id)) if session is not None else None
    if case is not None:
        set_committed_value(case, "unsatisfied", value)


# An evaluation is written once and removed only when the case is handled again (order_rehandling, which keeps its
# ratings on the round): its insert and its delete are the only times the case's ``unsatisfied`` changes.
@event.listens_for(Evaluation, "after_insert")
def _keep_unsatisfied(mapper, connection, evaluation: Evaluation) -> None:
    if evaluation.unsatisfied:
        _set_unsatisfied(connection, evaluation, True)


@event.listens_for(Evaluation, "after_delete")
def _clear_unsatisfied(mapper, connection, evaluation: Evaluation) -> None:
    _set_unsatisfied(connection, evaluation, False)
