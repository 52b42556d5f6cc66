"""The grassroots numbers and the 形象测评 in the 两月通报 (issue 16 items 2 and 5): a hand-built period whose every
number is worked out by hand below; a circular published before the section existed still reads as it did."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from portal.agents import services as agents
from portal.cases import services as cases
from portal.cases.models import CaseType, Channel, Rating
from portal.extensions import db
from portal.grassroots.numbers import half_years
from portal.localtime import CST, as_of
from portal.reports import builders
from portal.reports.models import PublishedReport, ReportKind
from portal.reports.services import publish
from portal.screening import services as screening
from portal.stats.indicators import Period
from tests import factories
from tests.grassroots.conftest import SCAN, load_network, matter_details

D = dt.date
PERIOD = Period.between(D(2026, 9, 1), D(2026, 10, 31))  # 61 report days
DAY = D(2026, 10, 12)
AS_OF = D(2026, 11, 20)


def mediate(agent, matter, rating):
    agents.record_commitment(agent, matter, signed_on=DAY, scan=SCAN)
    agents.record_mediation(
        agent, matter, mediated_on=DAY, parties="双方", outcome="和解", agreement_text="和解", villager_confirmed=True
    )
    agents.record_feedback(agent, matter, fed_back_on=DAY, text="已化解", rating=rating)


def carry_to_housing(world, agent, matter):
    agents.record_commitment(agent, matter, signed_on=DAY, scan=SCAN)
    case, _ = agents.carry_up(agent, matter)
    cases.accept(case, world.clerk)
    cases.assign(case, world.clerk, department_id=world.housing.id)


def build_period(world, net) -> None:
    """青石村: A mediated (满意), B carried up, C registered by its group's agent; one matter of 31 August (outside);
    one zero report on time. 石桥村: D carried up; one 越级 case placed there. 青石镇: E mediated at the township
    (基本满意). 形象测评 of housing: 满意 (青石村's agent) and 不满意 (石桥村's) for 2026-H2, and a 基本满意 of
    2026-H1 that the period does not touch."""
    with as_of(dt.datetime.combine(DAY, dt.time(9), tzinfo=CST)):
        mediate(net.agent, agents.register_matter(net.agent, **matter_details(received_on=DAY)), Rating.SATISFIED)
        carry_to_housing(world, net.agent, agents.register_matter(net.agent, **matter_details(received_on=DAY)))
        agents.register_matter(net.group_agent, **matter_details(received_on=DAY))
        agents.register_matter(net.agent, **matter_details(received_on=D(2026, 8, 31)))
        screening.file_zero_report(net.cadre)
        carry_to_housing(
            world, net.other_agent, agents.register_matter(net.other_agent, **matter_details(received_on=DAY))
        )
        cases.register_case(
            world.clerk,
            channel=Channel.VISIT,
            case_type=CaseType.CLAIM,
            title="越级",
            content="越级来访",
            petitioner_name="某某",
            phone="13900009999",
            place="村口桥头",
            place_area_id=net.other_village.id,
            skipped_level=True,
            proper_level="青石镇",
        )
        town = agents.register_matter(net.township_agent, **matter_details(received_on=DAY))
        mediate(net.township_agent, town, Rating.BASICALLY)
        agents.rate_department(net.agent, world.housing.id, Rating.SATISFIED)
        agents.rate_department(net.other_agent, world.housing.id, Rating.UNSATISFIED)
        agents.rate_department(net.agent, world.housing.id, Rating.BASICALLY, day=D(2026, 5, 10))
    db.session.commit()


NUMBERS = ("received", "settled_village", "settled_township", "carried_up", "skipped_level")


def test_the_bi_monthly_circular_carries_the_townships_numbers_and_the_departments_image(net, world):
    build_period(world, net)

    g = builders.bi_monthly(PERIOD, AS_OF)["grassroots"]

    (township,) = g["townships"]
    assert township["name"] == "青石镇人民政府"
    villages = {v["name"]: v for v in township["villages"]}
    qingshi, shiqiao = villages["青石村村民委员会"], villages["石桥村村民委员会"]
    assert tuple(qingshi[k] for k in NUMBERS) == (3, 1, 0, 1, 0)
    assert (qingshi["reports_on_time"], qingshi["reports_due"], qingshi["punctuality"]) == (1, 61, 1 / 61)
    assert (qingshi["rated"], qingshi["satisfied"], qingshi["satisfaction"]) == (1, 1, 1.0)
    assert tuple(shiqiao[k] for k in NUMBERS) == (1, 0, 0, 1, 1)
    assert (shiqiao["reports_on_time"], shiqiao["reports_due"], shiqiao["satisfaction"]) == (0, 61, None)
    # The township's row: its own matter E and both villages'; 3 areas × 61 report days.
    assert tuple(township[k] for k in NUMBERS) == (5, 1, 1, 2, 1)
    assert (township["reports_on_time"], township["reports_due"]) == (1, 183)
    assert (township["rated"], township["satisfied"], township["satisfaction"]) == (2, 2, 1.0)

    assert g["image_periods"] == ["2026年下半年"]
    (image,) = g["images"]
    assert image["department"] == world.housing.name and image["period"] == "2026年下半年"
    assert (image["satisfied"], image["basically"], image["unsatisfied"], image["rate"]) == (1, 0, 1, 0.5)


def test_a_period_across_the_half_years_lists_the_image_of_both():
    assert half_years(D(2026, 5, 1), D(2026, 8, 31)) == ["2026-H1", "2026-H2"]
    assert half_years(D(2026, 11, 1), D(2027, 12, 31)) == ["2026-H2", "2027-H1", "2027-H2"]
    assert half_years(D(2026, 9, 1), D(2026, 10, 31)) == ["2026-H2"]


def test_the_section_reads_on_the_page_and_in_the_xlsx_and_an_older_circular_reads_without_it(
    app, client, auth, net_pages
):
    with app.app_context():
        world, net = factories.load_world(), load_network()
        build_period(world, net)
        with as_of(AS_OF):
            report, _ = publish(ReportKind.BI_MONTHLY, PERIOD.start, PERIOD.end)
        content = {k: v for k, v in report.content.items() if k != "grassroots"}
        older = PublishedReport(
            kind=ReportKind.BI_MONTHLY,
            period_start=D(2026, 7, 1),
            period_end=D(2026, 8, 31),
            year=2026,
            serial=90,
            number="信通〔2026〕90号",
            as_of=D(2026, 9, 1),
            content=content,
        )
        db.session.add(older)
        db.session.commit()
        new_id, old_id, housing = report.id, older.id, world.housing.name
        supervisor = world.supervisor.username
    assert auth.login(supervisor).status_code == 303

    page = client.get(f"/staff/reports/{new_id}").get_data(as_text=True)
    section = page[page.index('id="report-grassroots"') : page.index('class="report-notes"')]
    assert "三、基层信访网络" in section and "青石镇人民政府（合计）" in section and "石桥村村民委员会" in section
    assert "1/183" in section and "部门单位信访工作形象测评（2026年下半年）" in section
    assert housing in section and "50.0%" in section
    wb = load_workbook(BytesIO(client.get(f"/staff/reports/{new_id}/export.xlsx").data))
    assert wb.sheetnames == ["两月通报", "基层信访网络", "形象测评", "说明"]
    rows = [[c.value for c in row] for row in wb["基层信访网络"].iter_rows(min_row=2)]
    assert rows[0][:6] == ["青石镇人民政府（合计）", 5, 1, 1, 2, 1]
    assert [c.value for c in wb["形象测评"][2]] == ["2026年下半年", housing, 1, 0, 1, 0.5]

    old = client.get(f"/staff/reports/{old_id}")
    assert old.status_code == 200
    assert "信通〔2026〕90号" in old.text and "report-grassroots" not in old.text and "基层信访网络" not in old.text
    old_wb = load_workbook(BytesIO(client.get(f"/staff/reports/{old_id}/export.xlsx").data))
    assert old_wb.sheetnames == ["两月通报", "说明"]
