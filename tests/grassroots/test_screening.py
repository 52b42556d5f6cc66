"""Daily reports (零报告 included), the weekly report, the board and a dispute mediated or turned into a case."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import CST, as_of
from portal.screening import services
from portal.screening.models import DailyReport, DisputeKind, DisputeState, Risk
from portal.screening.queries import board, punctuality

MONDAY = dt.date(2026, 11, 16)


def dispute(actor, **overrides):
    details = dict(
        party="黄某",
        party_phone="13900003333",
        kind=DisputeKind.ENVIRONMENT,
        place="清源村下南山",
        risk=Risk.MEDIUM,
        summary="桶装水生产线影响下陈组饮用水源。",
        action_taken="村代理员已约双方面谈。",
    )
    details.update(overrides)
    return services.report_dispute(actor, **details)


def at(day: dt.date, hour: int, minute: int = 0):
    return as_of(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CST))


def test_a_zero_report_is_explicit_and_refused_after_disputes_the_same_day(net):
    with at(MONDAY, 9):
        services.file_zero_report(net.cadre)
        with pytest.raises(DomainError, match="已报零报告"):
            services.file_zero_report(net.cadre)
        dispute(net.cadre)  # found later the same day: the report now has a dispute
        with pytest.raises(DomainError, match="不能再报零报告"):
            services.file_zero_report(net.cadre)
    db.session.commit()
    report = db.session.execute(db.select(DailyReport)).scalar_one()
    assert not report.zero and len(report.disputes) == 1


def test_only_the_areas_own_cadres_file(net, world):
    with pytest.raises(NotAllowed):
        services.file_zero_report(net.agent)
    with pytest.raises(NotAllowed):
        services.file_zero_report(world.clerk)


def test_the_board_shows_who_reported_who_is_late_and_who_has_not(net):
    day = MONDAY
    with at(day, 9):
        services.file_zero_report(net.cadre)
    with at(day, 20):  # after the 17:30 deadline
        dispute(net.township_cadre)
    db.session.commit()
    now = dt.datetime.combine(day, dt.time(21, 0))
    rows = {r.area.name: (r.state, r.label) for r in board(net.township, day, now)}
    assert rows == {
        "青石镇人民政府": ("late", "迟报（1起）"),
        "青石村村民委员会": ("zero", "零报告"),
        "石桥村村民委员会": ("missing", "未报（已过时限）"),
    }
    morning = dt.datetime.combine(day, dt.time(8, 0))
    assert {r.state for r in board(net.township, day, morning) if r.report is None} == {"due"}


def test_punctuality_counts_on_time_reports_over_due_days(net):
    for offset in range(3):
        with at(MONDAY + dt.timedelta(offset), 9 if offset < 2 else 19):
            services.file_zero_report(net.cadre)
    db.session.commit()
    # Three days due; two on time, the third filed after the deadline. The other village filed nothing.
    now = dt.datetime.combine(MONDAY + dt.timedelta(3), dt.time(9, 0))
    result = punctuality([net.village.id, net.other_village.id], MONDAY, MONDAY + dt.timedelta(3), now)
    assert result == {net.village.id: (2, 3), net.other_village.id: (0, 3)}


def test_weekly_report_freezes_the_weeks_numbers_once(net):
    with at(MONDAY, 9):
        first = dispute(net.cadre)
        second = dispute(net.cadre, kind=DisputeKind.LAND)
        dispute(net.cadre, kind=DisputeKind.FAMILY)
    with at(MONDAY + dt.timedelta(2), 10):
        services.mediate_dispute(net.cadre, first, resolution="双方达成协议，水厂另接水源。")
        services.dispute_to_case(net.cadre, second, title="山林权属纠纷", content="争议山林权属。", phone=None)
    with at(MONDAY + dt.timedelta(4), 16):
        row = services.file_weekly_report(net.cadre, note="本周化解1起，转办1起。")
        with pytest.raises(DomainError, match="已上报"):
            services.file_weekly_report(net.cadre)
    db.session.commit()
    assert (row.new_count, row.resolved_count, row.case_count, row.open_count) == (3, 1, 1, 1)


def test_a_dispute_turned_into_a_case_is_linked_both_ways(net):
    found = dispute(net.cadre)
    case, _ = services.dispute_to_case(
        net.cadre, found, title="水源纠纷", content="桶装水生产线影响饮用水源。", phone=None
    )
    db.session.commit()
    assert found.state is DisputeState.CASE and found.case_id == case.id
    assert case.screened_dispute.id == found.id
    assert case.petitioner.name == "黄某" and case.agent_id is None
    with pytest.raises(NotAllowed):
        services.mediate_dispute(net.cadre, found, resolution="再调解")
