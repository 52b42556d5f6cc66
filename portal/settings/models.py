"""Run-time settings: one row per key that differs from its default. Each setting says what it means, in which unit
it counts and which values it takes, so the system administrator's page can show and check it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.caching import in_transaction
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import utcnow
from portal.validation import printable

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTCODE = re.compile(r"^\d{6}$")
# A public number as published: a landline with its area code or a hotline such as 12345, with an optional
# extension or a second number after 、.
_PUBLIC_PHONE = re.compile(r"^[0-9０-９\-—()（）、，, 转]{3,60}$")


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: object
    meaning: str = ""  # what changes when the value changes, and the rule behind it
    unit: str = ""  # 日, 天, 人 …; empty for text
    group: str = "办理"
    minimum: int | None = None  # for numbers
    maximum: int | None = None
    max_length: int = 200  # for text
    shape: str | None = None  # "email", "postcode", "phone": a check beyond the length

    @property
    def is_number(self) -> bool:
        return isinstance(self.default, int)

    def clean(self, raw) -> object:
        """The value ``raw`` (typed on the page, read from a spreadsheet or given on the command line) means, or a
        DomainError that says why it is refused."""
        text = printable(str(raw if raw is not None else "").strip(), self.label)
        if self.is_number:
            if not re.fullmatch(r"-?\d{1,9}", text):
                raise DomainError(f"{self.label}应为整数。")
            value = int(text)
            if self.minimum is not None and value < self.minimum:
                raise DomainError(f"{self.label}不能小于{self.minimum}{self.unit}。")
            if self.maximum is not None and value > self.maximum:
                raise DomainError(f"{self.label}不能大于{self.maximum}{self.unit}。")
            return value
        if len(text) > self.max_length:
            raise DomainError(f"{self.label}不能超过{self.max_length}字。")
        if not text:
            if self.default:
                raise DomainError(f"请填写{self.label}。")
            return ""
        if self.shape == "email" and not _EMAIL.match(text):
            raise DomainError(f"{self.label}格式不正确，例如 xfj@county.gov.cn。")
        if self.shape == "postcode" and not _POSTCODE.match(text):
            raise DomainError(f"{self.label}应为6位数字。")
        if self.shape == "document_number" and (
            "{序号}" not in text or set(re.findall(r"\{([^{}]*)\}", text)) - set(DOCUMENT_NUMBER_FIELDS)
        ):
            raise DomainError(f"{self.label}须包含{{序号}}，可用{{代字}}、{{年份}}、{{序号}}，例如 {self.default}。")
        if self.shape == "phone" and not (_PUBLIC_PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 5):
            raise DomainError(f"{self.label}格式不正确，例如 0745-1234567 或 12345。")
        return text


CONTACTS = "信访渠道（公开）"
DOCUMENTS = "文书"
# What a document number pattern may contain (portal.documents): the kind's 机关代字, the year and the sequence.
DOCUMENT_NUMBER_FIELDS = ("代字", "年份", "序号")
DUTY = "领导接访"
HANDLING = "办理"

# The petition office's public channels (条例 art.18): empty until configured, and a page shows only what is set.
CONTACT_KEYS = (
    "office_address",
    "reception_hours",
    "office_mail_address",
    "office_postcode",
    "office_phone",
    "office_email",
)

SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in (
        SettingSpec(
            "county_name",
            "县（市、区）名称",
            "",
            "本平台服务的行政区域，公开首页标题下显示，例如“云溪县”。",
            group=CONTACTS,
            max_length=30,
        ),
        SettingSpec(
            "office_name",
            "信访部门名称",
            "信访部门",
            "短信告知的署名（【…】）、个人信息保护告知和领导接访日历使用的名称。",
            group=CONTACTS,
            max_length=50,
        ),
        SettingSpec(
            "office_address",
            "来访接待地址",
            "",
            "群众来访的接待场所，公开首页和领导接访页公布（《信访工作条例》第十八条）；也是新建接访排班的默认地点。",
            group=CONTACTS,
        ),
        SettingSpec(
            "reception_hours",
            "接待时间",
            "",
            "来访接待的日期和时段，公开首页和领导接访页公布（第十八条）。",
            group=CONTACTS,
        ),
        SettingSpec(
            "office_mail_address",
            "来信地址",
            "",
            "群众来信的收信地址（不含邮编），公开首页公布（第十八条）。",
            group=CONTACTS,
        ),
        SettingSpec(
            "office_postcode",
            "来信邮编",
            "",
            "来信地址的邮政编码，6位数字。",
            group=CONTACTS,
            max_length=6,
            shape="postcode",
        ),
        SettingSpec(
            "office_phone",
            "来电电话",
            "",
            "群众来电和预约约访的电话，含区号，公开首页和领导接访页公布（第十八条）。",
            group=CONTACTS,
            max_length=60,
            shape="phone",
        ),
        SettingSpec(
            "office_email",
            "来邮地址",
            "",
            "接收群众电子邮件的信箱，公开首页公布（第十八条）。",
            group=CONTACTS,
            max_length=100,
            shape="email",
        ),
        SettingSpec(
            "evaluation_window_days",
            "满意度评价期限",
            30,
            "信访人收到处理意见后可以网上评价满意度的期限，自送达之日起计算。",
            unit="日",
            group=HANDLING,
            minimum=1,
            maximum=90,
        ),
        SettingSpec(
            "due_soon_working_days",
            "临期提醒天数",
            3,
            "办理期限在今后几个工作日内届满的在办信访件列入临期清单，督查据此提前督办。",
            unit="个工作日",
            group=HANDLING,
            minimum=1,
            maximum=20,
        ),
        SettingSpec(
            "max_representatives",
            "集体访代表人数上限",
            5,
            "多人来访推选代表的人数上限，登记时超出即拒绝；《信访工作条例》第二十条规定不超过5人。",
            unit="人",
            group=HANDLING,
            minimum=1,
            maximum=5,
        ),
        SettingSpec(
            "notice_daily_limit",
            "每件每日重发短信、重新生成查询码次数上限",
            3,
            "同一信访件每天由登记员重发短信和重新生成查询码的合计次数上限，防止被用来向某个号码反复发送短信。",
            unit="次",
            group=HANDLING,
            minimum=1,
            maximum=10,
        ),
        SettingSpec(
            "roster_publish_days_ahead",
            "接访排班至少提前公布",
            2,
            "领导接访排班须提前公布的天数，不足的排班不能公布。",
            unit="天",
            group=DUTY,
            minimum=0,
            maximum=60,
        ),
        SettingSpec(
            "quota_city_days_per_quarter",
            "市级领导每季度接访天数",
            1,
            "每位市级领导每季度至少接访的天数，排班页据此提示谁未达标。",
            unit="天/季度",
            group=DUTY,
            minimum=0,
            maximum=92,
        ),
        SettingSpec(
            "quota_county_days_per_month",
            "县级领导每月接访天数",
            1,
            "每位县级领导每月至少接访的天数。",
            unit="天/月",
            group=DUTY,
            minimum=0,
            maximum=31,
        ),
        SettingSpec(
            "quota_township_days_per_week",
            "乡镇领导每周接访天数",
            1,
            "每位乡镇（街道）领导每周至少接访的天数。",
            unit="天/周",
            group=DUTY,
            minimum=0,
            maximum=7,
        ),
        SettingSpec(
            "document_number_pattern",
            "文号格式",
            "{代字}〔{年份}〕{序号}号",
            "文书编号的格式（GB/T 9704：机关代字、年份、发文顺序号），序号按出具机关、文书种类和年度连续编排；"
            "改后新出具的文书使用新格式，已出具的不变。",
            group=DOCUMENTS,
            max_length=40,
            shape="document_number",
        ),
    )
}
GROUPS = (CONTACTS, HANDLING, DUTY, DOCUMENTS)


def declare(spec: SettingSpec) -> SettingSpec:
    """Add a setting declared by another area (a document kind's 机关代字), shown under its group."""
    if spec.group not in GROUPS:
        raise ValueError(f"setting group {spec.group} is not shown on the settings page")
    existing = SPECS.setdefault(spec.key, spec)
    if existing is not spec:
        raise ValueError(f"setting {spec.key} declared twice")
    return spec


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def _configured() -> dict:
    """Every configured setting ({key: value}), read once per transaction (``portal.caching.in_transaction``): a
    page asks for several, and a setting left at its default has no row, so each ``get`` of it queried again."""
    return in_transaction(
        db.session,
        "settings.configured",
        (Setting,),
        lambda: {row.key: row.value for row in db.session.execute(db.select(Setting)).scalars()},
    )


def get_setting(key: str):
    spec = SPECS[key]
    return _configured().get(key, spec.default)


def is_set(key: str) -> bool:
    """True when someone configured ``key`` (a row exists), whatever its value."""
    return key in _configured()


def office_contacts() -> dict[str, str]:
    """The public channels that are configured (条例 art.18), by key; a channel not configured is absent, never a
    placeholder. ``county_name`` only when set; ``office_name`` always (its default is a plain description)."""
    wanted = (*CONTACT_KEYS, "county_name", "office_name")
    rows = {key: value for key, value in _configured().items() if key in wanted}
    shown = {key: value for key, value in rows.items() if isinstance(value, str) and value.strip()}
    shown.setdefault("office_name", SPECS["office_name"].default)
    return shown
