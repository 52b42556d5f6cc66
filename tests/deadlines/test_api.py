"""The deadline calculator as other systems and staff reach it: the JSON API and ``flask deadline``."""

import datetime as dt

import pytest

from portal.audit.models import AuditLog
from portal.deadlines.services import deadline, remove_override, set_override
from portal.extensions import db


def test_api_returns_the_due_date_and_the_skipped_holidays(client):
    response = client.get("/api/v1/deadline?rule=accept&start=2026-09-20")

    assert response.status_code == 200
    assert response.is_json
    data = response.get_json()
    assert data["due"] == "2026-10-08"
    assert [d["date"] for d in data["skipped"]] == ["2026-10-05", "2026-10-06", "2026-10-07"]
    assert data["rule"] == "accept" and data["length"] == 15 and data["unit"] == "days"
    assert data["calendar_complete"] is True
    assert "2026-10-08" in data["explanation"]


def test_api_counts_working_days_for_simple_acceptance(client):
    data = client.get("/api/v1/deadline?rule=simple_accept&start=2026-09-30").get_json()

    assert data["due"] == "2026-10-10"
    assert data["unit"] == "working_days"


def test_api_warns_about_a_year_without_official_calendar(client):
    data = client.get("/api/v1/deadline?rule=accept&start=2027-03-01").get_json()

    assert data["calendar_complete"] is False
    assert data["missing_years"] == [2027]


@pytest.mark.parametrize("query", ["rule=nope&start=2026-09-20", "start=2026-09-20", "rule=&start=2026-09-20"])
def test_api_refuses_an_unknown_rule_with_a_json_message(client, query):
    response = client.get(f"/api/v1/deadline?{query}")

    assert response.status_code == 400
    assert response.is_json
    data = response.get_json()
    assert data["error"] == "bad_rule"
    assert data["message"]
    assert "accept" in data["rules"]


@pytest.mark.parametrize("start", ["2026-13-01", "2026-02-30", "yesterday", ""])
def test_api_refuses_a_bad_date_with_a_json_message(client, start):
    response = client.get(f"/api/v1/deadline?rule=accept&start={start}")

    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"] == "bad_start"
    assert response.get_json()["message"]


def test_api_follows_an_override_stored_by_the_admin(app, client):
    with app.app_context():
        set_override(dt.date(2026, 10, 8), False, "临时放假")
        db.session.commit()

    data = client.get("/api/v1/deadline?rule=accept&start=2026-09-20").get_json()

    assert data["due"] == "2026-10-09"
    assert data["skipped"][-1]["date"] == "2026-10-08"
    assert "临时放假" in data["skipped"][-1]["reason"]


def test_removing_an_override_restores_the_official_answer(app, client):
    with app.app_context():
        set_override(dt.date(2026, 10, 8), False, "临时放假")
        db.session.commit()
        remove_override(dt.date(2026, 10, 8))
        db.session.commit()

    assert client.get("/api/v1/deadline?rule=accept&start=2026-09-20").get_json()["due"] == "2026-10-08"


def test_setting_an_override_twice_updates_it_and_audits_both(ctx):
    set_override(dt.date(2026, 10, 8), False, "临时放假")
    set_override(dt.date(2026, 10, 8), True, "恢复上班")
    db.session.commit()

    actions = db.session.execute(db.select(AuditLog.action)).scalars().all()
    assert actions == ["calendar.override", "calendar.override"]
    assert deadline("accept", dt.date(2026, 9, 20)).due == dt.date(2026, 10, 8)


def test_cli_prints_the_due_date(app):
    result = app.test_cli_runner().invoke(args=["deadline", "simple_accept", "2026-09-30"])

    assert result.exit_code == 0, result.output
    assert "due: 2026-10-10" in result.output.splitlines()


def test_cli_lists_skipped_days_and_warns_about_a_missing_year(app):
    result = app.test_cli_runner().invoke(args=["deadline", "accept", "2027-03-01"])

    assert result.exit_code == 0, result.output
    assert "due: 2027-03-16" in result.output
    assert "warning" in result.output and "2027" in result.output


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["deadline", "nope", "2026-09-30"], "nope"),
        (["deadline", "accept", "30/09/2026"], "YYYY-MM-DD"),
    ],
)
def test_cli_refuses_a_bad_rule_or_date_as_a_usage_error(app, args, complaint):
    result = app.test_cli_runner().invoke(args=args)

    assert result.exit_code == 2, result.output  # click's usage error, not a crash
    assert complaint in result.output
    assert "due:" not in result.output


def test_api_counts_statutory_holidays_in_a_year_without_data_and_stays_provisional(client):
    data = client.get("/api/v1/deadline?rule=accept&start=2026-12-17").get_json()

    assert data["due"] == "2027-01-04"  # not 2027-01-01 (元旦)
    assert data["calendar_complete"] is False
    assert data["missing_years"] == [2027]
    assert data["statutory_days"] == [{"date": "2027-01-01", "reason": "元旦"}]
    assert "2027-01-01（元旦）" in data["explanation"]
    assert "国务院放假调休安排尚未公布" in data["explanation"]
