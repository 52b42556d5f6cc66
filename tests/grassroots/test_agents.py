"""The 信访五步法 through the services: who may take each step, what it records, and the carried-up case."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.accounts.models import Role, scope_violation, separation_violation
from portal.agents import services
from portal.agents.models import AgentMatter, DepartmentRating, Stage
from portal.audit.models import AuditLog
from portal.cases import services as cases
from portal.cases.models import Case, Channel, Rating, Status
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from tests import factories
from tests.grassroots.conftest import SCAN, matter_details


def committed(net, **overrides) -> AgentMatter:
    matter = services.register_matter(net.agent, **matter_details(**overrides))
    services.record_commitment(net.agent, matter, signed_on=None, scan=SCAN)
    return matter


def test_grassroots_roles_are_case_free_and_scoped_to_the_local_tree(net, world):
    assert separation_violation({Role.AGENT, Role.CLERK})
    assert separation_violation({Role.AGENT, Role.SCREENING}) is None
    assert scope_violation({Role.AGENT}, net.group) is None
    assert scope_violation({Role.SCREENING}, net.group)  # groups report through their village
    assert scope_violation({Role.AGENT}, world.housing)
    assert not net.agent.works_cases
    assert db.session.execute(db.select(Case.id).where(Case.visible_to(net.agent))).first() is None


def test_security_admin_cannot_place_an_agent_in_a_functional_department(net, world):
    from portal.security import services as security

    security_admin = factories.user("sec", Role.SECURITY_ADMIN, department=world.office)
    with pytest.raises(DomainError, match="信访代理员只能设在"):
        security.create_account(
            security_admin,
            username="bad_agent",
            name="某某",
            title="",
            department=world.housing,
            roles=["agent"],
            password="Another-pass-2026",
        )


def test_local_mediation_takes_the_five_steps_in_order_with_a_dated_audited_timeline(net):
    matter = services.register_matter(net.agent, **matter_details())
    with pytest.raises(DomainError, match="不能本级调处"):
        services.record_mediation(
            net.agent, matter, mediated_on=None, parties="甲、乙", outcome="已回填", villager_confirmed=True
        )
    with pytest.raises(DomainError, match="扫描件"):
        services.record_commitment(net.agent, matter, signed_on=None, scan=None)
    services.record_commitment(net.agent, matter, signed_on=None, scan=SCAN)
    with pytest.raises(DomainError, match="确认"):
        services.record_mediation(
            net.agent, matter, mediated_on=None, parties="施工方、村民", outcome="三日内回填", agreement_text="协议"
        )
    services.record_mediation(
        net.agent,
        matter,
        mediated_on=None,
        parties="施工方、村民",
        outcome="施工方三日内清理废料并回填",
        agreement_text="施工方于三日内清理、回填。",
        villager_confirmed=True,
    )
    services.record_feedback(net.agent, matter, fed_back_on=None, text="已回填完毕", rating=Rating.SATISFIED)
    services.record_follow_up(net.agent, matter, followed_up_on=None, text="春耕正常")
    db.session.commit()
    assert matter.stage is Stage.CLOSED
    assert matter.settled_level == "village"
    assert [e.title for e in matter.events] == ["登记备案", "委托", "本级调处", "反馈结果", "回访巩固"]
    actions = set(
        db.session.execute(db.select(AuditLog.action).where(AuditLog.object_type == "agent_matters")).scalars()
    )
    assert {"agent.register", "agent.commit", "agent.mediate", "agent.feedback", "agent.follow_up"} <= actions
    assert matter.file("commitment").stored_name  # the scan is kept sealed
    from portal.cases.attachments import read_sealed, upload_folder

    raw = (upload_folder() / matter.file("commitment").stored_name).read_bytes()
    assert not raw.startswith(SCAN.data[:8])
    assert read_sealed(matter.file("commitment").stored_name) == SCAN.data


def test_carrying_up_registers_a_case_with_the_agent_as_representative(net, world):
    matter = committed(net, channel=Channel.PHONE)
    case, query_code = services.carry_up(net.agent, matter)
    db.session.commit()
    assert case.agent_id == net.agent.id
    assert case.petitioner.name == "曾庆腾"
    assert case.channel is Channel.PHONE and case.received_on == matter.received_on
    assert case.status is Status.REGISTERED and query_code
    assert matter.stage is Stage.CARRIED_UP and matter.case_id == case.id
    assert "代为提出" in [e.title for e in case.events if e.public][-1] or any(
        "信访代理员" in e.text for e in case.events if e.public
    )
    with pytest.raises(NotAllowed):
        cases.register_on_behalf(world.clerk, channel=Channel.VISIT, received_on=matter.received_on)


def test_only_the_area_agents_act_and_a_township_agent_reads_its_villages_matters(net):
    matter = services.register_matter(net.agent, **matter_details())
    db.session.commit()
    assert matter.can_act(net.agent)
    assert matter.can_view(net.township_agent) and not matter.can_act(net.township_agent)
    assert not matter.can_view(net.other_agent)
    assert not matter.can_view(net.group_agent)
    with pytest.raises(NotAllowed):
        services.record_commitment(net.other_agent, matter, signed_on=None, scan=SCAN)
    visible = set(
        db.session.execute(db.select(AgentMatter.id).where(AgentMatter.visible_to(net.township_agent))).scalars()
    )
    assert visible == {matter.id}
    group_matter = services.register_matter(net.group_agent, **matter_details())
    visible = set(
        db.session.execute(db.select(AgentMatter.id).where(AgentMatter.visible_to(net.township_agent))).scalars()
    )
    assert visible == {matter.id, group_matter.id}


def test_a_matter_accusing_the_village_cadres_goes_to_the_township_and_is_not_mediated_in_the_village(net):
    matter = services.register_matter(net.agent, **matter_details(accuses_local_cadres=True))
    db.session.commit()
    assert matter.area_id == net.township.id
    assert not matter.can_view(net.agent)
    assert matter.can_act(net.township_agent)
    services.record_commitment(net.township_agent, matter, signed_on=None, scan=SCAN)
    case, _ = services.carry_up(net.township_agent, matter)
    assert case.agent_id == net.township_agent.id


def test_agents_rate_only_departments_that_handled_their_matters_once_a_half_year(net, world):
    matter = committed(net)
    case, _ = services.carry_up(net.agent, matter)
    with pytest.raises(DomainError, match="只能测评"):
        services.rate_department(net.agent, world.housing.id, Rating.SATISFIED)
    cases.accept(case, world.clerk)
    cases.assign(case, world.clerk, department_id=world.housing.id)
    services.rate_department(net.agent, world.housing.id, Rating.BASICALLY, "答复及时")
    with pytest.raises(DomainError, match="已测评"):
        services.rate_department(net.agent, world.housing.id, Rating.SATISFIED)
    db.session.commit()
    assert db.session.execute(db.select(DepartmentRating.rating)).scalar_one() is Rating.BASICALLY


def test_a_complaint_about_an_agent_is_routed_to_the_township_and_sealed_from_the_agent(net, world):
    case, _ = services.register_complaint(
        world.clerk,
        net.agent,
        channel=Channel.PHONE,
        title="代理员收取费用",
        content="代理员袁某收取代办费200元。",
        petitioner_name="张三",
        phone="13900002222",
    )
    db.session.commit()
    assert case.department_id == net.township.id
    assert case.accuses(net.agent)
    assert case.can_read(net.township_handler)
    assert not case.can_view(net.agent)


def test_the_office_writes_to_the_agent_of_a_case_it_may_read(net, world):
    matter = committed(net)
    case, _ = services.carry_up(net.agent, matter)
    services.message_agent(world.clerk, case, "已受理，请告知信访人耐心等待。")
    with pytest.raises(NotAllowed):
        services.message_agent(net.agent, case, "我自己写")
    db.session.commit()
    assert [m.text for m in case.agent_messages] == ["已受理，请告知信访人耐心等待。"]


def test_the_agents_file_assesses_villagers_ratings_by_half_year(app, net, world):
    from portal.localtime import as_of

    for day, rating in (
        (dt.date(2026, 3, 2), Rating.SATISFIED),
        (dt.date(2026, 9, 1), Rating.UNSATISFIED),
        (dt.date(2026, 9, 8), Rating.BASICALLY),
    ):
        with as_of(day):
            matter = committed(net, received_on=day)
            services.record_mediation(
                net.agent,
                matter,
                mediated_on=day,
                parties="双方",
                outcome="和解",
                agreement_text="协议",
                villager_confirmed=True,
            )
            services.record_feedback(net.agent, matter, fed_back_on=day, text="已反馈", rating=rating)
    db.session.commit()
    clerk_id, agent_id = world.clerk.id, net.agent.id
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(type(world.clerk), clerk_id))
        from portal.agents.views import agent_file

        page = agent_file(agent_id)
    assert "2026年下半年：评议 2 次，满意率 50.0%" in page
    assert "2026年上半年：评议 1 次，满意率 100.0%" in page
