"""The planned steps replayed in time order through ``portal.cases.services`` on backdated days, so events,
clocks and audit rows are the real ones."""

from __future__ import annotations

import random

from portal.accounts.models import Role, User
from portal.cases import services
from portal.cases.delivery import DeliveryMethod
from portal.cases.models import (
    Case,
    Channel,
    Outcome,
    Procedure,
    Rating,
    Status,
)
from portal.deadlines.services import work_calendar
from portal.demo.county import STAFF
from portal.demo.matters import (
    ACCEPT_NOTES,
    EVALUATION_COMMENTS,
    EXTENSION_REASONS,
    FOLLOW_UPS,
    INSTRUCTIONS,
    MARK_OFF_NOTES,
    NOTES,
    REHANDLE_INSTRUCTION,
    REREVIEW_REASONS,
    REREVIEW_TEXT,
    RETURN_COMMENTS,
    REVIEW_AMENDED,
    REVIEW_REASONS,
    REVIEW_UPHELD,
    SEND_BACK_COMMENTS,
    SUPERVISION_ANSWERS,
)
from portal.demo.planning import Plan, Planner, Spec, contact, overseer
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import as_of
from portal.localtime import now as local_now
from portal.org.models import Department


# =============================================================================================================
# Case replay
# =============================================================================================================
class CaseLoader:
    """Plans every case and replays all steps of all cases in time order through the services."""

    def __init__(self, rng: random.Random, departments: dict[str, Department], categories: dict[str, int]):
        self.rng, self.departments, self.categories = rng, departments, categories
        self.users = {
            u.username: u for u in db.session.execute(db.select(User).where(User.username.in_(STAFF))).scalars()
        }

    def run(self, count: int) -> None:
        self._check_staff()
        now = local_now()
        planner = Planner(self.rng, work_calendar(), now.date(), now)
        plans = planner.plans(count)
        steps = sorted(
            (
                (when, plan.index, seq, plan, spec)
                for plan in plans
                for seq, (when, spec) in enumerate(zip(plan.times, plan.specs, strict=True))
            ),
            key=lambda step: step[:3],
        )
        for when, _, _, plan, spec in steps:
            with as_of(when):
                getattr(self, f"_do_{spec.action}")(plan, spec)
                # Column defaults (timestamps) are taken at flush time: flush while the step's moment holds.
                db.session.flush()

    def _check_staff(self) -> None:
        for username, (_, _, role, _) in STAFF.items():
            user = self.users.get(username)
            if user is None or not user.active or role not in user.roles:
                raise DomainError(f"演示数据需要在岗的用户 {username}（{role.label}），请检查后重试。")

    # --- who acts -----------------------------------------------------------------------------------------
    def _actor(self, plan: Plan, who: str) -> User | None:
        if who == "public":
            return None
        if who == "handler":
            return self.users["handler" if plan.dept_key == "rs" else f"{plan.dept_key}_handler"]
        if who == "head":
            return self.users["dept_head" if plan.dept_key == "rs" else f"{plan.dept_key}_head"]
        if who == "leader":
            return self.users[plan.owner or overseer(plan.dept_key)]
        return self.users[who]

    def _text(self, template: str, plan: Plan) -> str:
        return template.format(
            **plan.fills,
            dept=self.departments[plan.dept_key].name if plan.dept_key else "",
            days=self.rng.choice([7, 10, 15]),
        )

    # --- registration and decision ------------------------------------------------------------------------
    def _do_register(self, plan: Plan, spec: Spec) -> None:
        matter, person = plan.matter, plan.person
        title, content = self._text(matter.title, plan), self._text(matter.content, plan)
        repeat_of = plan.repeat_of.case if plan.repeat_of else None
        if repeat_of is not None:
            title = ("再次反映：" + title)[:100]
            content = (
                f"我曾于{repeat_of.received_on:%Y年%m月%d日}反映过此事，至今问题仍未彻底解决，现再次反映。" + content
            )
        phone, id_number = contact(person, plan.channel)
        plan.case, _ = services.register_case(
            self._actor(plan, spec.who),
            channel=plan.channel,
            case_type=matter.case_type,
            title=title,
            content=content,
            petitioner_name=person.name,
            phone=phone,
            id_number=id_number,
            address=person.address,
            received_on=plan.received,
            category_id=self.categories.get(matter.category),
            procedure=Procedure.SIMPLE if plan.simple else Procedure.NORMAL,
            confidential=plan.confidential,
            people_count=plan.people_count,
            place=plan.fills["place"],
            place_area_id=self.departments[f"village:{plan.fills['village']}"].id,
            repeat_of_id=repeat_of.id if repeat_of else None,
            # After 复核 only new facts are taken up, and while the earlier case is handled a repeat without them is
            # merged into it (并案): the demo's repeats go on to be handled, so they bring new facts.
            new_facts=repeat_of is not None,
        )

    def _do_accept(self, plan: Plan, spec: Spec) -> None:
        services.accept(
            plan.case,
            self.users["clerk"],
            note=self.rng.choice(ACCEPT_NOTES),
            reason="诉求简单明确、事实清楚、争议不大的首次信访" if plan.simple else "",
        )

    def _do_not_accept(self, plan: Plan, spec: Spec) -> None:
        services.not_accept(
            plan.case, self.users["clerk"], route=plan.matter.route, reason=self._text(plan.matter.reason, plan)
        )

    def _do_forward(self, plan: Plan, spec: Spec) -> None:
        services.forward(plan.case, self.users["clerk"], authority=plan.matter.authority, reason=plan.matter.reason)

    # --- handling -----------------------------------------------------------------------------------------
    def _do_assign(self, plan: Plan, spec: Spec) -> None:
        owner = self.users[plan.owner].id if plan.owner else None
        services.assign(
            plan.case, self.users["clerk"], department_id=self.departments[plan.dept_key].id, owner_leader_id=owner
        )

    def _do_instruct(self, plan: Plan, spec: Spec) -> None:
        rehandle = spec.args.get("rehandle", False)
        text = REHANDLE_INSTRUCTION if rehandle else self.rng.choice(INSTRUCTIONS)
        leader = self._actor(plan, "leader")
        if not plan.case.can_instruct(leader):  # a sealed accusation is read only by its owner leader (art.30)
            return
        services.add_instruction(plan.case, leader, text=self._text(text, plan), rehandle=rehandle)

    def _do_start(self, plan: Plan, spec: Spec) -> None:
        services.start(plan.case, self._actor(plan, "handler"))

    def _do_note(self, plan: Plan, spec: Spec) -> None:
        services.add_note(plan.case, self._actor(plan, "handler"), text=self._text(self.rng.choice(NOTES), plan))

    def _do_request_extension(self, plan: Plan, spec: Spec) -> None:
        if plan.case.clock_rule in ("handle", "simple_handle"):
            services.request_extension(
                plan.case,
                self._actor(plan, "handler"),
                days=self.rng.choice([15, 20, 30]),
                reason=self.rng.choice(EXTENSION_REASONS),
            )

    def _do_approve_extension(self, plan: Plan, spec: Spec) -> None:
        if plan.case.pending_extension is not None:
            services.decide_extension(plan.case, self._actor(plan, "head"), approve=True, note="同意延期，抓紧办理。")

    def _do_tick(self, plan: Plan, spec: Spec) -> None:
        for item in plan.case.checklist:
            # An item that mirrors an event (署名, 送达, 回访) was ticked by that event, not by a person.
            if item.label == spec.args["label"] and not item.done and not item.mirrors:
                services.tick_checklist_item(item, self._tick_actor(plan, item, spec.who), done=True)
                return

    def _tick_actor(self, plan: Plan, item, who: str) -> User | None:
        return plan.case.owner_leader if item.owner_only else self._actor(plan, who)

    def _do_draft(self, plan: Plan, spec: Spec) -> None:
        services.draft_reply(
            plan.case,
            self._actor(plan, "handler"),
            outcome=plan.matter.outcome,
            text=self._text(plan.matter.reply, plan),
            legal_basis=plan.matter.basis,
        )

    def _do_return_draft(self, plan: Plan, spec: Spec) -> None:
        services.return_draft(plan.case, self._actor(plan, "head"), comment=self.rng.choice(RETURN_COMMENTS))

    def _do_sign(self, plan: Plan, spec: Spec) -> None:
        services.sign_reply(plan.case, self._actor(plan, "head"))

    def _do_send_back(self, plan: Plan, spec: Spec) -> None:
        services.send_back(plan.case, self.users["clerk"], comment=self.rng.choice(SEND_BACK_COMMENTS))

    def _do_publish(self, plan: Plan, spec: Spec) -> None:
        if plan.channel is Channel.ONLINE:
            services.publish_reply(plan.case, self.users["clerk"])  # delivered online, the day it is posted
        elif plan.channel is Channel.LETTER:
            tracking = f"XA{self.rng.randrange(10**9, 10**10)}CN"  # a registered letter's number
            services.publish_reply(plan.case, self.users["clerk"], method=DeliveryMethod.POST, tracking_number=tracking)
        else:
            services.publish_reply(plan.case, self.users["clerk"], method=DeliveryMethod.IN_PERSON)

    def _do_supervise(self, plan: Plan, spec: Spec) -> None:
        """督办."""
        case = plan.case
        services.supervise(
            case,
            self.users["supervisor"],
            note=f"请{case.department.name}加快办理进度，按期办结，并将办理情况书面报县委督查室。",
        )

    def _do_answer_supervision(self, plan: Plan, spec: Spec) -> None:
        supervision = plan.case.open_supervision
        text = SUPERVISION_ANSWERS[len(supervision.answers) % len(SUPERVISION_ANSWERS)]
        services.answer_supervision(plan.case, self._actor(plan, "head"), text=self._text(text, plan))

    def _do_accept_supervision(self, plan: Plan, spec: Spec) -> None:
        services.accept_supervision(plan.case, self.users["supervisor"], note="答复具体，措施到位，同意办结。")

    def _do_urge_supervision(self, plan: Plan, spec: Spec) -> None:
        services.urge_supervision(
            plan.case,
            self.users["supervisor"],
            text="答复未说明办结时限和责任人，请限期报送办结情况及佐证材料。",
            days=3,
        )

    def _do_interview(self, plan: Plan, spec: Spec) -> None:
        head = self._actor(plan, "head")
        services.record_interview(
            plan.case,
            self.users["supervisor"],
            held_on=local_now().date(),
            place="县信访局三楼会议室",
            interviewee=head.name,
            interviewee_post=f"{head.department.name}{head.title}",
            interviewers=f"县委督查室 {self.users['supervisor'].name}",
            agreed="承认办理不力；承诺十个工作日内办结并书面答复信访人，主要负责人亲自督办。",
        )

    def _do_propose_accountability(self, plan: Plan, spec: Spec) -> None:
        department, leader = plan.case.department, self._actor(plan, "leader")
        if not plan.case.can_view(leader):  # a sealed accusation: its owner leader only (art.30)
            return
        services.propose_accountability(
            plan.case,
            self.users["supervisor"],
            leader_id=leader.id,
            subject=f"{department.name}分管负责人",
            measure="诫勉谈话",
            facts="该件经督办、催办、约谈，仍未按承诺办结，群众反复来访，属履行信访工作职责不力。",
        )

    def _do_decide_accountability(self, plan: Plan, spec: Spec) -> None:
        supervision = plan.case.open_supervision
        if supervision is None or supervision.proposal is None:
            return
        leader = supervision.proposal.leader
        services.decide_accountability(
            plan.case, leader, decision="同意督查意见，由县纪委监委对分管负责人诫勉谈话，限期办结。"
        )

    def _do_order_rehandling(self, plan: Plan, spec: Spec) -> None:
        services.order_rehandling(
            plan.case,
            self.users["supervisor"],
            reason="信访人反映的主要诉求未调查核实到位，请重新调查，依法依规作出处理意见。",
            days=20,
        )

    # --- after the reply ----------------------------------------------------------------------------------
    def _do_evaluate(self, plan: Plan, spec: Spec) -> None:
        rating = spec.args["rating"]
        acceptance = Rating.SATISFIED if rating is not Rating.UNSATISFIED or self.rng.random() < 0.5 else rating
        services.record_evaluation(
            plan.case, acceptance=acceptance, handling=rating, comment=self.rng.choice(EVALUATION_COMMENTS[rating])
        )

    def _do_follow_up(self, plan: Plan, spec: Spec) -> None:
        method, notes = self.rng.choice(FOLLOW_UPS)
        services.record_follow_up(
            plan.case, self.users["clerk"], method=method, satisfaction=spec.args.get("satisfaction"), notes=notes
        )

    def _do_request_review(self, plan: Plan, spec: Spec) -> None:
        services.request_review(plan.case, self._actor(plan, spec.who), reason=self.rng.choice(REVIEW_REASONS))

    def _do_request_rereview(self, plan: Plan, spec: Spec) -> None:
        services.request_review(plan.case, self._actor(plan, spec.who), reason=self.rng.choice(REREVIEW_REASONS))

    def _reviewer(self, case: Case) -> User:
        """Someone of the organ above that reviews the case; the petition office when there is none."""
        organ = case.reviewing_department_id
        if organ is None:
            return self.users["clerk"]
        return next(
            u
            for u in sorted(self.users.values(), key=lambda u: u.username)
            if u.department_id == organ and u.has_role(Role.LEADER, Role.DEPT_HEAD) and case.can_decide_review(u)
        )  # never the owner leader or who handled it (回避, 条例 art.28)

    def _do_decide_review(self, plan: Plan, spec: Spec) -> None:
        amended = self.rng.random() < 0.2
        services.decide_review(
            plan.case,
            self._reviewer(plan.case),
            outcome=Outcome.SUPPORT if amended else Outcome.EXPLAIN,
            text=self._text(REVIEW_AMENDED if amended else REVIEW_UPHELD, plan),
            legal_basis="《信访工作条例》第三十五条",
        )

    def _do_decide_rereview(self, plan: Plan, spec: Spec) -> None:
        services.decide_review(
            plan.case,
            self._reviewer(plan.case),
            outcome=Outcome.EXPLAIN,
            text=REREVIEW_TEXT,
            legal_basis="《信访工作条例》第三十六条",
        )

    def _do_mark_off(self, plan: Plan, spec: Spec) -> None:
        if plan.case.status is Status.REPLIED:  # templates edited by an admin may hold items the plan did not know
            for item in plan.case.checklist:
                if item.required and not item.done and not item.mirrors:
                    services.tick_checklist_item(item, self._tick_actor(plan, item, "clerk"), done=True)
        services.mark_off(plan.case, self.users["clerk"], note=self.rng.choice(MARK_OFF_NOTES))
