"""``GET /api/v1/roster``: the published roster as JSON, checked against the schema the API documents."""

from __future__ import annotations

import datetime as dt

import jsonschema_rs  # comes with schemathesis (requirements-dev.txt)
import pytest

from portal.duty.models import Form, Period
from portal.duty.views import OPENAPI_PATHS
from portal.localtime import as_of
from tests.duty.test_roster import TODAY, add_slot

OPERATION = OPENAPI_PATHS["/api/v1/roster"]["get"]


def schema_for(status: int) -> dict:
    return OPERATION["responses"][str(status)]["content"]["application/json"]["schema"]


def as_json_schema(schema):
    """OpenAPI 3.0's ``nullable: true`` written the JSON Schema way (``type: [..., "null"]``)."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: as_json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable") and "type" in schema:
        converted["type"] = [schema["type"], "null"]
    return converted


def assert_matches_schema(data, status: int) -> None:
    # OpenAPI 3.0 schemas are Draft 4 JSON Schema plus keywords (example, description) validators ignore.
    jsonschema_rs.Draft4Validator(as_json_schema(schema_for(status)), validate_formats=True).validate(data)


@pytest.fixture(autouse=True)
def on_today():
    with as_of(TODAY):
        yield


def test_the_api_lists_published_slots_in_the_documented_shape(client, seed):
    slot_id = seed(
        lambda w: (
            add_slot(
                w.leader, TODAY, Period.MORNING, form=Form.FIXED, place="县人民来访接待中心", topics="党建、信访"
            ).id
        )
    )

    response = client.get("/api/v1/roster")

    assert response.status_code == 200
    assert response.is_json
    data = response.get_json()
    assert_matches_schema(data, 200)
    assert data["from"] == "2026-11-25" and data["to"] == "2027-01-17"
    assert data["slots"] == [
        {
            "id": slot_id,
            "date": "2026-11-25",
            "weekday": "星期三",
            "period": "morning",
            "period_label": "上午",
            "start": "08:30",
            "end": "12:00",
            "leader": "王县长",
            "title": "副县长",
            "department": "县信访局",
            "topics": "党建、信访",
            "place": "县人民来访接待中心",
            "form": "fixed",
            "form_label": "定点接访",
            "cancelled": False,
            "original_leader": None,
        }
    ]


@pytest.mark.parametrize(
    "period, start, end",
    [(Period.MORNING, "08:30", "12:00"), (Period.AFTERNOON, "14:30", "17:30"), (Period.DAY, "08:30", "17:30")],
)
def test_each_period_carries_its_reception_hours(client, seed, period, start, end):
    seed(lambda w: add_slot(w.leader, TODAY, period))

    slot = client.get("/api/v1/roster").get_json()["slots"][0]

    assert (slot["period"], slot["start"], slot["end"]) == (period.value, start, end)


def test_cancelled_slots_are_flagged_and_unpublished_ones_left_out(client, seed):
    def make(w):
        add_slot(w.leader, TODAY + dt.timedelta(days=1), cancelled=True, place="取消的")
        add_slot(w.leader, TODAY + dt.timedelta(days=2), published=False, place="未公布的")

    seed(make)

    data = client.get("/api/v1/roster").get_json()

    assert_matches_schema(data, 200)
    assert [(s["place"], s["cancelled"]) for s in data["slots"]] == [("取消的", True)]
    assert "未公布的" not in client.get("/api/v1/roster").get_data(as_text=True)


def test_from_and_to_choose_the_days_both_included(client, seed):
    seed(lambda w: [add_slot(w.leader, TODAY + dt.timedelta(days=i), place=f"第{i}天") for i in range(-3, 4)])

    data = client.get("/api/v1/roster?from=2026-11-23&to=2026-11-26").get_json()

    assert [s["date"] for s in data["slots"]] == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]
    assert (data["from"], data["to"]) == ("2026-11-23", "2026-11-26")


def test_a_range_longer_than_92_days_is_cut_and_the_answer_says_where(client, seed):
    seed(
        lambda w: [
            add_slot(w.leader, dt.date(2027, 2, 24), place="第92天"),
            add_slot(w.leader, dt.date(2027, 2, 25), place="第93天"),
        ]
    )

    data = client.get("/api/v1/roster?from=2026-11-25&to=2027-12-31").get_json()

    assert_matches_schema(data, 200)
    assert data["to"] == "2027-02-24"
    assert [s["place"] for s in data["slots"]] == ["第92天"]


def test_an_end_before_the_start_is_an_empty_range(client, seed):
    seed(lambda w: add_slot(w.leader, TODAY))

    data = client.get("/api/v1/roster?from=2026-11-26&to=2026-11-25").get_json()

    assert data == {"from": "2026-11-26", "to": "2026-11-25", "slots": []}


@pytest.mark.parametrize(
    "query", ["from=2026-02-30", "from=20261125", "from=2026-W48-3", "to=tomorrow", "to=", "from=%EF%BC%92026-11-25"]
)
def test_a_bad_date_gets_a_400_with_a_chinese_message(client, query):
    response = client.get(f"/api/v1/roster?{query}")

    assert response.status_code == 400
    assert response.is_json
    data = response.get_json()
    assert_matches_schema(data, 400)
    assert data["error"] == "bad_date"
    assert "YYYY-MM-DD" in data["message"] and not data["message"].isascii()


def test_a_start_at_the_end_of_the_calendar_does_not_overflow(client):
    response = client.get("/api/v1/roster?from=9999-12-30")

    assert response.status_code == 200
    assert response.get_json() == {"from": "9999-12-30", "to": "9999-12-31", "slots": []}


def test_the_documented_parameters_are_dates():
    parameters = {p["name"]: p for p in OPERATION["parameters"]}

    assert set(parameters) == {"from", "to"}
    assert all(p["in"] == "query" and p["schema"] == {"type": "string", "format": "date"} for p in parameters.values())
