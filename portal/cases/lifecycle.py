"""The case lifecycle of DESIGN §3, written down once: which transition leads from which states to which, and who
may take it. Services consult this table; templates use ``available`` to show exactly the actions allowed now."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.models import DEPARTMENT_SCOPED, Role
from portal.cases.models import Case, Status

PUBLIC = "public"  # the petitioner, acting through the lookup page with the query code

S = Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button a person clicks
    sources: frozenset[Status]
    target: Status
    roles: frozenset  # Role members, or PUBLIC
    review_level: int | None = None  # for review requests: the level the case must be at

    def permits(self, case: Case, actor) -> bool:
        """Whether ``actor`` (a User, or None for the public) may take this transition on ``case`` now."""
        if case.status not in self.sources:
            return False
        if self.review_level is not None and case.review_level != self.review_level:
            return False
        return self.role_permits(case, actor)

    def role_permits(self, case: Case, actor) -> bool:
        if actor is None:
            return PUBLIC in self.roles
        if self.name in ("decide_review", "decide_rereview"):
            return case.can_decide_review(actor)  # the organ above, wherever its people sit
        if not case.can_view(actor):
            return False
        # A department-scoped role counts only in the department the case is assigned to.
        return any(
            role in actor.roles and (role not in DEPARTMENT_SCOPED or actor.department_id == case.department_id)
            for role in self.roles
            if role != PUBLIC
        )


def _t(name, label, sources, target, roles, **kw) -> Transition:
    return Transition(name, label, frozenset(sources), target, frozenset(roles), **kw)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("accept", "受理", {S.REGISTERED}, S.ACCEPTED, {Role.CLERK}),
        _t("not_accept", "不予受理", {S.REGISTERED}, S.NOT_ACCEPTED, {Role.CLERK}),
        _t("forward", "转送其他机关", {S.REGISTERED}, S.FORWARDED, {Role.CLERK}),
        _t("assign", "交办", {S.ACCEPTED}, S.ASSIGNED, {Role.CLERK}),
        _t("start", "开始办理", {S.ASSIGNED}, S.IN_PROGRESS, {Role.HANDLER, Role.DEPT_HEAD}),
        _t("draft", "提交处理意见书", {S.IN_PROGRESS}, S.AWAITING_SIGNATURE, {Role.HANDLER}),
        _t("sign", "署名签发", {S.AWAITING_SIGNATURE}, S.AWAITING_VERIFICATION, {Role.DEPT_HEAD}),
        _t("return_draft", "退回修改", {S.AWAITING_SIGNATURE}, S.IN_PROGRESS, {Role.DEPT_HEAD}),
        _t("send_back", "退回重办", {S.AWAITING_VERIFICATION}, S.IN_PROGRESS, {Role.CLERK}),
        _t("publish", "审核通过并送达", {S.AWAITING_VERIFICATION}, S.REPLIED, {Role.CLERK}),
        _t("request_review", "申请复查", {S.REPLIED, S.CLOSED}, S.UNDER_REVIEW, {PUBLIC, Role.CLERK}, review_level=0),
        _t("rehandle", "责令重新办理", {S.AWAITING_SIGNATURE, S.AWAITING_VERIFICATION}, S.IN_PROGRESS, {Role.LEADER}),
        _t("decide_review", "出具复查意见", {S.UNDER_REVIEW}, S.REPLIED, {Role.CLERK, Role.LEADER, Role.DEPT_HEAD}),
        _t(
            "request_rereview",
            "申请复核",
            {S.REPLIED, S.CLOSED},
            S.UNDER_REREVIEW,
            {PUBLIC, Role.CLERK},
            review_level=1,
        ),
        _t("decide_rereview", "出具复核意见", {S.UNDER_REREVIEW}, S.FINAL, {Role.CLERK, Role.LEADER, Role.DEPT_HEAD}),
        _t("mark_off", "销号", {S.REPLIED, S.FINAL}, S.CLOSED, {Role.CLERK}),
    )
}


def available(case: Case, actor) -> list[Transition]:
    """The transitions ``actor`` may take on ``case`` now, in the order of the table."""
    return [t for t in TRANSITIONS.values() if t.permits(case, actor)]
