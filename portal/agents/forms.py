"""One form per step of an agent's matter, and the office's forms about agents."""

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.agents.models import AGENT_CHANNELS
from portal.cases.attachments import ACCEPT
from portal.cases.models import CaseType, Channel, Rating
from portal.forms import Form, enum_options, options


def _channels():
    return options((c.value, c.label) for c in AGENT_CHANNELS)


class MatterForm(Form):
    """登记备案."""

    name = StringField("信访人姓名", validators=[DataRequired("请填写信访人姓名。"), Length(max=50)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18, message="身份证号应为18位。")])
    address = StringField("住址", validators=[Optional(), Length(max=200)])
    channel = SelectField("反映方式", choices=_channels(), default=Channel.VISIT.value)
    received_on = DateField("收到日期", validators=[Optional()])
    case_type = SelectField("事项类型", choices=enum_options(CaseType), default=CaseType.CLAIM.value)
    title = StringField("事项标题", validators=[DataRequired("请填写事项标题。"), Length(max=100)])
    content = TextAreaField("反映内容", validators=[DataRequired("请填写反映内容。"), Length(max=4000)])
    place = StringField("问题发生地", validators=[Optional(), Length(max=200)])
    accuses_local_cadres = BooleanField("反映本村（社区）干部的问题（移交乡镇代理员办理）")


class CommitmentForm(Form):
    """委托: the signed 双向承诺书."""

    signed_on = DateField("签订日期", validators=[Optional()])
    scan = FileField("双方签字的承诺书扫描件（JPG、PNG 或 PDF）", render_kw={"accept": ACCEPT})


class MediationForm(Form):
    """本级调处."""

    mediated_on = DateField("调处日期", validators=[Optional()])
    parties = StringField("参与调处的各方", validators=[DataRequired("请填写参与调处的各方。"), Length(max=200)])
    outcome = TextAreaField("调处结果", validators=[DataRequired("请填写调处结果。"), Length(max=4000)])
    agreement_text = TextAreaField("调解协议内容", validators=[Optional(), Length(max=4000)])
    agreement_scan = FileField("协议扫描件（选填）", render_kw={"accept": ACCEPT})
    villager_confirmed = BooleanField("信访人已确认调处结果")


class CarryUpForm(Form):
    """代言代访: one confirmation."""

    confirm = BooleanField("已与信访人核对事项内容，代其向信访部门提出", validators=[DataRequired("请勾选确认。")])


class FeedbackForm(Form):
    """反馈结果 and the villager's rating of the agent."""

    fed_back_on = DateField("反馈日期", validators=[Optional()])
    text = TextAreaField("向信访人反馈的内容", validators=[DataRequired("请填写反馈内容。"), Length(max=4000)])
    rating = RadioField("信访人对代理员的评议", choices=enum_options(Rating), validators=[Optional()])
    comment = StringField("评议意见", validators=[Optional(), Length(max=500)])


class FollowUpForm(Form):
    """回访巩固."""

    followed_up_on = DateField("回访日期", validators=[Optional()])
    text = TextAreaField("回访情况", validators=[DataRequired("请填写回访情况。"), Length(max=4000)])
    new_risk = StringField("发现的新隐患（没有则不填）", validators=[Optional(), Length(max=500)])


class RatingForm(Form):
    """形象测评 of one department."""

    department_id = SelectField("部门单位", coerce=int, validate_choice=False)
    rating = RadioField("测评结果", choices=enum_options(Rating), validators=[DataRequired("请选择测评结果。")])
    comment = StringField("意见建议", validators=[Optional(), Length(max=500)])


class MessageForm(Form):
    """The office writes to a case's agent."""

    text = TextAreaField("告知代理人", validators=[DataRequired("请填写告知内容。"), Length(max=2000)])


class ComplaintForm(Form):
    """A complaint against an agent, taken by the petition office."""

    channel = SelectField("投诉方式", choices=_channels(), default=Channel.PHONE.value)
    petitioner_name = StringField("投诉人姓名", validators=[DataRequired("请填写投诉人姓名。"), Length(max=50)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    title = StringField("投诉事由", validators=[DataRequired("请填写投诉事由。"), Length(max=100)])
    content = TextAreaField("投诉内容", validators=[DataRequired("请填写投诉内容。"), Length(max=4000)])
