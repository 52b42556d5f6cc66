"""The ledger filter form (a GET form): every value is checked, a bad one is named in Chinese and ignored."""

from __future__ import annotations

import datetime as dt

from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from portal.cases.models import CaseType, Channel, Status
from portal.forms import Form, enum_options, options
from portal.ledgers.queries import NONE, SORTS, Filters, valid_sort
from portal.stats.indicators import COUNT_LABELS

MAX_DUE_WITHIN = 365


class LedgerFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField("搜索", validators=[Optional(), Length(max=50)])
    status = SelectField("阶段", choices=enum_options(Status, blank="全部阶段"), default="")
    department = SelectField("责任单位", choices=options([("", "全部单位")]), default="")
    owner = SelectField("包案领导", choices=options([("", "全部领导")]), default="")
    channel = SelectField("渠道", choices=enum_options(Channel, blank="全部渠道"), default="")
    case_type = SelectField("信访类型", choices=enum_options(CaseType, blank="全部类型"), default="")
    category = SelectField("内容分类", choices=options([("", "全部分类")]), default="")
    place_area = SelectField("问题属地", choices=options([("", "全部属地")]), default="")
    # What one number of the staff dashboard counts (its link lands here); not offered in the filter form.
    counted = SelectField(
        "统计口径", choices=options([("", "全部"), *COUNT_LABELS.items()]), default="", validators=[Optional()]
    )
    accepted_by = SelectField("受理单位", choices=options([("", "全部")]), default="")
    received_from = DateField("收到日期自", validators=[Optional()])
    received_to = DateField("收到日期至", validators=[Optional()])
    overdue = BooleanField("只看超期")
    due_within = IntegerField("几日内到期", validators=[Optional(), NumberRange(min=0, max=MAX_DUE_WITHIN)])
    sort = HiddenField()
    page = IntegerField("页码", validators=[Optional(), NumberRange(min=1, max=2**62)])
    # Past the numbered pages: the page after (before) this case in the ledger's order (keyset paging).
    after = IntegerField("翻页位置", validators=[Optional(), NumberRange(min=1, max=2**62)])
    before = IntegerField("翻页位置", validators=[Optional(), NumberRange(min=1, max=2**62)])

    ADVANCED = ("channel", "case_type", "category", "place_area", "received_from", "received_to", "due_within")

    def set_choices(self, *, departments, leaders, categories, places=(), offices=()) -> None:
        self.department.choices = options(
            [("", "全部单位"), ("none", "未交办")] + [(str(d.id), d.name) for d in departments]
        )
        self.owner.choices = options(
            [("", "全部领导"), ("none", "无包案领导")] + [(str(u.id), u.name) for u in leaders]
        )
        self.category.choices = options(
            [("", "全部分类"), ("none", "未分类")] + [(str(c.id), c.name) for c in categories]
        )
        self.place_area.choices = options(
            [("", "全部属地"), ("none", "未选问题属地")] + [(str(d.id), d.name) for d in places]
        )
        self.accepted_by.choices = options([("", "全部")] + [(str(d.id), d.name) for d in offices])

    def check(self) -> list[str]:
        """Validate every value; return one Chinese message per bad value, and forget those values."""
        self.validate()
        messages = []
        for name in self.errors:
            field = self[name]
            raw = (field.raw_data or [""])[0]
            messages.append(f"筛选条件“{field.label.text}”的值“{raw[:50]}”无效（{self._reason(field)}），已忽略。")
            field.data = "" if isinstance(field, (SelectField, StringField)) else None
            field.raw_data = []
        if self.sort.data and not valid_sort(self.sort.data):
            messages.append(f"排序方式“{self.sort.data[:20]}”无效，已按默认顺序排列。")
            self.sort.data = ""
        start, end = self.received_from.data, self.received_to.data
        if start and end and start > end:
            messages.append("收到日期的起始日晚于截止日，已忽略该日期范围。")
            self.received_from.data = self.received_to.data = None
        return messages

    @staticmethod
    def _reason(field) -> str:
        if isinstance(field, DateField):
            return "应为“年-月-日”格式的日期，如 2026-11-23"
        if field.name == "due_within":
            return f"应为 0 到 {MAX_DUE_WITHIN} 之间的整数"
        if field.name in ("page", "after", "before"):
            return "应为正整数"
        if isinstance(field, SelectField):
            return "不是可选的值"
        return "搜索词不能超过50个字"

    @property
    def counted_description(self) -> str:
        """“统计口径” in words when a dashboard number brought the person here, else empty."""
        if not self.counted.data:
            return ""
        labels = {c.value: c.label for c in self.counted.choices}
        text = f"只列出统计口径“{labels.get(self.counted.data, '')}”计入的信访件"
        if self.accepted_by.data:
            offices = {c.value: c.label for c in self.accepted_by.choices}
            text += f"（受理单位：{offices.get(self.accepted_by.data, '')}）"
        return text + "。"

    @property
    def advanced_active(self) -> bool:
        return any(self[name].data not in (None, "") for name in self.ADVANCED)

    def filters(self) -> Filters:
        return Filters(
            q=(self.q.data or "").strip() or None,
            status=Status(self.status.data) if self.status.data else None,
            department_id=_int(self.department.data),
            owner_id=_int(self.owner.data),
            channel=Channel(self.channel.data) if self.channel.data else None,
            case_type=CaseType(self.case_type.data) if self.case_type.data else None,
            category_id=_int(self.category.data),
            place_area_id=_int(self.place_area.data),
            counted=self.counted.data or None,
            accepted_by=_int(self.accepted_by.data),
            received_from=self.received_from.data,
            received_to=self.received_to.data,
            overdue_only=bool(self.overdue.data),
            due_within=self.due_within.data,
            sort=self.sort.data or None,
        )

    def query_args(self, keep_empty: tuple[str, ...] = ()) -> dict[str, str]:
        """The valid filter values as query-string arguments (no page), for sort, page and export links.
        ``keep_empty`` names parameters whose empty value means something (``owner=``: all leaders)."""
        args = {}
        for field in self:
            if field.name in ("page", "after", "before"):
                continue
            value = field.data
            if isinstance(value, bool):
                value = "1" if value else ""
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif value is None:
                value = ""
            value = str(value).strip()
            if value or field.name in keep_empty:
                args[field.name] = value
        return args

    def described(self) -> list[tuple[str, str]]:
        """The filters in force, in words: for the export's notes and the audit log."""
        out = []
        for field in self:
            navigation = field.name in ("page", "after", "before", "sort")
            if navigation or field.data is None or field.data is False or field.data == "":
                continue
            if isinstance(field, SelectField):
                value = {c.value: c.label for c in field.choices}.get(field.data, field.data)
            elif isinstance(field, BooleanField):
                value = "是"
            elif isinstance(field, DateField):
                value = field.data.isoformat()
            else:
                value = str(field.data)
            out.append((field.label.text, value))
        if self.sort.data:
            key = self.sort.data.removeprefix("-")
            out.append(("排序", f"{SORTS[key][0]}{'降序' if self.sort.data.startswith('-') else '升序'}"))
        return out


def _int(value: str | None) -> int | None:
    if value == "none":
        return NONE
    return int(value) if value else None
