"""The auditor's filters: person, case, action (by its Chinese name), result, date range."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.audit.labels import AREAS, LABELS, area
from portal.forms import Form, options


def action_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions by area, each with its Chinese name, for the <optgroup>s of the action filter."""
    groups: dict[str, list[tuple[str, str]]] = {name: [] for name in AREAS.values()}
    for code, name in LABELS.items():
        groups.setdefault(area(code), []).append((code, name))
    return [(group, items) for group, items in groups.items() if items]


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    person = StringField("操作人", validators=[Optional(), Length(max=100, message="操作人不超过100个字。")])
    case = StringField("信访件编号", validators=[Optional(), Length(max=30, message="信访件编号不超过30个字符。")])
    # Drawn by hand as a <select> with an <optgroup> per area (action_groups); any value outside LABELS is ignored.
    action = StringField("操作", validators=[Optional(), Length(max=50)])
    words = StringField("操作名称含", validators=[Optional(), Length(max=20, message="操作名称不超过20个字。")])
    success = SelectField(
        "结果", choices=options([("", "全部"), ("1", "成功"), ("0", "失败或被拒绝")]), validators=[Optional()]
    )
    date_from = DateField("起始日期", validators=[Optional()])
    date_to = DateField("截止日期", validators=[Optional()])

    def filters(self) -> tuple[dict, list[str]]:
        """The filters that can be applied, and a message for each one that cannot (it is then left out)."""
        self.validate()
        messages = [f"{getattr(self, name).label.text}：{errors[0]}" for name, errors in self.errors.items()]
        kept = {name: field.data for name, field in self._fields.items() if name not in self.errors and field.data}
        if kept.get("action") and kept["action"] not in LABELS:
            messages.append("操作：没有这种操作，已忽略。")
            kept.pop("action")
        if kept.get("date_from") and kept.get("date_to") and kept["date_from"] > kept["date_to"]:
            messages.append("起始日期晚于截止日期，已忽略日期范围。")
            kept.pop("date_from"), kept.pop("date_to")
        return {k: v.strip() if isinstance(v, str) else v for k, v in kept.items()}, messages
