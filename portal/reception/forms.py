"""One form per use case on the reception log pages."""

from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.cases.models import CaseType, Rating
from portal.forms import Form, enum_options
from portal.reception.models import Handling


class VisitorForm(Form):
    """The visitor (or group) and the matter: what every entry has."""

    name = StringField("来访人姓名", validators=[DataRequired("请填写来访人姓名。"), Length(max=50)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    id_number = StringField("身份证号", validators=[Optional(), Length(max=18, message="身份证号应为18位。")])
    address = StringField("住址", validators=[Optional(), Length(max=200)])
    people_count = IntegerField(
        "来访人数",
        default=1,
        validators=[
            InputRequired("请填写来访人数。"),
            NumberRange(min=1, max=10000, message="来访人数应在1至10000之间。"),
        ],
    )
    representatives = TextAreaField("代表姓名（每行一人）", validators=[Optional(), Length(max=500)])
    matter = TextAreaField(
        "反映事项", validators=[DataRequired("请填写反映事项。"), Length(max=5000, message="反映事项不能超过5000字。")]
    )
    place = StringField("问题发生地", validators=[Optional(), Length(max=200)])
    answer = TextAreaField("答复内容", validators=[Optional(), Length(max=5000)])
    satisfaction = SelectField("来访人满意度", choices=enum_options(Rating, blank="未表态"), validators=[Optional()])

    def representative_names(self) -> tuple[str, ...]:
        return tuple((self.representatives.data or "").splitlines())


class EntryForm(VisitorForm):
    """A new entry: the visitor, then how the leader handled it (on the spot, or instructed and transferred)."""

    handling = RadioField("处理方式", choices=enum_options(Handling), default=Handling.ANSWERED.value)
    case_type = SelectField("信访类型", choices=enum_options(CaseType), default=CaseType.CLAIM.value)
    department_id = SelectField("责任单位", coerce=int, validate_choice=False, default=0)
    title = StringField("事项标题", validators=[Optional(), Length(max=100, message="事项标题不能超过100字。")])
    instruction = TextAreaField("领导批示", validators=[Optional(), Length(max=2000)])
    repeat_of_id = RadioField("重复信访", coerce=int, validate_choice=False, default=0)
    new_facts = BooleanField("有新的事实和理由（原件已复核终结时勾选）")


class EditForm(VisitorForm):
    """Correcting an on-the-spot entry before the log is submitted."""


class SubmitForm(Form):
    summary = TextAreaField("接访小结", validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(
        "已核对全部登记，提交后不能再添加或修改", validators=[DataRequired("请勾选确认已核对全部登记。")]
    )


class CorrectionForm(Form):
    entry_id = SelectField("更正哪一条", coerce=int, validate_choice=False, default=0)
    text = TextAreaField("更正内容", validators=[DataRequired("请填写更正内容。"), Length(max=2000)])
