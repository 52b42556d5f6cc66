"""Reception logs are tested on one fixed day (a Monday), so JF numbers, slot days and deadlines are known."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func

from portal.accounts.models import Role, User
from portal.audit.models import AuditLog
from portal.cases.models import Case, Instruction
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.localtime import as_of
from portal.reception.models import ReceptionCorrection, ReceptionEntry, ReceptionLog
from portal.reception.services import Visitor
from tests.factories import user

DAY = dt.date(2026, 11, 23)  # Monday


@pytest.fixture(autouse=True)
def on_duty_day():
    """Every test here runs at 10:00 on DAY (China time) unless it says otherwise."""
    with as_of(dt.datetime(DAY.year, DAY.month, DAY.day, 10, 0)):
        yield


def make_slot(
    leader: User,
    day: dt.date = DAY,
    period: Period = Period.MORNING,
    *,
    cancelled: bool = False,
    place: str = "县人民来访接待中心",
) -> DutySlot:
    slot = DutySlot(
        day=day,
        period=period,
        leader=leader,
        place=place,
        form=Form.FIXED,
        topics="信访、乡村振兴",
        published=True,
        cancelled=cancelled,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def second_leader(world) -> User:
    return user("leader2", Role.LEADER, department=world.office, name="刘副县长", title="副县长")


def visitor(**kwargs) -> Visitor:
    values = {
        "name": "刘群众",
        "matter": "村道硬化工程停工半年，雨天无法通行。",
        "phone": "13912340001",
        "address": "城关镇幸福村3组",
        "place": "城关镇幸福村",
    }
    values.update(kwargs)
    return Visitor(**values)


def totals() -> tuple:
    """Everything a reception write can leave behind, counted."""

    def n(model):
        return db.session.scalar(db.select(func.count()).select_from(model))

    return n(ReceptionLog), n(ReceptionEntry), n(ReceptionCorrection), n(Case), n(Instruction), n(AuditLog)


def audit_actions(prefix: str = "reception.") -> list[str]:
    return list(
        db.session.scalars(db.select(AuditLog.action).where(AuditLog.action.startswith(prefix)).order_by(AuditLog.id))
    )
