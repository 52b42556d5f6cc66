"""The checks every area applies to what a person typed: text length, phone numbers, resident ID numbers
(GB 11643-1999 check digit and a real, past birth date), a visit's people count and a group's representatives.
Each check returns the cleaned value or raises a DomainError whose message the person can act on. No Flask, no
database."""

from __future__ import annotations

import datetime as dt
import re

from portal.errors import DomainError
from portal.localtime import today as local_today

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# A mainland mobile (11 digits from 13x–19x) or a landline with its area code (0xx-xxxxxxxx, hyphen optional).
_PHONE_SHAPE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# What a clerk types around the digits: spaces, brackets, dots and dashes between groups of a mobile number.
_PHONE_NOISE = re.compile(r"[\s()（）.·]")
NAME_MAX = 50
# What no text a person sends may carry: C0 control characters other than tab and line breaks, DEL and the two
# non-characters XML cannot hold (a regex class body, so the OpenAPI document states the same rule as a pattern), and
# lone surrogates, which are not characters at all. They are never typed, only injected; PostgreSQL refuses NUL.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff"
_UNPRINTABLE = re.compile(f"[{CONTROL_CHARACTERS}\\ud800-\\udfff]")


# --- free text ---------------------------------------------------------------------------------------------
def printable(value: str, label: str) -> str:
    """``value`` unchanged; refused when it carries a character no keyboard types (see ``CONTROL_CHARACTERS``)."""
    if _UNPRINTABLE.search(value):
        raise DomainError(f"{label}中含有无法识别的控制字符，请删除后重新填写。")
    return value


def within(value: str, label: str, max_length: int) -> str:
    """``value`` unchanged; refused when longer than ``max_length`` characters."""
    if len(value) > max_length:
        raise DomainError(f"{label}不能超过{max_length}字。")
    return value


def limited(value: str | None, label: str, max_length: int) -> str:
    """``value`` trimmed; refused when longer than ``max_length`` characters."""
    return within((value or "").strip(), label, max_length)


def required(value: str | None, label: str, max_length: int | None = None) -> str:
    """``value`` trimmed; refused when empty or longer than ``max_length`` characters."""
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。")
    return limited(value, label, max_length) if max_length else value


# --- phone numbers -----------------------------------------------------------------------------------------
def normalise_phone(value: str | None) -> str | None:
    """The digits of a number as a clerk may type it (``+86 138 0013 8000``, ``(0731)12345678``); None if empty."""
    value = _PHONE_NOISE.sub("", value or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if value.startswith("1") and "-" in value:  # 138-0013-8000: dashes only group a mobile's digits
        value = value.replace("-", "")
    return value or None


def phone_problem(value: str) -> str | None:
    """Why a normalised ``value`` is not a phone number, in words for the person; None if it is one."""
    if not _PHONE_SHAPE.match(value):
        return "联系电话格式不正确：请填写11位手机号，或带区号的固定电话（如 0731-12345678）。"
    return None


# --- resident ID numbers -----------------------------------------------------------------------------------
def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str | None) -> str | None:
    value = (value or "").strip().upper().replace(" ", "")
    return value or None


def birth_date(id_number: str) -> dt.date | None:
    """The birth date written in positions 7–14 of an 18-character ID number; None when it is not a date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_number_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why ``value`` is not a valid 18-character resident ID number, in words for the person; None if valid."""
    if not _ID_SHAPE.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X。"
    born = birth_date(value)
    if born is None or not ID_EARLIEST_BIRTH <= born <= (today or local_today()):
        return "身份证号中的出生日期（第7至14位）不是有效日期，请核对。"
    if id_check_digit(value[:17]) != value[-1]:
        return "身份证号校验位不正确，请核对。"
    return None


def contact(phone: str | None, id_number: str | None) -> tuple[str | None, str | None]:
    """Normalised phone and ID number; a malformed one is refused with the reason."""
    phone, id_number = normalise_phone(phone), normalise_id_number(id_number)
    problem = (phone and phone_problem(phone)) or (id_number and id_number_problem(id_number))
    if problem:
        raise DomainError(problem)
    return phone, id_number


# --- visits and group visits ------------------------------------------------------------------------------
def people_count(value: int | None, *, maximum: int) -> int:
    """How many people came; refused when missing or outside 1 … ``maximum``."""
    if value is None or not 1 <= value <= maximum:
        raise DomainError(f"来访人数应在1至{maximum}之间。")
    return value


def representatives(names, *, people_count: int, limit: int) -> list[str]:
    """A group's representatives (条例 art.20: at most ``limit``, never more than the people who came)."""
    names = [n.strip() for n in names if n and n.strip()]
    if len(names) > limit:
        raise DomainError(f"集体访推选的代表不得超过{limit}人（《信访工作条例》第二十条），现填写了{len(names)}人。")
    if len(names) > people_count:
        raise DomainError(f"代表人数（{len(names)}人）不能多于来访人数（{people_count}人）。")
    if any(len(n) > NAME_MAX for n in names):
        raise DomainError(f"代表姓名不能超过{NAME_MAX}字。")
    return names
