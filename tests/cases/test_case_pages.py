"""Staff case pages: what a clerk sees in the list and on a case."""

import datetime as dt

from portal.cases.models import Status
from portal.localtime import as_of, today
from tests.factories import make_case


def test_an_expired_review_window_is_not_shown_as_overdue(client, login, seed):
    def old_replied_case(world):
        with as_of(today() - dt.timedelta(days=120)):
            case = make_case(world, Status.REPLIED)
        return case.tracking_code

    code = seed(old_replied_case)
    login("clerk")

    html = client.get(f"/staff/cases/?q={code}").get_data(as_text=True)

    assert code in html
    assert "申请期已于" in html
    assert "超期" not in html


def test_an_overdue_acceptance_is_shown_in_red_with_the_days_over(client, login, seed):
    def old_registered_case(world):
        with as_of(today() - dt.timedelta(days=40)):
            case = make_case(world, Status.REGISTERED)
        return case.tracking_code

    code = seed(old_registered_case)
    login("clerk")

    html = client.get(f"/staff/cases/?q={code}").get_data(as_text=True)

    assert 'class="due overdue"' in html
    assert "超期" in html


def test_an_htmx_search_returns_only_the_table_fragment(client, login, seed):
    code = seed(lambda world: make_case(world, Status.REGISTERED).tracking_code)
    login("clerk")

    response = client.get(f"/staff/cases/?q={code}", headers={"HX-Request": "true", "HX-Target": "case-table"})

    html = response.get_data(as_text=True)
    assert code in html
    assert "<html" not in html
    assert "HX-Request" in response.headers.get("Vary", "")
