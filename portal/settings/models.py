"""Run-time settings: one row per key that differs from its default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.localtime import utcnow


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: object


SPECS = {
    s.key: s
    for s in (
        SettingSpec("evaluation_window_days", "满意度评价期限（日）", 30),
        SettingSpec("max_representatives", "集体访代表人数上限", 5),
        SettingSpec("roster_publish_days_ahead", "排班至少提前公布天数", 2),
        SettingSpec("quota_city_days_per_quarter", "市级领导每季度接访天数（至少）", 1),
        SettingSpec("quota_county_days_per_month", "县级领导每月接访天数（至少）", 1),
        SettingSpec("quota_township_days_per_week", "乡镇领导每周接访天数（至少）", 1),
        SettingSpec("repeat_lookback_days", "重信重访判定回溯天数", 365),
        SettingSpec("office_name", "信访部门名称", "县信访局"),
        SettingSpec("office_address", "来访接待地址", "县人民来访接待中心（县政务服务中心一楼）"),
        SettingSpec("office_phone", "来电电话", "0000-12345"),
        SettingSpec("office_mail_address", "来信地址", "县信访局（邮编 000000）"),
        SettingSpec("office_email", "来邮地址", "xinfang@example.gov.cn"),
        SettingSpec("reception_hours", "接待时间", "工作日 上午8:30—12:00，下午14:30—17:30"),
    )
}


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def get_setting(key: str):
    spec = SPECS[key]
    row = db.session.get(Setting, key)
    return spec.default if row is None else row.value
