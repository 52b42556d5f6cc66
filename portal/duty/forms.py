"""One form per use case on the staff roster pages."""

from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.duty.models import Form as DutyForm
from portal.duty.models import Period
from portal.duty.roster import PLACE_MAX, REASON_MAX, SPECIAL_NAME_MAX, TOPICS_MAX
from portal.forms import Form, enum_options, options


class BackForm(Form):
    """Where a plain (non-htmx) POST returns to: ``month``, ``list`` or ``mine``."""

    back = HiddenField()
    month = HiddenField()


class SlotForm(BackForm):
    """Create a slot, or move one (day, period, leader) and edit its details."""

    day = DateField("日期", validators=[DataRequired("请填写日期（年-月-日）。")])
    period = SelectField("时段", choices=enum_options(Period), default=Period.MORNING.value)
    leader_id = SelectField(
        "接访领导", coerce=int, validate_choice=False, validators=[DataRequired("请选择接访领导。")]
    )
    place = StringField(
        "接访地点",
        validators=[
            DataRequired("请填写接访地点。"),
            Length(max=PLACE_MAX, message=f"接访地点不能超过{PLACE_MAX}字。"),
        ],
    )
    form = SelectField("接访形式", choices=enum_options(DutyForm), default=DutyForm.FIXED.value)
    topics = StringField(
        "分管工作", validators=[Optional(), Length(max=TOPICS_MAX, message=f"分管工作不能超过{TOPICS_MAX}字。")]
    )
    confirm_rest_day = BooleanField("确认在休息日排班")


class SwapForm(BackForm):
    substitute_id = SelectField(
        "请谁接替", coerce=int, validate_choice=False, validators=[DataRequired("请选择接替的领导。")]
    )
    reason = StringField(
        "调换原因",
        validators=[
            DataRequired("请填写调换原因。"),
            Length(max=REASON_MAX, message=f"调换原因不能超过{REASON_MAX}字。"),
        ],
    )


class CancelForm(BackForm):
    reason = StringField(
        "取消原因（选填）", validators=[Optional(), Length(max=REASON_MAX, message=f"取消原因不能超过{REASON_MAX}字。")]
    )


class SpecialPeriodForm(BackForm):
    name = StringField(
        "名称",
        validators=[
            DataRequired("请填写特殊时期名称，如“国庆假期”。"),
            Length(max=SPECIAL_NAME_MAX, message=f"名称不能超过{SPECIAL_NAME_MAX}字。"),
        ],
    )
    starts_on = DateField("开始日期", validators=[DataRequired("请填写开始日期。")])
    ends_on = DateField("结束日期", validators=[DataRequired("请填写结束日期。")])
    coverage = RadioField(
        "要求",
        choices=options(
            [("every_day", "每天都要有领导接访（含休息日）"), ("working_days", "每个工作日都要有领导接访")]
        ),
        default="every_day",
        validators=[DataRequired("请选择要求。")],
    )
