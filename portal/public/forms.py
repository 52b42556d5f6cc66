"""Forms of the public pages. Length limits come from the services, so the form and the API refuse the same."""

from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.cases.attachments import ACCEPT
from portal.cases.models import CaseType, Rating
from portal.cases.services import CONTENT_MAX, TITLE_MAX
from portal.forms import Form, enum_options

CASE_TYPE_HINTS = {
    CaseType.SUGGESTION: "对工作提出建议、意见或批评",
    CaseType.ACCUSATION: "检举、控告公职人员违纪违法行为（由纪检监察机关办理，身份严格保密）",
    CaseType.CLAIM: "反映自身合法权益受到侵害，请求解决问题",
}


class SubmitForm(Form):
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名不能超过50字。")])
    phone = StringField(
        "联系电话",
        validators=[
            DataRequired("请填写联系电话，以便告知办理情况。"),
            Length(max=20, message="联系电话不能超过20位。"),
        ],
    )
    id_number = StringField("身份证号（选填）", validators=[Optional(), Length(max=18, message="身份证号应为18位。")])
    address = StringField(
        "住址或所在乡镇（选填）", validators=[Optional(), Length(max=200, message="住址不能超过200字。")]
    )
    case_type = RadioField("信访类型", choices=enum_options(CaseType), validators=[InputRequired("请选择信访类型。")])
    category_id = SelectField("内容分类（选填）", coerce=int, validate_choice=False)
    place = StringField(
        "问题发生地（选填）", validators=[Optional(), Length(max=200, message="问题发生地不能超过200字。")]
    )
    title = StringField(
        "标题", validators=[DataRequired("请填写标题。"), Length(max=TITLE_MAX, message=f"标题不能超过{TITLE_MAX}字。")]
    )
    content = TextAreaField(
        "信访内容",
        validators=[
            DataRequired("请填写信访内容。"),
            Length(max=CONTENT_MAX, message=f"信访内容不能超过{CONTENT_MAX}字。"),
        ],
    )
    attachments = MultipleFileField("附件（选填）", render_kw={"accept": ACCEPT})
    consent = BooleanField(
        "我已阅读并同意《个人信息保护告知》", validators=[DataRequired("请阅读并同意个人信息保护告知后再提交。")]
    )
    # A field people never see; robots fill it in. Named like a real field on purpose.
    website = StringField("网址", render_kw={"tabindex": "-1", "autocomplete": "off"})


class LookupForm(Form):
    tracking_code = StringField(
        "信访件编号",
        validators=[DataRequired("请填写信访件编号。"), Length(max=30)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    query_code = StringField(
        "查询码",
        validators=[DataRequired("请填写查询码。"), Length(max=30)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


RATING_CHOICES = enum_options(Rating)


class EvaluationForm(Form):
    acceptance = RadioField(
        "对信访部门受理工作的评价", choices=RATING_CHOICES, validators=[InputRequired("请评价信访部门的受理工作。")]
    )
    handling = RadioField(
        "对责任单位办理工作的评价", choices=RATING_CHOICES, validators=[InputRequired("请评价责任单位的办理工作。")]
    )
    comment = TextAreaField(
        "意见建议（选填）", validators=[Optional(), Length(max=1000, message="意见建议不能超过1000字。")]
    )


class ReviewForm(Form):
    reason = TextAreaField(
        "申请理由", validators=[DataRequired("请写明申请理由。"), Length(max=2000, message="申请理由不能超过2000字。")]
    )
