"""Petition agents' matters (信访代理, DESIGN §9): a villager's matter taken by an agent, settled at that
level (本级调处) or carried up as a case (代言代访), through the 信访五步法; the office's messages to the agent on a
carried-up case; and the agents' periodic rating of the departments that handled their matters (形象测评)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.accounts.models import CASE_ROLES, Role, User
from portal.cases.models import Case, CaseType, Channel, Rating
from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.masking import MaskedContact
from portal.org.models import Department, Level, township_of
from portal.protection import EncryptedString

TITLE_MAX = 100
TEXT_MAX = 4000
# The channels by which a villager brings a matter to an agent (and which the carried-up case keeps).
AGENT_CHANNELS = (Channel.VISIT, Channel.PHONE, Channel.LETTER)


class Stage(enum.StrEnum):
    REGISTERED = "registered"  # 登记备案
    COMMITTED = "committed"  # 委托: the signed 双向承诺书
    MEDIATED = "mediated"  # 本级调处
    CARRIED_UP = "carried_up"  # 代言代访: a case registered on the villager's behalf
    FED_BACK = "fed_back"  # 反馈结果
    CLOSED = "closed"  # 回访巩固

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.value]


STAGE_LABELS = {
    "registered": "已登记备案",
    "committed": "已委托",
    "mediated": "已本级调处",
    "carried_up": "已代言代访",
    "fed_back": "已反馈结果",
    "closed": "已回访巩固",
}


# The five steps, written once: action → (stages it may start from, stage it leads to, its name on the timeline).
# 本级调处 and 代言代访 are the two ways of the third step; feedback and follow-up come after either.
TRANSITIONS: dict[str, tuple[frozenset[Stage], Stage, str]] = {
    "commit": (frozenset({Stage.REGISTERED}), Stage.COMMITTED, "委托（签订双向承诺书）"),
    "mediate": (frozenset({Stage.COMMITTED}), Stage.MEDIATED, "本级调处"),
    "carry_up": (frozenset({Stage.COMMITTED}), Stage.CARRIED_UP, "代言代访"),
    "feedback": (frozenset({Stage.MEDIATED, Stage.CARRIED_UP}), Stage.FED_BACK, "反馈结果"),
    "follow_up": (frozenset({Stage.FED_BACK}), Stage.CLOSED, "回访巩固"),
}
STEP_NAMES = ("登记备案", "委托", "调处或代言代访", "反馈结果", "回访巩固")
STEP_OF = {
    Stage.REGISTERED: 0,
    Stage.COMMITTED: 1,
    Stage.MEDIATED: 2,
    Stage.CARRIED_UP: 2,
    Stage.FED_BACK: 3,
    Stage.CLOSED: 4,
}

# 五不准, printed on every 双向承诺书.
FIVE_PROHIBITIONS = (
    "不准收取任何费用",
    "不准违反《信访工作条例》",
    "不准吃拿卡要",
    "不准接受礼品",
    "不准在代理中徇私舞弊",
)


def _area_chain(department: Department | None) -> list[int]:
    return [] if department is None else [department.id, *(d.id for d in department.ancestors)]


def oversees(user: User, area: Department | None) -> bool:
    """The township office over ``area``: staff who work cases in the township government above it. With the
    petition office (clerks) and supervisors they read agents' files, complaints included."""
    if not user.is_authenticated or not user.works_cases:
        return False
    if user.has_role(Role.CLERK, Role.SUPERVISOR):
        return True
    township = township_of(area)
    return township is not None and user.department_id == township.id


class AgentMatter(MaskedContact, db.Model):
    """One villager's matter in an agent's hands (信访代理事项), from 登记备案 to 回访巩固."""

    __tablename__ = "agent_matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The township, village or group whose agents hold the matter. A matter accusing the village's own cadres is
    # held by the township above (see services.register_matter).
    area_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.REGISTERED, index=True)
    # The villager (信访人), encrypted at rest and masked on every list.
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(EncryptedString(20))
    id_number: Mapped[str | None] = mapped_column(EncryptedString(18))
    address: Mapped[str] = mapped_column(EncryptedString(200), default="")
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    received_on: Mapped[dt.date]
    case_type: Mapped[CaseType] = mapped_column(enum_column(CaseType), default=CaseType.CLAIM)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    content: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="")
    accuses_local_cadres: Mapped[bool] = mapped_column(default=False)
    # 委托
    committed_on: Mapped[dt.date | None]
    # 本级调处
    mediated_on: Mapped[dt.date | None]
    mediation_parties: Mapped[str] = mapped_column(String(200), default="")
    mediation_outcome: Mapped[str] = mapped_column(Text, default="")
    agreement_text: Mapped[str] = mapped_column(Text, default="")
    villager_confirmed: Mapped[bool] = mapped_column(default=False)
    # 代言代访
    carried_up_on: Mapped[dt.date | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    # 反馈结果, with the villager's rating of the agent (评议)
    fed_back_on: Mapped[dt.date | None]
    feedback_text: Mapped[str] = mapped_column(Text, default="")
    villager_rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    villager_comment: Mapped[str] = mapped_column(String(500), default="")
    # 回访巩固
    followed_up_on: Mapped[dt.date | None]
    follow_up_text: Mapped[str] = mapped_column(Text, default="")
    new_risk: Mapped[str] = mapped_column(String(500), default="")  # 新的信访隐患, when the visit found one
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    area: Mapped[Department] = relationship(lazy="joined")
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    case: Mapped[Case | None] = relationship(backref=backref("agent_matter", uselist=False))
    events: Mapped[list[MatterEvent]] = relationship(
        back_populates="matter", order_by="MatterEvent.id", cascade="all, delete-orphan"
    )
    files: Mapped[list[MatterFile]] = relationship(order_by="MatterFile.id", cascade="all, delete-orphan")

    # --- who may see and do what ------------------------------------------------------------------------------
    def can_view(self, user: User) -> bool:
        """The agents of the matter's area, and the township's agents over a village's or group's matters."""
        if not getattr(user, "is_authenticated", False) or not user.is_agent:
            return False
        return user.department_id in _area_chain(self.area)

    def can_act(self, user: User) -> bool:
        """Work the matter: an agent of its own area (a township agent over a village's matter only reads it)."""
        return self.can_view(user) and user.department_id == self.area_id

    def refusal(self, action: str, user: User) -> str | None:
        """Why ``user`` may not take ``action`` now, in words for the agent; None when they may."""
        if not self.can_act(user):
            return "只有本级信访代理员可以办理这件代理事项。"
        sources, _, name = TRANSITIONS[action]
        if self.stage not in sources:
            return f"这件事项{self.stage.label}，不能{name}。"
        if action == "mediate" and self.accuses_local_cadres and self.area.level is not Level.TOWNSHIP:
            return "反映本村干部的事项不在本村调处。"
        return None

    def can(self, action: str, user: User) -> bool:
        return self.refusal(action, user) is None

    @property
    def step_index(self) -> int:
        return STEP_OF[self.stage]

    @property
    def settled_level(self) -> str | None:
        """村级 or 乡级 for a matter settled by local mediation, by the level of the area that mediated it."""
        if self.mediated_on is None:
            return None
        return "township" if self.area.level is Level.TOWNSHIP else "village"

    def file(self, purpose: str) -> MatterFile | None:
        return next((f for f in reversed(self.files) if f.purpose == purpose), None)

    @classmethod
    def visible_to(cls, user: User):
        """The rule of ``can_view`` as a WHERE clause."""
        if not getattr(user, "is_authenticated", False) or not user.is_agent:
            return db.false()
        below = db.select(Department.id).where(
            db.or_(
                Department.id == user.department_id,
                Department.parent_id == user.department_id,
                Department.parent_id.in_(db.select(Department.id).where(Department.parent_id == user.department_id)),
            )
        )
        return cls.area_id.in_(below)


class MatterEvent(db.Model):
    """One dated step on a matter's timeline."""

    __tablename__ = "agent_matter_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("agent_matters.id", ondelete="CASCADE"), index=True)
    on: Mapped[dt.date]  # the day the step happened (a visit written up in the evening keeps its day)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")

    matter: Mapped[AgentMatter] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class MatterFile(db.Model):
    """A scan kept with a matter (the signed 双向承诺书, a mediation agreement), sealed like a case's attachments."""

    __tablename__ = "agent_matter_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("agent_matters.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # commitment | agreement
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def purpose_label(self) -> str:
        return {"commitment": "签字的双向承诺书", "agreement": "调解协议"}.get(self.purpose, "扫描件")


class OfficeMessage(db.Model):
    """What the office sends the agent on a carried-up case (告知代理人): shown on the agent's matter page only."""

    __tablename__ = "agent_office_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(backref=backref("agent_messages", order_by="OfficeMessage.id"))
    author: Mapped[User] = relationship()


def can_message_agent(case: Case, user: User) -> bool:
    """Staff who may read a carried-up case may write to its agent."""
    return case.agent_id is not None and bool(user.roles & CASE_ROLES) and case.can_read(user)


class DepartmentRating(db.Model):
    """An agent's rating of a department that handled their carried-up matters, once per half-year (形象测评)."""

    __tablename__ = "agent_department_ratings"
    __table_args__ = (UniqueConstraint("agent_id", "department_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # 2026-H2
    rating: Mapped[Rating] = mapped_column(enum_column(Rating))
    comment: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agent: Mapped[User] = relationship()
    department: Mapped[Department] = relationship(lazy="joined")


def period_of(day: dt.date) -> str:
    """The half-year a rating belongs to (半年初评, 年度总评): 2026-H1 or 2026-H2."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def period_label(period: str) -> str:
    year, half = period.split("-")
    return f"{year}年{'上' if half == 'H1' else '下'}半年"
