"""The staff dashboard: the indicators by every dimension from the one implementation; every number's link lists
exactly the cases it counts; department-scoped people count their own department; the .xlsx export; the cache."""

import datetime as dt
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from portal.accounts.models import Role
from portal.cases import services
from portal.cases.models import Case, Channel, Rating, Status
from portal.extensions import db
from portal.ledgers.queries import LEDGERS, Filters, conditions
from portal.localtime import as_of
from portal.org.models import Kind, Level
from portal.stats import cache
from portal.stats.indicators import Counts, Dimension, Period, breakdown, trend
from tests import factories
from tests.factories import make_case

D = dt.date
TODAY = D(2025, 12, 31)
PERIOD = Period.between(D(2025, 1, 1), D(2025, 12, 31))


def build_cases(world):
    town = factories.department("城关镇", Kind.LOCAL, Level.TOWNSHIP)
    village = factories.department("南湖村民委员会", Kind.LOCAL, Level.VILLAGE, parent=town)
    replied = make_case(world, Status.REPLIED, on=D(2025, 3, 3), owner_leader=world.leader, place_area_id=village.id)
    with as_of(D(2025, 3, 3)):
        services.record_evaluation(replied, acceptance=Rating.SATISFIED, handling=Rating.UNSATISFIED)
    make_case(world, Status.IN_PROGRESS, on=D(2025, 5, 6), department=world.labour, channel=Channel.VISIT)
    make_case(world, Status.REGISTERED, on=D(2025, 5, 7), place_area_id=town.id, skipped_level=True)
    make_case(world, Status.CLOSED, on=D(2025, 6, 2), owner_leader=world.leader)
    db.session.commit()
    return town, village


def listed(user, field, **filters):
    """How many cases the 信访件总台账 lists for one dashboard number."""
    where = conditions(
        LEDGERS["all"],
        Filters(received_from=PERIOD.start, received_to=PERIOD.end, counted=field, **filters),
        user,
        TODAY,
    )
    return db.session.execute(db.select(db.func.count(Case.id)).where(where)).scalar_one()


FILTER_OF = {
    Dimension.LEADER: "owner_id",
    Dimension.CHANNEL: "channel",
    Dimension.CASE_TYPE: "case_type",
    Dimension.CATEGORY: "category_id",
    Dimension.PLACE_AREA: "place_area_id",
}


@pytest.mark.parametrize("dimension", list(FILTER_OF))
def test_every_number_of_every_dimension_is_the_count_of_the_cases_its_link_lists(world, dimension):
    build_cases(world)
    rows = breakdown(PERIOD, TODAY, dimension)
    assert sum(r.counts.received for r in rows) == 4
    for row in rows:
        value = row.key if row.key is not None else 0  # 0: the filter for “none”
        if dimension is Dimension.CHANNEL:
            value = Channel(row.key)
        elif dimension is Dimension.CASE_TYPE:
            from portal.cases.models import CaseType

            value = CaseType(row.key)
        for field in Counts.__dataclass_fields__:
            assert listed(world.supervisor, field, **{FILTER_OF[dimension]: value}) == getattr(row.counts, field), (
                row.label,
                field,
            )


def test_by_department_acceptance_lists_the_cases_of_the_office_that_held_the_step(world):
    build_cases(world)
    rows = {r.label: r for r in breakdown(PERIOD, TODAY, Dimension.DEPARTMENT)}
    office = rows["县信访局"]
    assert office.counts.acceptance_counted == 4
    assert listed(world.supervisor, "acceptance_counted", accepted_by=world.office.id) == 4
    housing = rows["县住房和城乡建设局"]
    assert listed(world.supervisor, "replied_in_time", department_id=world.housing.id) == housing.counts.replied_in_time


def test_by_place_the_township_and_the_village_are_rows_and_cases_without_a_place_one_more(world):
    build_cases(world)
    rows = {r.label: r.counts.received for r in breakdown(PERIOD, TODAY, Dimension.PLACE_AREA)}
    assert rows == {"城关镇": 1, "南湖村民委员会": 1, "未选问题属地": 2}


def test_by_leader_counts_the_owned_cases_and_their_satisfaction(world):
    build_cases(world)
    rows = {r.label: r for r in breakdown(PERIOD, TODAY, Dimension.LEADER)}
    mine = rows["王县长"].counts
    assert (mine.received, mine.evaluated, mine.handling_satisfied, mine.closed) == (2, 1, 0, 1)
    assert rows["无包案领导"].counts.received == 2


def test_the_trend_folds_every_indicator_by_month(world):
    build_cases(world)
    months = dict(trend(PERIOD, TODAY))
    assert len(months) == 12
    assert (months[D(2025, 3, 1)].received, months[D(2025, 5, 1)].received, months[D(2025, 6, 1)].closed) == (1, 2, 1)
    assert months[D(2025, 5, 1)].skipped_level == 1


def test_registration_refuses_a_place_that_is_not_a_township_or_village(world):
    from portal.errors import DomainError

    with pytest.raises(DomainError, match="问题属地"):
        factories.register(world, place_area_id=world.housing.id)


# --- the page ----------------------------------------------------------------------------------------------------
@pytest.fixture
def seeded(seed):
    return seed(lambda world: [d.id for d in build_cases(world)])


def test_the_dashboard_links_each_number_to_its_cases(client, as_supervisor, seeded):
    response = client.get("/staff/dashboard?start=2025-01-01&end=2025-12-31&by=leader")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "按包案领导" in page and "王县长" in page
    link = next(
        part.split('"')[0]
        for part in page.split('href="')[1:]
        if "owner=" in part.split('"')[0] and "counted=handling_satisfied" in part.split('"')[0]
    )
    args = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert args["received_from"] == ["2025-01-01"] and args["counted"] == ["handling_satisfied"]
    listing = client.get(link.replace("&amp;", "&"))
    assert listing.status_code == 200
    assert "办理满意" in listing.get_data(as_text=True)


def test_a_department_scoped_person_counts_only_their_department(client, as_handler, seeded):
    page = client.get("/staff/dashboard?start=2025-01-01&end=2025-12-31").get_data(as_text=True)
    assert "县住房和城乡建设局" in page
    assert "县人力资源和社会保障局" not in page  # labour's case is not theirs to count


def test_bad_parameters_get_chinese_messages_and_the_default_period(client, as_supervisor, seeded):
    response = client.get("/staff/dashboard?start=2025-13-01&end=2024-01-01&by=nonsense")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "不是“年-月-日”格式的日期" in page and "统计维度无效" in page


def test_the_export_is_a_workbook_of_the_table_and_the_months(client, as_supervisor, seeded):
    response = client.get("/staff/dashboard/export.xlsx?start=2025-01-01&end=2025-12-31&by=place_area")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["按问题属地", "按月趋势", "导出说明"]
    first = [row[0].value for row in wb["按问题属地"].iter_rows()]
    assert first[0] == "问题属地" and "城关镇" in first and first[-1] == "合计"


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_people_who_see_no_cases_see_no_dashboard(client, login, role):
    login(role)
    assert client.get("/staff/dashboard").status_code == 403


def test_the_cache_serves_a_result_while_fresh_and_the_warm_job_refreshes_the_defaults(app, world):
    from portal.stats.dashboard import default_period, warm

    app.config["STATS_CACHE"] = True
    cache.clear()
    try:
        calls = []

        def compute():
            calls.append(1)
            return len(calls)

        assert cache.cached(("t",), compute)[0] == 1
        assert cache.cached(("t",), compute)[0] == 1  # served from the cache
        cache.refresh(("t",), compute)
        assert cache.cached(("t",), compute)[0] == 2  # what the warm job stored

        with as_of(D(2025, 6, 30)):
            make_case(world, Status.REGISTERED, on=D(2025, 3, 3))
            assert warm(D(2025, 6, 30)) == len(Dimension) + 1
        key = ("breakdown", "channel", "all", "2025-01-01", "2025-06-30", "2025-06-30")
        ((rows, _),) = [cache.cached(key, lambda: pytest.fail("the warm job should have computed it"))]
        assert sum(r.counts.received for r in rows) == 1
        assert default_period(D(2025, 6, 30)) == Period.between(D(2025, 1, 1), D(2025, 6, 30))
    finally:
        app.config["STATS_CACHE"] = None
        cache.clear()


def test_org_dept_role_is_offered_and_case_free():
    assert Role.ORG_DEPT.label == "组织部门"
    from portal.accounts.models import CASE_ROLES

    assert Role.ORG_DEPT not in CASE_ROLES
