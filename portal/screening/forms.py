"""One form per use case of the screening pages."""

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.cases.models import CaseType
from portal.forms import Form, enum_options
from portal.screening.models import DisputeKind, Risk


class DisputeForm(Form):
    party = StringField("当事人", validators=[DataRequired("请填写当事人。"), Length(max=100)])
    party_phone = StringField("当事人电话", validators=[Optional(), Length(max=20)])
    kind = SelectField("纠纷类型", choices=enum_options(DisputeKind), default=DisputeKind.NEIGHBOUR.value)
    place = StringField("发生地点", validators=[Optional(), Length(max=200)])
    risk = SelectField("风险等级", choices=enum_options(Risk), default=Risk.LOW.value)
    summary = TextAreaField("纠纷情况", validators=[DataRequired("请填写纠纷情况。"), Length(max=4000)])
    action_taken = TextAreaField("已采取的措施", validators=[DataRequired("请填写已采取的措施。"), Length(max=4000)])


class ZeroForm(Form):
    """零报告: one button (the form carries the CSRF token)."""


class WeeklyForm(Form):
    note = TextAreaField("本周化解工作情况", validators=[Optional(), Length(max=4000)])


class MediateForm(Form):
    resolution = TextAreaField("调解结果", validators=[DataRequired("请填写调解结果。"), Length(max=4000)])
    day = DateField("调解日期", validators=[Optional()])


class ToCaseForm(Form):
    title = StringField("事项标题", validators=[DataRequired("请填写事项标题。"), Length(max=100)])
    content = TextAreaField("信访内容", validators=[DataRequired("请填写信访内容。"), Length(max=4000)])
    phone = StringField("当事人联系电话", validators=[Optional(), Length(max=20)])
    case_type = SelectField("信访类型", choices=enum_options(CaseType), default=CaseType.CLAIM.value)
