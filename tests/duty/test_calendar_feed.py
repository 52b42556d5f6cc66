"""``/roster.ics`` and the iCalendar builder (RFC 5545): structure, times, text escaping and line folding."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.duty.calendar_feed import build_calendar, escape_text, fold_line
from portal.duty.models import Period
from portal.duty.services import published_slots
from portal.localtime import CST, as_of
from tests.duty.test_roster import TODAY, add_leader, add_slot


@pytest.fixture(autouse=True)
def on_today():
    with as_of(TODAY):
        yield


def unfold(text: str) -> list[str]:
    """Content lines of an iCalendar text: CRLF-separated, continuation lines joined (RFC 5545 §3.1)."""
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def events(text: str) -> list[dict[str, str]]:
    """Each VEVENT as {property name with parameters: raw value}."""
    found, current = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def fetch_feed(client) -> str:
    response = client.get("/roster.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response.get_data(as_text=True)


def test_the_feed_is_a_calendar_with_one_event_per_published_slot(client, seed):
    def make(w):
        add_slot(w.leader, TODAY, Period.MORNING)
        add_slot(w.leader, TODAY + dt.timedelta(days=1), Period.DAY, cancelled=True)
        add_slot(w.leader, TODAY + dt.timedelta(days=2), published=False, place="未公布的地点")
        add_slot(w.leader, TODAY - dt.timedelta(days=1), place="昨天")

    seed(make)

    text = fetch_feed(client)

    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VTIMEZONE") == 1 and "TZID:Asia/Shanghai" in lines and "TZOFFSETTO:+0800" in lines
    assert len(events(text)) == 2
    assert "未公布的地点" not in text and "昨天" not in text


def test_every_line_ends_in_crlf_and_none_is_longer_than_75_octets(client, seed):
    seed(lambda w: add_slot(w.leader, TODAY, place="城关镇群众工作站" * 6, topics="党建、信访、乡村振兴" * 8))

    raw = client.get("/roster.ics").get_data()

    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw[:-2].split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)  # the long lines were folded
    for line in physical:
        line.decode("utf-8")  # no character was cut in half
    (event,) = events(raw.decode())
    assert unescape(event["LOCATION"]) == "城关镇群众工作站" * 6


@pytest.mark.parametrize(
    "period, start, end",
    [
        (Period.MORNING, "20261125T083000", "20261125T120000"),
        (Period.AFTERNOON, "20261125T143000", "20261125T173000"),
        (Period.DAY, "20261125T083000", "20261125T173000"),
    ],
)
def test_events_carry_the_reception_hours_in_china_time(client, seed, period, start, end):
    seed(lambda w: add_slot(w.leader, TODAY, period))

    (event,) = events(fetch_feed(client))

    assert event["DTSTART;TZID=Asia/Shanghai"] == start
    assert event["DTEND;TZID=Asia/Shanghai"] == end


def test_an_event_names_the_leader_place_form_and_topics(client, seed):
    slot_id = seed(lambda w: add_slot(w.leader, TODAY, place="县人民来访接待中心", topics="党建、信访").id)

    (event,) = events(fetch_feed(client))

    assert event["UID"] == f"duty-slot-{slot_id}@localhost"
    assert unescape(event["SUMMARY"]) == "领导接访：王县长（副县长）"
    assert unescape(event["LOCATION"]) == "县人民来访接待中心"
    assert unescape(event["DESCRIPTION"]).splitlines() == [
        "接访形式：定点接访",
        "时间：上午 08:30—12:00",
        "分管工作：党建、信访",
    ]
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == "http://localhost/roster"
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])


def test_a_cancelled_slot_is_a_cancelled_event_that_says_so(client, seed):
    seed(lambda w: add_slot(w.leader, TODAY, cancelled=True))

    (event,) = events(fetch_feed(client))

    assert event["STATUS"] == "CANCELLED"
    assert unescape(event["SUMMARY"]).startswith("【已取消】领导接访：王县长")


def test_uids_stay_the_same_between_downloads_and_follow_the_public_address(app, client, seed, monkeypatch):
    seed(lambda w: add_slot(w.leader, TODAY))

    first, again = (events(fetch_feed(client))[0]["UID"] for _ in range(2))
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost", "10.0.0.5"])  # the intranet address, configured
    by_ip = events(client.get("/roster.ics", base_url="http://10.0.0.5:8080").get_data(as_text=True))[0]["UID"]
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://xinfang.example.gov.cn")
    public = events(fetch_feed(client))[0]

    assert first == again and first.endswith("@localhost")
    assert by_ip.endswith("@10.0.0.5")
    assert public["UID"].endswith("@xinfang.example.gov.cn")
    assert public["URL"] == "https://xinfang.example.gov.cn/roster"
    assert "https://xinfang.example.gov.cn/roster.ics" in client.get("/roster").get_data(as_text=True)


def test_commas_semicolons_backslashes_and_newlines_are_escaped(client, seed):
    seed(lambda w: add_slot(w.leader, TODAY, place="幸福路1号, 二楼; 东侧\\门", topics="信访\n维稳"))

    text = fetch_feed(client)

    (event,) = events(text)
    assert event["LOCATION"] == "幸福路1号\\, 二楼\\; 东侧\\\\门"
    assert unescape(event["LOCATION"]) == "幸福路1号, 二楼; 东侧\\门"
    assert "分管工作：信访\\n维稳" in event["DESCRIPTION"]


# --- the builder on its own: what a per-leader feed in the staff area will use -------------------------------
def test_a_calendar_for_one_leader_is_built_from_that_leaders_slots(ctx, world):
    other = add_leader("leader_li", "李副县长")
    add_slot(world.leader, TODAY)
    add_slot(other, TODAY, place="李的地点")

    text = build_calendar(
        published_slots(TODAY, TODAY, leader_id=other.id),
        name="李副县长的接访安排",
        host="xinfang.example.gov.cn",
        busy=True,
        stamp=dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST),
    )

    (event,) = events(text)
    assert "NAME:李副县长的接访安排" in unfold(text)
    assert unescape(event["LOCATION"]) == "李的地点"
    assert event["TRANSP"] == "OPAQUE"
    assert event["DTSTAMP"] == "20261125T020000Z"


def test_an_empty_calendar_is_still_valid(ctx):
    lines = unfold(build_calendar([], name="接访安排", host="example.org"))

    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "BEGIN:VEVENT" not in lines


@pytest.mark.parametrize(
    "line",
    [
        "SUMMARY:" + "a" * 200,
        "DESCRIPTION:" + "接访" * 60,
        "LOCATION:" + "x" + "镇" * 40,  # puts a 3-octet character across the 75th octet
        "X:" + "é😀" * 30,
    ],
)
def test_folding_keeps_lines_within_75_octets_and_unfolds_to_the_original(line):
    folded = fold_line(line)

    physical = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert folded.replace("\r\n ", "") == line


def test_a_short_line_is_left_alone():
    assert fold_line("VERSION:2.0") == "VERSION:2.0"
    assert fold_line("X:" + "a" * 73) == "X:" + "a" * 73


def test_escape_text_turns_every_line_break_into_backslash_n():
    assert escape_text("a\r\nb\rc\nd") == "a\\nb\\nc\\nd"
    assert escape_text("a,b;c\\d") == "a\\,b\\;c\\\\d"
