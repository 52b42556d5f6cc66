"""What makes a petitioner's phone number and resident ID number well formed (GB 11643-1999 check digit)."""

from __future__ import annotations

import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# A mainland mobile (11 digits from 13x–19x) or a landline with its area code (0xx-xxxxxxxx, hyphen optional).
_PHONE_SHAPE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str | None) -> str | None:
    value = (value or "").strip().upper().replace(" ", "")
    return value or None


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-character resident ID number, in words for the petitioner; None if valid."""
    if not _ID_SHAPE.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X。"
    if id_check_digit(value[:17]) != value[-1]:
        return "身份证号校验位不正确，请核对。"
    return None


def normalise_phone(value: str | None) -> str | None:
    value = re.sub(r"[\s()（）]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value or None


def phone_problem(value: str) -> str | None:
    if not _PHONE_SHAPE.match(value):
        return "联系电话格式不正确：请填写11位手机号，或带区号的固定电话（如 0731-12345678）。"
    return None
