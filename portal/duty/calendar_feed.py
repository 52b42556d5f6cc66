"""iCalendar (RFC 5545) feeds of duty slots: the public roster, and each leader's own calendar.

Written by hand: a feed needs one timezone, one kind of event and the text rules below, which is less code than
adapting a general library's object model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from portal.duty.models import DutySlot
from portal.localtime import now

TZID = "Asia/Shanghai"
PRODID = "-//Yangguang Xinfang//Reception Duty Roster//ZH"
# China has kept +08:00 without daylight saving since 1991, so one STANDARD rule describes every slot we publish.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)
MAX_LINE_OCTETS = 75


def build_calendar(
    slots: Iterable[DutySlot],
    *,
    name: str,
    host: str,
    url: str | None = None,
    busy: bool = False,
    stamp: dt.datetime | None = None,
) -> str:
    """The calendar ``name`` with one VEVENT per slot, as text with CRLF line endings, ready to serve as
    ``text/calendar; charset=utf-8``.

    ``host`` makes the event UIDs (``duty-slot-<id>@<host>``) unique across installations; it must stay the same
    between downloads so that calendar apps update events instead of duplicating them. ``url`` is the page the
    events link to. ``busy`` marks the time as taken (a leader's own calendar); the public roster leaves it free, as
    it only tells people when a leader receives visitors. ``stamp`` (aware, default now) is when the feed was made.
    """
    stamp = stamp or now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        # Ask subscribed calendars to look again twice a day, so a swap or cancellation reaches them.
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
        *VTIMEZONE,
    ]
    for slot in slots:
        lines.extend(_event(slot, host=host, url=url, busy=busy, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


def summary(slot: DutySlot) -> str:
    """``领导接访：王县长（副县长）``, marked when cancelled: calendar apps rarely show STATUS."""
    leader = slot.leader
    text = f"领导接访：{leader.name}" + (f"（{leader.title}）" if leader.title else "")
    return f"【已取消】{text}" if slot.cancelled else text


def description(slot: DutySlot) -> str:
    lines = [f"接访形式：{slot.form.label}", f"时间：{slot.period.label} {slot.period.hours}"]
    if slot.original_leader is not None:
        lines.append(f"原定{slot.original_leader.name}因故调换。")
    if slot.topics:
        lines.append(f"分管工作：{slot.topics}")
    if slot.cancelled:
        lines.append("本次接访已取消。")
    return "\n".join(lines)


def _event(slot: DutySlot, *, host: str, url: str | None, busy: bool, stamp: dt.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:duty-slot-{slot.id}@{host}",
        f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID={TZID}:{slot.starts_at:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={TZID}:{slot.ends_at:%Y%m%dT%H%M%S}",
        f"SUMMARY:{escape_text(summary(slot))}",
        f"LOCATION:{escape_text(slot.place)}",
        f"DESCRIPTION:{escape_text(description(slot))}",
        f"STATUS:{'CANCELLED' if slot.cancelled else 'CONFIRMED'}",
        f"TRANSP:{'OPAQUE' if busy else 'TRANSPARENT'}",
    ]
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Split ``line`` so that no physical line exceeds 75 octets of UTF-8 (RFC 5545 §3.1), never inside a
    character; continuation lines start with one space, which counts towards their 75 octets."""
    if len(line.encode()) <= MAX_LINE_OCTETS:
        return line
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > MAX_LINE_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)
