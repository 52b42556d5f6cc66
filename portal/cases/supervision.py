"""督办 (DESIGN §9) as its own records: the numbered 督办单 a supervisor sends a case's department with a reply
deadline, the department head's answers, and the escalation when an answer is late or not good enough — 催办 (a
second, numbered notice), then a 约谈 record, then an accountability proposal (问责建议) to a leader, who decides it.
A second chain of the same file: a 不满意 case the supervisor orders handled again (``HandlingRound``).

The rules of each step are here, once (``Supervision.refusal``); the lifecycle's actions ask them through
``Case``'s checks, so the case page, 我的待办 and the services agree. State changes are in
``portal.cases.services.supervision``; the query layer the reports read is ``portal.supervision.queries``."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.org.models import Department

if TYPE_CHECKING:
    from portal.cases.models import Case


class SupervisionReason(enum.StrEnum):
    """Why a case is put under supervision (issue 15)."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UNSATISFIED = "unsatisfied"
    REPEAT = "repeat"
    LEADER = "leader"
    SKIPPED_LEVEL = "skipped_level"

    @property
    def label(self) -> str:
        return {
            "overdue": "超期未办结",
            "due_soon": "临近办理期限",
            "unsatisfied": "信访人不满意",
            "repeat": "重复信访",
            "leader": "领导交督",
            "skipped_level": "越级信访",
        }[self.value]


class Stage(enum.StrEnum):
    """How far the supervision has been escalated; each stage follows the one before, never skipping one."""

    NOTICE = "notice"  # 督办单
    URGED = "urged"  # 催办通知
    INTERVIEWED = "interviewed"  # 约谈
    ACCOUNTABILITY = "accountability"  # 问责建议

    @property
    def label(self) -> str:
        return {"notice": "督办", "urged": "催办", "interviewed": "约谈", "accountability": "问责"}[self.value]

    @property
    def next(self) -> Stage | None:
        order = list(Stage)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


class SupervisionState(enum.StrEnum):
    AWAITING = "awaiting"  # the department owes an answer by ``reply_due``
    ANSWERED = "answered"  # the supervisor owes a decision on the answer
    ACCEPTED = "accepted"  # 办结: the answer was accepted
    PROPOSED = "proposed"  # an accountability proposal waits for the leader
    DECIDED = "decided"  # the leader decided the proposal

    @property
    def label(self) -> str:
        return {
            "awaiting": "待答复",
            "answered": "已答复待审核",
            "accepted": "已办结",
            "proposed": "问责建议待决定",
            "decided": "问责已决定",
        }[self.value]


OPEN_STATES = frozenset({SupervisionState.AWAITING, SupervisionState.ANSWERED, SupervisionState.PROPOSED})
CLOSED_STATES = frozenset(set(SupervisionState) - OPEN_STATES)
# What the supervisor may do on an answer, or on a silence past the reply deadline: escalate one stage.
ESCALATION = {
    Stage.URGED: "urge_supervision",
    Stage.INTERVIEWED: "interview",
    Stage.ACCOUNTABILITY: "propose_accountability",
}
# 问责 forms a proposal may suggest (《关于实行党政领导干部问责的暂行规定》 and local petition-work rules).
ACCOUNTABILITY_MEASURES = ("通报批评", "诫勉谈话", "责令作出书面检查", "责令公开道歉", "组织处理", "移送纪检监察机关")


class Supervision(db.Model):
    """督办单: one supervision of one case, from the notice to its end; the steps below hang off it."""

    __tablename__ = "supervisions"
    __table_args__ = (
        Index("ix_supervisions_state_due", "state", "reply_due"),
        Index("ix_supervisions_department_state", "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 督办〔2026〕12号
    reason: Mapped[SupervisionReason] = mapped_column(enum_column(SupervisionReason))
    requirement: Mapped[str] = mapped_column(Text)  # 督办事由和要求
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_on: Mapped[dt.date] = mapped_column(index=True)
    reply_due: Mapped[dt.date]  # the running reply deadline (of the notice, the 催办 or the 约谈)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.NOTICE)
    state: Mapped[SupervisionState] = mapped_column(enum_column(SupervisionState), default=SupervisionState.AWAITING)
    closed_on: Mapped[dt.date | None]
    closing_note: Mapped[str] = mapped_column(Text, default="")  # the supervisor's word on the accepted answer
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="supervisions")
    department: Mapped[Department] = relationship(lazy="joined")
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    answers: Mapped[list[SupervisionAnswer]] = relationship(
        back_populates="supervision", order_by="SupervisionAnswer.id", cascade="all, delete-orphan"
    )
    urgings: Mapped[list[Urging]] = relationship(
        back_populates="supervision", order_by="Urging.id", cascade="all, delete-orphan"
    )
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="supervision", order_by="Interview.id", cascade="all, delete-orphan"
    )
    proposal: Mapped[AccountabilityProposal | None] = relationship(
        back_populates="supervision", cascade="all, delete-orphan"
    )

    # --- state and lateness ------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def late(self, today: dt.date) -> bool:
        """The department owes an answer and its deadline has passed."""
        return self.state is SupervisionState.AWAITING and today > self.reply_due

    def days_late(self, today: dt.date) -> int:
        """Days past the reply deadline now (awaiting), or of the latest answer given late; 0 when on time."""
        if self.late(today):
            return (today - self.reply_due).days
        return max((a.days_late for a in self.answers), default=0) if self.state is not SupervisionState.AWAITING else 0

    @property
    def answered_late(self) -> bool:
        return any(a.late for a in self.answers)

    @property
    def latest_answer(self) -> SupervisionAnswer | None:
        return self.answers[-1] if self.answers else None

    @classmethod
    def open_clause(cls):
        return cls.state.in_(sorted(OPEN_STATES))

    @classmethod
    def late_clause(cls, today: dt.date):
        """The SQL of ``late``."""
        return db.and_(cls.state == SupervisionState.AWAITING, cls.reply_due < today)

    def steps(self) -> list[tuple[dt.date, str, str]]:
        """The chain in date order as (date, step, what), for the case page and the reports."""
        items = [(self.issued_on, f"督办单 {self.number}", f"{self.reason.label}。{self.requirement}")]
        items += [(a.answered_on, "答复" + ("（逾期）" if a.late else ""), a.text) for a in self.answers]
        items += [(u.issued_on, f"催办通知 {u.number}", u.text) for u in self.urgings]
        items += [(i.held_on, "约谈", i.summary) for i in self.interviews]
        if self.proposal is not None:
            p = self.proposal
            items.append((p.proposed_on, "问责建议", f"建议对{p.subject}{p.measure}：{p.facts}"))
            if p.decided_on is not None:
                items.append((p.decided_on, "问责决定", p.decision))
        if self.state is SupervisionState.ACCEPTED and self.closed_on:
            items.append((self.closed_on, "办结", self.closing_note or "督办答复通过"))
        return sorted(items, key=lambda item: item[0])

    # --- the rules (asked by Case's checks for lifecycle.ACTIONS) ----------------------------------------
    def refusal(self, name: str, user: User, today: dt.date) -> str | tuple[str, bool] | None:
        """Why ``user`` may not take supervision action ``name`` on this supervision on ``today``; None when they
        may. A tuple is (message, forbidden)."""
        if name == "answer_supervision":
            if not (user.has_role(Role.DEPT_HEAD) and user.department_id == self.department_id):
                return (f"只有{self.department.name}负责人可以答复督办。", True)
            if self.state is not SupervisionState.AWAITING:
                return f"督办单{self.number}当前为“{self.state.label}”，无需答复。"
            return None
        if name == "decide_accountability":
            if self.proposal is None or user.id != self.proposal.leader_id:
                return ("只有收到问责建议的领导可以作出决定。", True)
            if self.state is not SupervisionState.PROPOSED:
                return "该问责建议已作出决定。"
            return None
        if not user.has_role(Role.SUPERVISOR):
            return ("只有督查人员可以办理督办。", True)
        if name == "accept_supervision":
            if self.state is not SupervisionState.ANSWERED:
                return f"督办单{self.number}当前为“{self.state.label}”，没有待审核的答复。"
            return None
        stage = next(s for s, action in ESCALATION.items() if action == name)
        if self.stage.next is not stage:
            return f"督办单{self.number}已到“{self.stage.label}”阶段，不能{stage.label}（依次为催办、约谈、问责）。"
        if self.state is SupervisionState.ANSWERED or self.late(today):
            return None
        if self.state is SupervisionState.AWAITING:
            return f"答复期限为{self.reply_due:%Y年%m月%d日}，尚未届满；责任单位答复后或逾期未答复时才能{stage.label}。"
        return f"督办单{self.number}当前为“{self.state.label}”，不能{stage.label}。"


class SupervisionAnswer(db.Model):
    """责任单位答复: what the department did, given by its head; late when after the reply deadline of the time."""

    __tablename__ = "supervision_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))  # the stage it answers
    text: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_on: Mapped[dt.date]
    due: Mapped[dt.date]  # the reply deadline it answered
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    supervision: Mapped[Supervision] = relationship(back_populates="answers")
    answered_by: Mapped[User] = relationship()

    @property
    def late(self) -> bool:
        return self.answered_on > self.due

    @property
    def days_late(self) -> int:
        return max(0, (self.answered_on - self.due).days)


class Urging(db.Model):
    """催办通知: the second, numbered notice, with a new reply deadline."""

    __tablename__ = "supervision_urgings"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 催办〔2026〕3号
    text: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_on: Mapped[dt.date]
    reply_due: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    supervision: Mapped[Supervision] = relationship(back_populates="urgings")
    issued_by: Mapped[User] = relationship()


class Interview(db.Model):
    """约谈 record: who was talked to, when, by whom, and what was agreed; the department answers again by the new
    deadline."""

    __tablename__ = "supervision_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date]
    place: Mapped[str] = mapped_column(String(100), default="")
    interviewee: Mapped[str] = mapped_column(String(50))  # 被约谈人
    interviewee_post: Mapped[str] = mapped_column(String(100), default="")
    interviewers: Mapped[str] = mapped_column(String(200))  # 约谈人
    agreed: Mapped[str] = mapped_column(Text)  # 约谈要求和整改承诺
    reply_due: Mapped[dt.date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    supervision: Mapped[Supervision] = relationship(back_populates="interviews")

    @property
    def summary(self) -> str:
        post = f"（{self.interviewee_post}）" if self.interviewee_post else ""
        place = f"在{self.place}" if self.place else ""
        return f"{self.interviewers}{place}约谈{self.interviewee}{post}：{self.agreed}"


class AccountabilityProposal(db.Model):
    """问责建议 to a leader: whom, for what facts, which measure; the leader records the decision."""

    __tablename__ = "accountability_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), unique=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(100))  # 问责对象: the unit or person
    facts: Mapped[str] = mapped_column(Text)  # 失职失责的事实
    measure: Mapped[str] = mapped_column(String(30))  # one of ACCOUNTABILITY_MEASURES
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_on: Mapped[dt.date]
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    supervision: Mapped[Supervision] = relationship(back_populates="proposal")
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])


class HandlingRound(db.Model):
    """第N轮办理: a supervisor ordered a 不满意 case handled again, with a deadline. The rating that led to it is
    kept here (the petitioner rates the new reply afresh)."""

    __tablename__ = "handling_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]  # 2, 3 …: the round this order opened
    reason: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date]
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ordered_on: Mapped[dt.date]
    # The evaluation of the round before, as the petitioner gave it.
    acceptance_rating: Mapped[str] = mapped_column(String(20))
    handling_rating: Mapped[str] = mapped_column(String(20))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    ordered_by: Mapped[User] = relationship()

    @property
    def previous_rating(self) -> str:
        """The rating that led to this round, in words."""
        from portal.cases.models import Rating  # models imports this module

        return f"受理{Rating(self.acceptance_rating).label}，办理{Rating(self.handling_rating).label}"
