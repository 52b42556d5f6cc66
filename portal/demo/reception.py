"""Reception logs for the demo's past duty slots: visitors answered on the spot, and visits instructed and
transferred to a department as cases (批示转办)."""

from __future__ import annotations

import datetime as dt
import random

from portal.cases.models import (
    Rating,
)
from portal.demo.matters import FEMALE_NAMES, MALE_NAMES, PHONE_PREFIXES, SURNAMES
from portal.duty.models import DutySlot, Form
from portal.extensions import db
from portal.localtime import as_of
from portal.localtime import now as local_now
from portal.org.models import Department, Level
from portal.reception.models import Handling

RECEPTION_VISITS = [
    # (matter, place, people, answered on the spot?, answer or instruction, department key)
    (
        "反映小区地下车库长期积水，物业推诿不处理。",
        "城关镇幸福路锦绣家园",
        1,
        False,
        "请县住建局牵头，督促物业公司十日内排水清淤，结果书面答复群众。",
        "zj",
    ),
    (
        "咨询城乡居民医保断缴后如何补缴。",
        "",
        1,
        True,
        "当场告知：携带身份证到县医保服务中心窗口办理补缴，缴费次月起恢复待遇。",
        None,
    ),
    (
        "反映用人单位拖欠工资三个月，共12名工友。",
        "青石镇建材工业园",
        6,
        False,
        "请县人社局依法责令企业限期支付，涉嫌拒不支付的移送公安机关。",
        "rs",
    ),
    (
        "询问宅基地审批办理流程和所需材料。",
        "",
        1,
        True,
        "当场解答：向村委会提出申请，经乡镇审核后报县自然资源局审批，已给群众办事指南。",
        None,
    ),
    (
        "反映村道年久失修，雨天学生上学困难。",
        "柳河乡红旗村",
        3,
        False,
        "请县交通运输局会同柳河乡实地勘察，纳入明年农村公路养护计划并答复群众。",
        "jtys",
    ),
]


def make_reception_logs(rng: random.Random, departments: dict[str, Department]) -> None:
    """Logs for a few past county duty days: visitors answered on the spot and visits transferred into cases."""
    from portal.reception import services as reception

    today = local_now().date()
    slots = (
        db.session.execute(
            db.select(DutySlot)
            .where(
                DutySlot.day < today,
                DutySlot.day >= today - dt.timedelta(days=30),
                DutySlot.cancelled.is_(False),
                DutySlot.form != Form.FIELD,
            )
            .order_by(DutySlot.day.desc())
        )
        .scalars()
        .all()
    )
    slots = [s for s in slots if s.leader.department.level is Level.COUNTY][:4]
    people = iter(_demo_visitors(rng))
    for index, slot in enumerate(slots):
        with as_of(slot.day):
            for matter, place, count, answered, text, dept in RECEPTION_VISITS[index % 2 :: 2][:3]:
                name, phone = next(people)
                visitor = reception.Visitor(
                    name=name,
                    matter=matter,
                    phone=phone,
                    address=place or "城关镇",
                    place=place,
                    people_count=count,
                    representatives=(name,) if count >= 5 else (),
                )
                if answered:
                    reception.add_entry(
                        slot,
                        slot.leader,
                        visitor,
                        handling=Handling.ANSWERED,
                        answer=text,
                        satisfaction=Rating.SATISFIED,
                    )
                else:
                    reception.add_entry(
                        slot,
                        slot.leader,
                        visitor,
                        handling=Handling.TRANSFERRED,
                        department_id=departments[dept].id,
                        instruction=text,
                    )
            if index:  # the most recent log is left open for the leader to finish
                reception.submit_log(slot, slot.leader, summary="接待来访群众，当场答复和批示转办情况如上。")


def _demo_visitors(rng: random.Random):
    while True:
        surname = rng.choice(SURNAMES)
        given = rng.choice(MALE_NAMES + FEMALE_NAMES)
        yield surname + given, rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
