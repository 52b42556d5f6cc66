"""The grassroots numbers per township and village, against a hand count."""

from __future__ import annotations

import datetime as dt

from portal.agents import services as agents
from portal.cases import services as cases
from portal.cases.models import CaseType, Channel, Rating
from portal.extensions import db
from portal.grassroots.numbers import area_numbers, image_ratings
from portal.localtime import CST, as_of
from portal.screening import services as screening
from tests.grassroots.conftest import SCAN, matter_details

DAY = dt.date(2026, 11, 18)


def test_numbers_per_village_and_township_match_a_hand_count(net, world):
    with as_of(dt.datetime.combine(DAY, dt.time(9), tzinfo=CST)):
        # Village: 3 matters — one mediated (rated 满意), one carried up, one only registered; a group's matter
        # counts for its village. Township: one mediated at the township (rated 不满意).
        mediated = agents.register_matter(world and net.agent, **matter_details(received_on=DAY))
        agents.record_commitment(net.agent, mediated, signed_on=DAY, scan=SCAN)
        agents.record_mediation(
            net.agent,
            mediated,
            mediated_on=DAY,
            parties="双方",
            outcome="和解",
            agreement_text="和解",
            villager_confirmed=True,
        )
        agents.record_feedback(net.agent, mediated, fed_back_on=DAY, text="已和解", rating=Rating.SATISFIED)
        up = agents.register_matter(net.agent, **matter_details(received_on=DAY))
        agents.record_commitment(net.agent, up, signed_on=DAY, scan=SCAN)
        case, _ = agents.carry_up(net.agent, up)
        agents.register_matter(net.group_agent, **matter_details(received_on=DAY))
        town = agents.register_matter(net.township_agent, **matter_details(received_on=DAY))
        agents.record_commitment(net.township_agent, town, signed_on=DAY, scan=SCAN)
        agents.record_mediation(
            net.township_agent,
            town,
            mediated_on=DAY,
            parties="双方",
            outcome="调解",
            agreement_text="协议",
            villager_confirmed=True,
        )
        agents.record_feedback(net.township_agent, town, fed_back_on=DAY, text="已调解", rating=Rating.UNSATISFIED)
        # One 越级 case whose place names the village, one naming only the township.
        for place in ("青石镇青石村二组", "青石镇街上"):
            cases.register_case(
                world.clerk,
                channel=Channel.VISIT,
                case_type=CaseType.CLAIM,
                title="越级",
                content="越级来访",
                petitioner_name="某某",
                phone="13900009999",
                place=place,
                skipped_level=True,
                proper_level="青石镇",
            )
        # One whose 问题属地 is the other village though its text names neither: the recorded area decides.
        cases.register_case(
            world.clerk,
            channel=Channel.LETTER,
            case_type=CaseType.CLAIM,
            title="越级",
            content="越级来信",
            petitioner_name="某某",
            phone="13900009998",
            place="村口桥头",
            place_area_id=net.other_village.id,
            skipped_level=True,
            proper_level="青石镇",
        )
        screening.file_zero_report(net.cadre)
        cases.accept(case, world.clerk)
        cases.assign(case, world.clerk, department_id=world.housing.id)
        agents.rate_department(net.agent, world.housing.id, Rating.SATISFIED)
    db.session.commit()

    now = dt.datetime.combine(DAY, dt.time(20))
    (township,) = area_numbers(DAY, DAY, now)
    village = next(v for v in township.villages if v.area.id == net.village.id)
    other = next(v for v in township.villages if v.area.id == net.other_village.id)
    assert (village.received, village.settled_village, village.settled_township, village.carried_up) == (3, 1, 0, 1)
    assert (village.skipped_level, village.reports_on_time, village.reports_due) == (1, 1, 1)
    assert (village.rated, village.satisfaction) == (1, 1.0)
    assert (other.received, other.reports_on_time, other.reports_due) == (0, 0, 1)
    assert other.skipped_level == 1
    assert (township.received, township.settled_village, township.settled_township, township.carried_up) == (4, 1, 1, 1)
    assert township.skipped_level == 3
    assert (township.reports_on_time, township.reports_due) == (1, 3)
    assert township.satisfaction == 0.5
    (image,) = image_ratings()
    assert (image.department.id, image.period, image.satisfied, image.rate) == (world.housing.id, "2026-H2", 1, 1.0)
