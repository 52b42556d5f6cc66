"""One form per use case on the staff case pages."""

from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.cases.attachments import ACCEPT
from portal.cases.models import CaseType, Channel, NotAcceptedRoute, Outcome, Procedure, Rating, Status
from portal.forms import Form


def _choices(enum_cls):
    return [(m.value, m.label) for m in enum_cls]


class RegisterForm(Form):
    channel = SelectField("渠道", choices=_choices(Channel), default=Channel.LETTER.value)
    received_on = DateField("收到日期", validators=[DataRequired("请填写收到日期。")])
    petitioner_name = StringField("信访人姓名", validators=[DataRequired("请填写信访人姓名。"), Length(max=50)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18, message="身份证号应为18位。")])
    address = StringField("住址", validators=[Optional(), Length(max=200)])
    case_type = SelectField("信访类型", choices=_choices(CaseType), default=CaseType.CLAIM.value)
    category_id = SelectField("内容分类", coerce=int, validate_choice=False)
    title = StringField(
        "标题", validators=[DataRequired("请填写标题。"), Length(max=100, message="标题不能超过100字。")]
    )
    content = TextAreaField(
        "信访内容", validators=[DataRequired("请填写信访内容。"), Length(max=5000, message="信访内容不能超过5000字。")]
    )
    place = StringField("问题发生地", validators=[Optional(), Length(max=200)])
    people_count = IntegerField(
        "来访人数", default=1, validators=[NumberRange(min=1, max=10000, message="人数应在1以上。")]
    )
    procedure = SelectField("办理程序", choices=_choices(Procedure), default=Procedure.NORMAL.value)
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
    new_facts = BooleanField("有新的事实和理由（原件已复核终结时勾选）")


class VersionedForm(Form):
    """Every action on a case carries the version the person saw, so a stale write is refused."""

    version = HiddenField()


class AcceptForm(VersionedForm):
    procedure = SelectField("办理程序", choices=_choices(Procedure))
    reason = StringField(
        "适用简易办理的理由",
        validators=[Optional(), Length(max=200)],
        description="选择简易办理时必填，如：诉求简单明确、事实清楚、争议不大的首次信访",
    )
    note = TextAreaField("受理意见", validators=[Optional(), Length(max=1000)])


class NotAcceptForm(VersionedForm):
    route = SelectField("不予受理理由", choices=_choices(NotAcceptedRoute))
    reason = TextAreaField("补充说明", validators=[Optional(), Length(max=1000)])


class ForwardForm(VersionedForm):
    authority = StringField("转送机关", validators=[DataRequired("请填写转送机关。"), Length(max=100)])
    reason = TextAreaField("说明", validators=[Optional(), Length(max=1000)])


class AssignForm(VersionedForm):
    department_id = SelectField("责任单位", coerce=int, validate_choice=False)
    owner_leader_id = SelectField("包案领导", coerce=int, validate_choice=False)


class DraftForm(VersionedForm):
    outcome = SelectField("处理结果", choices=_choices(Outcome))
    text = TextAreaField("处理意见", validators=[DataRequired("请填写处理意见。"), Length(max=5000)])
    legal_basis = TextAreaField("依据", validators=[Optional(), Length(max=2000)])


class CommentForm(VersionedForm):
    comment = TextAreaField("意见", validators=[DataRequired("请填写意见。"), Length(max=1000)])


class PublishForm(VersionedForm):
    delivered_on = DateField("送达日期", validators=[Optional()])
    method = SelectField("送达方式", choices=[(m, m) for m in ("直接送达", "邮寄送达", "网上送达", "当面送达")])


class ReviewRequestForm(VersionedForm):
    reason = TextAreaField("申请理由", validators=[DataRequired("请填写申请理由。"), Length(max=2000)])


class ReviewDecisionForm(DraftForm):
    delivered_on = DateField("送达日期", validators=[Optional()])


class MarkOffForm(VersionedForm):
    note = TextAreaField("销号说明", validators=[Optional(), Length(max=1000)])


class FollowUpForm(Form):
    method = SelectField("回访方式", choices=[(m, m) for m in ("面访", "电话", "短信")])
    satisfaction = SelectField("满意度", choices=[("", "未表态")] + _choices(Rating), validators=[Optional()])
    notes = TextAreaField("回访情况", validators=[Optional(), Length(max=1000)])


class InstructionForm(Form):
    text = TextAreaField("批示内容", validators=[DataRequired("请填写批示内容。"), Length(max=2000)])
    rehandle = BooleanField("要求重新办理")


class EmptyForm(VersionedForm):
    """For buttons that only need CSRF protection and the case version."""


class CaseFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("搜索", validators=[Optional(), Length(max=50)])
    status = SelectField("状态", choices=[("", "全部状态")] + _choices(Status), validators=[Optional()])
    channel = SelectField("渠道", choices=[("", "全部渠道")] + _choices(Channel), validators=[Optional()])


class RehandleForm(VersionedForm):
    text = TextAreaField("批示内容", validators=[DataRequired("请填写批示内容。"), Length(max=2000)])


class HandlerForm(VersionedForm):
    handler_id = SelectField("承办人", coerce=int, validate_choice=False)


class ExtensionForm(VersionedForm):
    days = IntegerField(
        "延长天数",
        validators=[DataRequired("请填写延长天数。"), NumberRange(min=1, max=30, message="延长期限应为1至30日。")],
    )
    reason = TextAreaField("延期理由", validators=[DataRequired("请填写延期理由，将告知信访人。"), Length(max=1000)])


class ExtensionDecisionForm(VersionedForm):
    note = TextAreaField("审批意见", validators=[Optional(), Length(max=1000)])


class HearingForm(VersionedForm):
    starts_on = DateField("听证开始日期", validators=[DataRequired("请填写听证开始日期。")])
    ends_on = DateField("听证结束日期", validators=[DataRequired("请填写听证结束日期。")])
    place = StringField("地点", validators=[Optional(), Length(max=200)])
    note = TextAreaField("听证情况", validators=[Optional(), Length(max=2000)])


class NoteForm(VersionedForm):
    text = TextAreaField("调查记录", validators=[DataRequired("请填写调查记录。"), Length(max=5000)])
