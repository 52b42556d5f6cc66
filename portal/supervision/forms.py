"""The 督办台账's filter form (a GET form): a bad value is named in Chinese and ignored."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from portal.cases.supervision import SupervisionReason, SupervisionState
from portal.forms import Form, enum_options, options
from portal.supervision.queries import SupervisionFilters


class SupervisionFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    state = SelectField("状态", choices=enum_options(SupervisionState, blank="全部状态"), default="")
    reason = SelectField("督办事由", choices=enum_options(SupervisionReason, blank="全部事由"), default="")
    department = SelectField("责任单位", choices=options([("", "全部单位")]), default="")
    open_only = BooleanField("只看在办")
    late = BooleanField("只看逾期未答复")
    page = IntegerField("页码", validators=[Optional(), NumberRange(min=1)])

    def set_departments(self, departments) -> None:
        self.department.choices = options([("", "全部单位")] + [(str(d.id), d.name) for d in departments])

    def check(self) -> list[str]:
        self.validate()
        messages = []
        for name in self.errors:
            field = self[name]
            raw = (field.raw_data or [""])[0]
            messages.append(f"筛选条件“{field.label.text}”的值“{raw[:50]}”无效，已忽略。")
            field.data = "" if isinstance(field, SelectField) else None
        return messages

    def filters(self) -> SupervisionFilters:
        return SupervisionFilters(
            state=SupervisionState(self.state.data) if self.state.data else None,
            reason=SupervisionReason(self.reason.data) if self.reason.data else None,
            department_id=int(self.department.data) if self.department.data else None,
            open_only=bool(self.open_only.data),
            late_only=bool(self.late.data),
        )

    def query_args(self) -> dict[str, str]:
        args = {}
        for name in ("state", "reason", "department"):
            if self[name].data:
                args[name] = self[name].data
        for name in ("open_only", "late"):
            if self[name].data:
                args[name] = "y"
        return args
