from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.deadlines.clock import RULES
from portal.forms import Form, options

# The years the calculator and the API count from: the holiday data and its fallback cover them, and a period
# counted from 9999-12-31 would end past the last date Python has.
COUNTED_YEARS = (1990, 2100)


class CalculatorForm(Form):
    class Meta:
        csrf = False  # a read-only GET form

    rule = SelectField(
        "期限类型", choices=options((r.name, f"{r.label}（{r.length}{r.unit.label}）") for r in RULES.values())
    )
    start = DateField("起算事件发生日", validators=[DataRequired("请选择日期。")])

    def validate_start(self, field) -> None:
        if not COUNTED_YEARS[0] <= field.data.year <= COUNTED_YEARS[1]:
            raise ValidationError(f"起算日期须在{COUNTED_YEARS[0]}年至{COUNTED_YEARS[1]}年之间。")


class OverrideForm(Form):
    day = DateField("日期", validators=[DataRequired("请选择日期。")])
    is_workday = BooleanField("当天上班（调休上班日请勾选；放假请不勾选）")
    note = StringField("说明", validators=[DataRequired("请填写说明，例如“2027年春节”。"), Length(max=100)])
