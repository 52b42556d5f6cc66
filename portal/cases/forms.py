"""One form per use case on the staff case pages."""

from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.models import Role, User
from portal.cases.accused import NAME_MAX, POST_MAX, CadreLevel
from portal.cases.attachments import ACCEPT
from portal.cases.delivery import TRACKING_MAX, DeliveryMethod, default_method
from portal.cases.models import CaseType, Channel, NotAcceptedRoute, Outcome, Procedure, Rating, Status
from portal.cases.services.supervision import suggested_reason
from portal.cases.supervision import ACCOUNTABILITY_MEASURES, SupervisionReason
from portal.deadlines.clock import RULES
from portal.extensions import db
from portal.forms import Form, enum_options, options
from portal.localtime import today as local_today
from portal.org.models import Department


class RegisterForm(Form):
    channel = SelectField("渠道", choices=enum_options(Channel), default=Channel.LETTER.value)
    received_on = DateField("收到日期", validators=[DataRequired("请填写收到日期。")])
    petitioner_name = StringField("信访人姓名", validators=[Optional(), Length(max=50)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18, message="身份证号应为18位。")])
    address = StringField("住址", validators=[Optional(), Length(max=200)])
    case_type = SelectField("信访类型", choices=enum_options(CaseType), default=CaseType.CLAIM.value)
    category_id = SelectField("内容分类", coerce=int, validate_choice=False)
    title = StringField(
        "标题", validators=[DataRequired("请填写标题。"), Length(max=100, message="标题不能超过100字。")]
    )
    content = TextAreaField(
        "信访内容", validators=[DataRequired("请填写信访内容。"), Length(max=5000, message="信访内容不能超过5000字。")]
    )
    place_area_id = SelectField("问题属地", coerce=int, validate_choice=False)
    place = StringField("问题发生地", validators=[Optional(), Length(max=200)])
    people_count = IntegerField(
        "来访人数", default=1, validators=[NumberRange(min=1, max=10000, message="人数应在1以上。")]
    )
    procedure = SelectField("办理程序", choices=enum_options(Procedure), default=Procedure.NORMAL.value)
    procedure_reason = StringField("适用简易办理的理由", validators=[Optional(), Length(max=200)])
    confidential = BooleanField("对信访人身份保密（仅信访部门可见）")
    # letter
    postmarked_on = DateField("邮戳日期", validators=[Optional()])
    # phone / fax
    caller_number = StringField("来电号码", validators=[Optional(), Length(max=20)])
    # visit
    group_visit = BooleanField("集体访（5人以上）")
    representatives = TextAreaField("代表姓名（每行一人）", validators=[Optional(), Length(max=500)])
    # scans of a letter, photos, documents handed over
    attachments = MultipleFileField("扫描件 / 材料", render_kw={"accept": ACCEPT})
    # repeat detection
    repeat_of_id = RadioField("重复信访", coerce=int, validate_choice=False, default=0)
    new_facts = BooleanField("有新的事实和理由（作为新的信访事项受理，不并案）")
    skipped_level = BooleanField("越级信访（未向有权处理的下级机关反映）")
    proper_level = StringField("应先向哪一级机关反映", validators=[Optional(), Length(max=100)])
    anonymous = BooleanField("匿名检举控告（不留姓名和联系方式）")
    # How the query code reaches the petitioner: a caller or a letter writer never sees the receipt on the screen.
    query_code_by = RadioField(
        "查询码告知方式",
        choices=options(
            [("receipt", "登记回执（当面交给信访人，或打印后随告知寄出）"), ("sms", "短信（随登记短信发到信访人手机）")]
        ),
        default="receipt",
    )
    # Asked only when the ID number is known under another name (IdentityConflict).
    same_person = RadioField(
        "身份证号已登记为他人姓名",
        choices=options([("yes", "同一人（登记到原信访人名下，原信息不变）"), ("no", "不是同一人（另建信访人）")]),
        validate_choice=False,
    )

    def same_person_answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.same_person.data)


class VersionedForm(Form):
    """A form for one action of lifecycle.ACTIONS. It carries the version of the case the person saw, so a stale
    write is refused; ``arguments`` turns the fields into the keyword arguments of the action's service, and
    ``prepare`` fills what depends on the case (choices, defaults) when the form is shown."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None

    def arguments(self) -> dict:
        return {}

    def prepare(self, case, fresh: bool) -> None:
        """``fresh``: the form is shown for the first time, not redisplayed with what the person typed."""


class EmptyForm(VersionedForm):
    """For buttons that only need CSRF protection and the case version."""


class AcceptForm(VersionedForm):
    procedure = SelectField("办理程序", choices=enum_options(Procedure))
    reason = StringField(
        "适用简易办理的理由",
        validators=[Optional(), Length(max=200)],
        description="选择简易办理时必填，如：诉求简单明确、事实清楚、争议不大的首次信访",
    )
    note = TextAreaField("受理意见", validators=[Optional(), Length(max=1000)])

    def arguments(self) -> dict:
        return {
            "procedure": Procedure(self.procedure.data),
            "note": self.note.data or "",
            "reason": self.reason.data or "",
        }

    def prepare(self, case, fresh: bool) -> None:
        if fresh:
            self.procedure.data = case.procedure.value


class MergeForm(VersionedForm):
    note = TextAreaField("并案说明", validators=[Optional(), Length(max=1000)])

    def arguments(self) -> dict:
        return {"note": self.note.data or ""}


class NotAcceptForm(VersionedForm):
    route = SelectField("不予受理理由", choices=enum_options(NotAcceptedRoute))
    reason = TextAreaField("补充说明", validators=[Optional(), Length(max=1000)])
    # 条例 art.19 (route “下级机关正在办理”): where the matter already is, as the petitioner or a check tells the clerk.
    pending_organ = StringField(
        "正在办理的机关",
        validators=[Optional(), Length(max=100)],
        description="选择“下级机关正在办理”时填写，如：城关镇人民政府",
    )
    pending_since = DateField("该机关受理日期", validators=[Optional()])
    pending_due = DateField(
        "该机关办理期限", validators=[Optional()], description="不清楚的可不填，按受理之日起60日推算（第三十四条）"
    )

    def arguments(self) -> dict:
        return {
            "route": NotAcceptedRoute(self.route.data),
            "reason": self.reason.data or "",
            "pending_organ": self.pending_organ.data or "",
            "pending_since": self.pending_since.data,
            "pending_due": self.pending_due.data,
        }


class ForwardForm(VersionedForm):
    authority = StringField("转送机关", validators=[DataRequired("请填写转送机关。"), Length(max=100)])
    reason = TextAreaField("说明", validators=[Optional(), Length(max=1000)])

    def arguments(self) -> dict:
        return {"authority": self.authority.data, "reason": self.reason.data or ""}


class AssignForm(VersionedForm):
    department_id = SelectField("责任单位（主办）", coerce=int, validate_choice=False)
    assisting_ids = SelectMultipleField(
        "协办单位",
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="涉及多个部门的，勾选协助办理的单位；由主办单位起草、署名答复",
    )
    owner_leader_id = SelectField("包案领导", coerce=int, validate_choice=False)

    def arguments(self) -> dict:
        return {
            "department_id": self.department_id.data,
            "owner_leader_id": self.owner_leader_id.data or None,
            "assisting_ids": list(self.assisting_ids.data or []),
        }

    def prepare(self, case, fresh: bool) -> None:
        departments = db.session.execute(Department.assignable()).scalars().all()
        self.department_id.choices = options((d.id, d.name) for d in departments if case.assignment_refusal(d) is None)
        self.assisting_ids.choices = options(
            (d.id, d.name) for d in departments if case.assist_refusal(d, lead_id=None) is None
        )
        leaders = (
            db.session.execute(
                db.select(User).where(User.active, User.role_rows.any(role=Role.LEADER)).order_by(User.name)
            )
            .scalars()
            .all()
        )
        self.owner_leader_id.choices = options(
            [(0, "（不指定）")] + [(u.id, f"{u.name}（{u.title}）") for u in leaders if case.owner_refusal(u) is None]
        )
        if fresh and case.owner_leader_id is not None:  # assigned again after an objection: the leader stays
            self.owner_leader_id.data = case.owner_leader_id


class ObjectionForm(VersionedForm):
    reason = TextAreaField(
        "异议理由",
        validators=[DataRequired("请详细说明异议理由。"), Length(max=1000)],
        description="认为不属于本单位职权范围的，自收到交办之日起5个工作日内提出，详细说明理由（《信访工作条例》第二十三条）",
    )

    def arguments(self) -> dict:
        return {"reason": self.reason.data}


class HandlerForm(VersionedForm):
    handler_id = SelectField("承办人", coerce=int, validate_choice=False)

    def arguments(self) -> dict:
        return {"handler_id": self.handler_id.data}

    def prepare(self, case, fresh: bool) -> None:
        handlers = (
            db.session.execute(
                db.select(User)
                .where(User.active, User.department_id == case.department_id, User.role_rows.any(role=Role.HANDLER))
                .order_by(User.name)
            )
            .scalars()
            .all()
        )
        self.handler_id.choices = options((u.id, u.name) for u in handlers)
        if fresh and case.handler_id:
            self.handler_id.data = case.handler_id


class DraftForm(VersionedForm):
    outcome = SelectField("处理结果", choices=enum_options(Outcome))
    text = TextAreaField("处理意见", validators=[DataRequired("请填写处理意见。"), Length(max=5000)])
    legal_basis = TextAreaField("依据", validators=[Optional(), Length(max=2000)])

    def arguments(self) -> dict:
        return {
            "outcome": Outcome(self.outcome.data),
            "text": self.text.data,
            "legal_basis": self.legal_basis.data or "",
        }

    def prepare(self, case, fresh: bool) -> None:
        # A draft sent back (退回修改 / 退回重办) is reworked, not retyped: start from the last version's text.
        last = case.last_draft
        if fresh and last is not None:
            self.outcome.data, self.text.data, self.legal_basis.data = last.outcome.value, last.text, last.legal_basis
        # 协办: the lead department drafts from the assisting departments' opinions (shown under 协办意见).
        if case.assists:
            hint = f"已收到协办意见{len(case.contributions)}份，见“协办单位与协办意见”"
            if waiting := case.waiting_assists:
                hint += "；尚未提交：" + "、".join(a.department.name for a in waiting)
            self.text.description = hint


class CommentForm(VersionedForm):
    comment = TextAreaField("意见", validators=[DataRequired("请填写意见。"), Length(max=1000)])

    def arguments(self) -> dict:
        return {"comment": self.comment.data}


class PublishForm(VersionedForm):
    delivered_on = DateField("送达日期", validators=[Optional()])
    method = SelectField("送达方式", choices=enum_options(DeliveryMethod))
    tracking_number = StringField(
        "邮件号", validators=[Optional(), Length(max=TRACKING_MAX)], description="邮寄送达时填写"
    )
    recipient = StringField("签收人", validators=[Optional(), Length(max=50)], description="当面送达时填写")

    def arguments(self) -> dict:
        return {
            "delivered_on": self.delivered_on.data,
            "method": DeliveryMethod(self.method.data),
            "tracking_number": self.tracking_number.data or "",
            "recipient": self.recipient.data or "",
        }

    def prepare(self, case, fresh: bool) -> None:
        if fresh:
            self.delivered_on.data = local_today()
            self.method.data = default_method(case).value


class ReviewRequestForm(VersionedForm):
    received_on = DateField(
        "收到申请日期",
        validators=[Optional()],
        description="来信以邮戳日期为准，来访为来访当日；不得早于答复送达之日",
    )
    reason = TextAreaField("申请理由", validators=[DataRequired("请填写申请理由。"), Length(max=2000)])

    def arguments(self) -> dict:
        # 复查 and 复核 share this form: the service must check the one that was posted, not the one that fits.
        return {
            "reason": self.reason.data,
            "received_on": self.received_on.data,
            "action": self._prefix.rstrip("-") or None,
        }

    def prepare(self, case, fresh: bool) -> None:
        if fresh:
            self.received_on.data = local_today()


class ReviewDecisionForm(DraftForm):
    delivered_on = DateField("送达日期", validators=[Optional()])

    def arguments(self) -> dict:
        return {
            **super().arguments(),
            "delivered_on": self.delivered_on.data,
            "action": self._prefix.rstrip("-") or None,  # 复查 or 复核: the one that was posted
        }

    def prepare(self, case, fresh: bool) -> None:
        """A review opinion is the reviewing organ's own text."""


class MarkOffForm(VersionedForm):
    note = TextAreaField("销号说明", validators=[Optional(), Length(max=1000)])

    def arguments(self) -> dict:
        return {"note": self.note.data or ""}


class FollowUpForm(VersionedForm):
    method = SelectField("回访方式", choices=options((m, m) for m in ("面访", "电话", "短信")))
    satisfaction = SelectField("满意度", choices=enum_options(Rating, blank="未表态"), validators=[Optional()])
    notes = TextAreaField("回访情况", validators=[Optional(), Length(max=1000)])

    def arguments(self) -> dict:
        satisfaction = Rating(self.satisfaction.data) if self.satisfaction.data else None
        return {"method": self.method.data, "satisfaction": satisfaction, "notes": self.notes.data or ""}


class InstructionForm(VersionedForm):
    text = TextAreaField("批示内容", validators=[DataRequired("请填写批示内容。"), Length(max=2000)])
    rehandle = BooleanField("要求重新办理")

    def arguments(self) -> dict:
        return {"text": self.text.data, "rehandle": self.rehandle.data}


class TickForm(VersionedForm):
    done = HiddenField()

    def arguments(self) -> dict:
        return {"done": self.done.data == "1"}


class CaseFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("搜索", validators=[Optional(), Length(max=50)])
    status = SelectField("状态", choices=enum_options(Status, blank="全部状态"), validators=[Optional()])
    channel = SelectField("渠道", choices=enum_options(Channel, blank="全部渠道"), validators=[Optional()])


class RehandleForm(VersionedForm):
    text = TextAreaField("批示内容", validators=[DataRequired("请填写批示内容。"), Length(max=2000)])

    def arguments(self) -> dict:
        return {"text": self.text.data}


class ExtensionForm(VersionedForm):
    days = IntegerField(
        "延长天数",
        validators=[DataRequired("请填写延长天数。"), NumberRange(min=1, max=30, message="延长期限应为1至30日。")],
    )
    reason = TextAreaField("延期理由", validators=[DataRequired("请填写延期理由，将告知信访人。"), Length(max=1000)])

    def arguments(self) -> dict:
        return {"days": self.days.data, "reason": self.reason.data}


class ProcedureSwitchForm(VersionedForm):
    reason = TextAreaField(
        "转为普通程序的理由",
        validators=[DataRequired("请填写理由，将告知信访人。"), Length(max=200)],
        description="如：经调查，事实复杂、涉及多个部门，不宜简易办理",
    )

    def arguments(self) -> dict:
        return {"reason": self.reason.data}


class ExtensionDecisionForm(VersionedForm):
    note = TextAreaField("审批意见", validators=[Optional(), Length(max=1000)])
    approve = True

    def arguments(self) -> dict:
        return {"approve": self.approve, "note": self.note.data or ""}


class RefuseExtensionForm(ExtensionDecisionForm):
    approve = False


class HearingForm(VersionedForm):
    starts_on = DateField("听证开始日期", validators=[DataRequired("请填写听证开始日期。")])
    ends_on = DateField("听证结束日期", validators=[DataRequired("请填写听证结束日期。")])
    place = StringField("地点", validators=[Optional(), Length(max=200)])
    note = TextAreaField("听证情况", validators=[Optional(), Length(max=2000)])

    def arguments(self) -> dict:
        return {
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "place": self.place.data or "",
            "note": self.note.data or "",
        }


class ContributionForm(VersionedForm):
    text = TextAreaField(
        "协办意见",
        validators=[DataRequired("请填写协办意见。"), Length(max=5000)],
        description="写明本单位职责范围内的核查情况和处理建议，供主办单位起草处理意见书",
    )

    def arguments(self) -> dict:
        return {"text": self.text.data}


class NoteForm(VersionedForm):
    text = TextAreaField("调查记录", validators=[DataRequired("请填写调查记录。"), Length(max=5000)])

    def arguments(self) -> dict:
        return {"text": self.text.data}


def _reply_days(label: str = "答复期限（工作日）") -> IntegerField:
    return IntegerField(
        label,
        default=RULES["supervision_reply"].length,
        validators=[Optional(), NumberRange(min=1, max=30, message="答复期限应为1至30个工作日。")],
        description=f"自下发之日起计算，默认{RULES['supervision_reply'].length}个工作日（{RULES['supervision_reply'].source}）",
    )


class SuperviseForm(VersionedForm):
    reason = SelectField("督办事由", choices=enum_options(SupervisionReason), validate_choice=False)
    note = TextAreaField(
        "督办意见",
        validators=[DataRequired("请填写督办意见。"), Length(max=1000)],
        description="写明督办事由和要求，如：已超期12日，请于5个工作日内办结并报送结果",
    )
    days = _reply_days()

    def arguments(self) -> dict:
        reason = self.reason.data if self.reason.data in set(SupervisionReason) else None
        return {"reason": reason and SupervisionReason(reason), "note": self.note.data, "days": self.days.data}

    def prepare(self, case, fresh: bool) -> None:
        if fresh:
            self.reason.data = suggested_reason(case, local_today()).value


class SupervisionAnswerForm(VersionedForm):
    text = TextAreaField(
        "办理情况",
        validators=[DataRequired("请填写办理情况。"), Length(max=2000)],
        description="写明已采取的措施、办理进度和办结时限",
    )

    def arguments(self) -> dict:
        return {"text": self.text.data}


class SupervisionAcceptForm(VersionedForm):
    note = TextAreaField("审核意见", validators=[Optional(), Length(max=1000)])

    def arguments(self) -> dict:
        return {"note": self.note.data or ""}


class UrgeForm(VersionedForm):
    text = TextAreaField(
        "催办要求",
        validators=[DataRequired("请填写催办要求。"), Length(max=1000)],
        description="如：答复未说明办结时限，请于期限内报送办结情况及佐证材料",
    )
    days = _reply_days()

    def arguments(self) -> dict:
        return {"text": self.text.data, "days": self.days.data}


class InterviewForm(VersionedForm):
    held_on = DateField("约谈日期", validators=[DataRequired("请填写约谈日期。")])
    place = StringField("约谈地点", validators=[Optional(), Length(max=100)])
    interviewee = StringField("被约谈人", validators=[DataRequired("请填写被约谈人。"), Length(max=50)])
    interviewee_post = StringField("被约谈人职务", validators=[Optional(), Length(max=100)])
    interviewers = StringField("约谈人", validators=[DataRequired("请填写约谈人。"), Length(max=200)])
    agreed = TextAreaField(
        "约谈要求和整改承诺",
        validators=[DataRequired("请填写约谈议定的事项。"), Length(max=2000)],
    )
    days = _reply_days("再次答复期限（工作日）")

    def arguments(self) -> dict:
        return {
            "held_on": self.held_on.data,
            "place": self.place.data or "",
            "interviewee": self.interviewee.data,
            "interviewee_post": self.interviewee_post.data or "",
            "interviewers": self.interviewers.data,
            "agreed": self.agreed.data,
            "days": self.days.data,
        }

    def prepare(self, case, fresh: bool) -> None:
        if fresh:
            self.held_on.data = local_today()


class AccountabilityForm(VersionedForm):
    leader_id = SelectField("报送领导", coerce=int, validate_choice=False)
    subject = StringField(
        "问责对象", validators=[DataRequired("请填写问责对象。"), Length(max=100)], description="单位或责任人及职务"
    )
    measure = SelectField("建议问责方式", choices=options((m, m) for m in ACCOUNTABILITY_MEASURES))
    facts = TextAreaField(
        "失职失责的事实",
        validators=[DataRequired("请写明失职失责的事实。"), Length(max=2000)],
        description="督办、催办、约谈后仍未办理到位的经过",
    )

    def arguments(self) -> dict:
        return {
            "leader_id": self.leader_id.data,
            "subject": self.subject.data,
            "measure": self.measure.data,
            "facts": self.facts.data,
        }

    def prepare(self, case, fresh: bool) -> None:
        leaders = (
            db.session.execute(
                db.select(User).where(User.active, User.role_rows.any(role=Role.LEADER)).order_by(User.name)
            )
            .scalars()
            .all()
        )
        self.leader_id.choices = options((u.id, f"{u.name}（{u.title}）") for u in leaders if not case.accuses(u))
        if fresh and case.owner_leader_id is not None:
            self.leader_id.data = case.owner_leader_id


class AccountabilityDecisionForm(VersionedForm):
    decision = TextAreaField(
        "决定",
        validators=[DataRequired("请填写对问责建议的决定。"), Length(max=2000)],
        description="如：同意，由县纪委监委对该局分管负责人诫勉谈话",
    )

    def arguments(self) -> dict:
        return {"decision": self.decision.data}


class RehandlingOrderForm(VersionedForm):
    reason = TextAreaField(
        "重新办理的理由和要求",
        validators=[DataRequired("请写明重新办理的理由和要求。"), Length(max=1000)],
        description="如：信访人反映的补偿标准问题未调查核实，请重新调查并书面答复",
    )
    days = IntegerField(
        "办理期限（日）",
        default=RULES["rehandle"].length,
        validators=[Optional(), NumberRange(min=1, max=90, message="办理期限应为1至90日。")],
        description=f"自今日起计算，默认{RULES['rehandle'].length}日",
    )

    def arguments(self) -> dict:
        return {"reason": self.reason.data, "days": self.days.data}


class ClearUnsatisfiedForm(VersionedForm):
    reason = TextAreaField(
        "可以销号的理由",
        validators=[DataRequired("请填写可以销号的理由。"), Length(max=1000)],
        description="如：经复核，处理意见依法依规，诉求已答复到位，信访人不满意的理由不成立",
    )

    def arguments(self) -> dict:
        return {"reason": self.reason.data}


class AccusedForm(VersionedForm):
    """被检举控告对象: a person and/or a unit; for an official, the 干部管理权限 that decides the receiving organ."""

    name = StringField("被检举控告人姓名", validators=[Optional(), Length(max=NAME_MAX)])
    post = StringField("职务", validators=[Optional(), Length(max=POST_MAX)])
    username = StringField(
        "本系统账号（用户名）",
        validators=[Optional(), Length(max=50)],
        description="被检举控告人在本系统有账号的，填写其用户名：该件对其永不可见",
    )
    unit_id = SelectField("被检举控告单位", coerce=int, validate_choice=False)
    cadre_level = SelectField(
        "干部管理权限", choices=enum_options(CadreLevel, blank="（未填写）"), validate_choice=False
    )

    def arguments(self) -> dict:
        return {
            "name": self.name.data or "",
            "post": self.post.data or "",
            "username": self.username.data or "",
            "unit_id": self.unit_id.data or None,
            "cadre_level": CadreLevel(self.cadre_level.data) if self.cadre_level.data in set(CadreLevel) else None,
        }

    def prepare(self, case, fresh: bool) -> None:
        units = db.session.execute(db.select(Department).where(Department.active).order_by(Department.name))
        self.unit_id.choices = options([(0, "（无）")] + [(d.id, d.name) for d in units.scalars()])


class SamePersonForm(VersionedForm):
    """“可能是同一人”: the clerk links the case to a known petitioner, or keeps them apart."""

    petitioner_id = RadioField("信访人", coerce=int, validate_choice=False, default=0)

    def arguments(self) -> dict:
        return {"petitioner_id": self.petitioner_id.data or None}

    def prepare(self, case, fresh: bool) -> None:
        from portal.cases.services.registration import identity_suggestions

        self.petitioner_id.choices = options(
            [(0, "不是同一人（保留为新的信访人）")]
            + [
                (
                    p.id,
                    f"同一人：{p.name} · 身份证 {p.masked_id_number} · 电话 {p.masked_phone} · {len(p.cases)} 件信访",
                )
                for p in identity_suggestions(case)
            ]
        )


class PetitionerForm(VersionedForm):
    """A clerk's edit of the petitioner's current details; a blank field keeps what is recorded (the full values
    are never put into the page unasked)."""

    name = StringField("姓名", validators=[Optional(), Length(max=50)], description="留空则不变")
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)], description="留空则不变")
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18)], description="留空则不变")
    address = StringField("住址", validators=[Optional(), Length(max=200)], description="留空则不变")

    def arguments(self) -> dict:
        return {
            "name": self.name.data or "",
            "phone": self.phone.data or "",
            "id_number": self.id_number.data or "",
            "address": self.address.data or "",
        }
