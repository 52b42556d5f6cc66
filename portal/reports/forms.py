"""The supervisor's form for producing a report of any period."""

from __future__ import annotations

from wtforms import DateField, SelectField
from wtforms.validators import DataRequired

from portal.forms import Form, enum_options
from portal.reports.models import ReportKind


class ProduceForm(Form):
    kind = SelectField("通报类型", choices=enum_options(ReportKind), default=ReportKind.WEEKLY.value)
    start = DateField("统计期间自", validators=[DataRequired("请填写起始日期（年-月-日）。")])
    end = DateField("统计期间至", validators=[DataRequired("请填写截止日期（年-月-日）。")])
