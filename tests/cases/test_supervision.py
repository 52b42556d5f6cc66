"""Supervision (督办) and the supervisor's written reason that lets a 不满意 case be marked off."""

import pytest

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Rating, Status
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from tests.factories import make_case, ready_for_mark_off


def test_a_supervisor_puts_an_open_case_under_supervision_with_an_audit_row(world):
    case = make_case(world, Status.IN_PROGRESS)

    services.supervise(case, world.supervisor, note="请加快办理，按期办结。")

    assert case.supervised
    assert case.events[-1].action == "supervise" and not case.events[-1].public
    assert db.session.execute(db.select(AuditLog).filter_by(action="case.supervise", object_id=case.id)).first()


def test_only_a_supervisor_may_supervise(world):
    case = make_case(world, Status.IN_PROGRESS)

    with pytest.raises(NotAllowed):
        services.supervise(case, world.clerk, note="请加快办理。")

    assert not case.supervised


def test_an_unsatisfied_case_can_be_marked_off_once_a_supervisor_gives_the_reason(world):
    case = make_case(world, Status.REPLIED)
    ready_for_mark_off(case, world)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.UNSATISFIED, comment="不满意")
    with pytest.raises(DomainError, match="不满意"):
        services.mark_off(case, world.clerk)

    with pytest.raises(NotAllowed):
        services.clear_unsatisfied(case, world.clerk, reason="已依法处理到位")
    services.clear_unsatisfied(case, world.supervisor, reason="诉求已依法依规处理到位，信访人要求超出政策规定。")
    services.mark_off(case, world.clerk)

    assert case.status is Status.CLOSED
    assert case.evaluation.override_by_id == world.supervisor.id


def test_clearing_needs_an_unsatisfied_evaluation(world):
    case = make_case(world, Status.REPLIED)
    services.record_evaluation(case, acceptance=Rating.SATISFIED, handling=Rating.SATISFIED)

    with pytest.raises(DomainError):
        services.clear_unsatisfied(case, world.supervisor, reason="无")
