from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.deadlines.clock import RULES
from portal.forms import Form, options


class CalculatorForm(Form):
    class Meta:
        csrf = False  # a read-only GET form

    rule = SelectField(
        "期限类型", choices=options((r.name, f"{r.label}（{r.length}{r.unit.label}）") for r in RULES.values())
    )
    start = DateField("起算事件发生日", validators=[DataRequired("请选择日期。")])


class OverrideForm(Form):
    day = DateField("日期", validators=[DataRequired("请选择日期。")])
    is_workday = BooleanField("当天上班（调休上班日请勾选；放假请不勾选）")
    note = StringField("说明", validators=[DataRequired("请填写说明，例如“2027年春节”。"), Length(max=100)])
