"""The demo's case history planned before anything is written: which matter, person, channel and status each case
gets, and the dated steps that take it there."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from portal.cases.models import (
    Case,
    CaseType,
    Channel,
    Rating,
    Status,
)
from portal.deadlines.clock import WorkCalendar
from portal.demo.catalogue import CHECKLIST_ITEMS, CHECKLIST_TEMPLATES, INVESTIGATE_ORDER
from portal.demo.county import COUNTY_LEADERS, TOWNSHIP_LEADERS, TOWNSHIPS
from portal.demo.matters import (
    COMMUNITIES,
    COMPANIES,
    FEMALE_NAMES,
    FORWARDED_MATTERS,
    HOSPITALS,
    ID_REGION,
    MALE_NAMES,
    MATTERS,
    NOT_ACCEPTED_MATTERS,
    PHONE_PREFIXES,
    PROJECTS,
    ROADS,
    SCHOOLS,
    SURNAMES,
    Matter,
)
from portal.localtime import CST
from portal.validation import id_check_digit

HISTORY_DAYS = 155  # how far back the oldest case was received (about five months)

# How statuses are spread over the cases (every status appears at least once).
STATUS_WEIGHTS = {
    Status.REGISTERED: 10,
    Status.ACCEPTED: 6,
    Status.NOT_ACCEPTED: 16,
    Status.FORWARDED: 10,
    Status.ASSIGNED: 12,
    Status.IN_PROGRESS: 40,
    Status.AWAITING_SIGNATURE: 12,
    Status.AWAITING_VERIFICATION: 10,
    Status.REPLIED: 36,
    Status.UNDER_REVIEW: 8,
    Status.UNDER_REREVIEW: 5,
    Status.FINAL: 6,
    Status.CLOSED: 110,
}
CHANNEL_WEIGHTS = {
    Channel.VISIT: 30,
    Channel.ONLINE: 25,
    Channel.LETTER: 16,
    Channel.PHONE: 17,
    Channel.EMAIL: 6,
    Channel.FAX: 6,
}
TYPE_WEIGHTS = {CaseType.CLAIM: 70, CaseType.SUGGESTION: 18, CaseType.ACCUSATION: 12}
# Open statuses whose clock may be made to run out on purpose (probability), giving a few overdue cases.
OVERDUE_CHANCE = {Status.REGISTERED: 0.25, Status.IN_PROGRESS: 0.12, Status.AWAITING_SIGNATURE: 0.1}


# =============================================================================================================
# Case planning
# =============================================================================================================
@dataclass
class Person:
    name: str
    phone: str | None
    id_number: str | None
    address: str


@dataclass
class Spec:
    """One step of a case's history: ``action`` by ``who``, ``lo``–``hi`` days after the previous step."""

    action: str
    lo: int
    hi: int
    who: str = "clerk"
    args: dict = field(default_factory=dict)

    @property
    def on_workdays(self) -> bool:
        return self.who != "public"


@dataclass
class Plan:
    index: int
    status: Status
    channel: Channel
    matter: Matter
    fills: dict
    person: Person
    simple: bool = False
    owner: str | None = None  # username of the leader who owns the case
    overdue: bool = False
    confidential: bool = False
    people_count: int = 1
    specs: list[Spec] = field(default_factory=list)
    received: dt.date | None = None
    times: list[dt.datetime] = field(default_factory=list)
    repeat_of: Plan | None = None
    case: Case | None = None

    @property
    def pool(self) -> str:
        return {Status.NOT_ACCEPTED: "not_accepted", Status.FORWARDED: "forwarded"}.get(self.status, "main")

    @property
    def dept_key(self) -> str:
        return self.fills["town_key"] if self.matter.dept == "town" else self.matter.dept

    @property
    def actor_online(self) -> bool:
        return self.channel is Channel.ONLINE


class Planner:
    """Decides, for every case, its matter, petitioner, path through the lifecycle and the day of each step."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, today: dt.date, now: dt.datetime):
        self.rng, self.calendar, self.today, self.now = rng, calendar, today, now
        self.earliest = today - dt.timedelta(days=HISTORY_DAYS)

    # --- the whole set ------------------------------------------------------------------------------------
    def plans(self, count: int) -> list[Plan]:
        statuses = self._spread(list(STATUS_WEIGHTS), STATUS_WEIGHTS, count)
        channels = self._spread(list(Channel), CHANNEL_WEIGHTS, count)
        types = self._spread(list(CaseType), TYPE_WEIGHTS, count)
        _reviews_for_claims(statuses, types)
        plans = [self._plan(i, statuses[i], channels[i], types[i]) for i in range(count)]
        self._link_repeats(plans)
        return plans

    def _spread(self, values: list, weights: dict, count: int) -> list:
        """Every value once (as far as ``count`` allows), the rest by weight, shuffled."""
        chosen = values[:count] + self.rng.choices(
            values, weights=[weights[v] for v in values], k=max(0, count - len(values))
        )
        self.rng.shuffle(chosen)
        return chosen

    # --- one case -----------------------------------------------------------------------------------------
    def _plan(self, index: int, status: Status, channel: Channel, case_type: CaseType) -> Plan:
        rng = self.rng
        matter = self._matter(status, case_type)
        fills = self._fills(matter)
        plan = Plan(index, status, channel, matter, fills, self._person(fills, channel))
        plan.simple = matter.simple and plan.pool == "main" and rng.random() < 0.6
        plan.overdue = not plan.simple and rng.random() < OVERDUE_CHANCE.get(status, 0)
        plan.confidential = matter.case_type is CaseType.ACCUSATION or rng.random() < 0.05
        plan.people_count = (
            rng.randint(5, 30) if matter.group and channel is Channel.VISIT and rng.random() < 0.6 else 1
        )
        if status not in (Status.REGISTERED, Status.ACCEPTED, Status.NOT_ACCEPTED, Status.FORWARDED):
            plan.owner = self._owner(plan)
        plan.specs = _Path(rng, plan).specs()
        self._schedule(plan)
        return plan

    def _matter(self, status: Status, case_type: CaseType) -> Matter:
        if status is Status.NOT_ACCEPTED:
            return self.rng.choice(NOT_ACCEPTED_MATTERS)
        if status is Status.FORWARDED:
            return self.rng.choice(FORWARDED_MATTERS)
        return self.rng.choice([m for m in MATTERS if m.case_type is case_type])

    def _fills(self, matter: Matter) -> dict:
        rng = self.rng
        town_key = rng.choice(list(TOWNSHIPS))
        town, villages = TOWNSHIPS[town_key]
        village = rng.choice([v for v in villages if not (matter.rural and v.endswith("社区"))])
        return {
            "town_key": town_key,
            "town": town,
            "village": village,
            "place": f"{town}{village}",
            "company": rng.choice(COMPANIES),
            "project": rng.choice(PROJECTS),
            "community": rng.choice(COMMUNITIES),
            "school": rng.choice(SCHOOLS),
            "hospital": rng.choice(HOSPITALS),
            "road": rng.choice(ROADS),
            "n": rng.randint(6, 40),
            "amount": rng.choice([3.6, 8.2, 12.5, 18, 26.8, 42, 57.3]),
            "area": rng.choice([12, 26, 38.5, 54, 80, 126]),
            "age": rng.randint(55, 78),
            "year": self.today.year - rng.choice([0, 1, 1, 2]),
        }

    def _person(self, fills: dict, channel: Channel) -> Person:
        rng = self.rng
        male = rng.random() < 0.62
        name = rng.choice(SURNAMES) + rng.choice(MALE_NAMES if male else FEMALE_NAMES)
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        wants_id = {Channel.VISIT: 0.85, Channel.LETTER: 0.7, Channel.ONLINE: 0.5}.get(channel, 0.25)
        id_number = _id_number(rng, fills["town_key"], male) if rng.random() < wants_id else None
        if fills["village"].endswith("社区"):
            address = f"{fills['place']}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        else:
            address = f"{fills['place']}{rng.choice('一二三四五六七八')}组{rng.randint(1, 60)}号"
        return Person(name, phone, id_number, address)

    def _owner(self, plan: Plan) -> str | None:
        rng = self.rng
        if rng.random() >= (0.45 if plan.matter.group else 0.15):
            return None
        if plan.matter.dept == "town" and rng.random() < 0.5:
            return TOWNSHIP_LEADERS[plan.fills["town_key"]]
        return overseer(plan.dept_key)

    # --- days and times -----------------------------------------------------------------------------------
    def _schedule(self, plan: Plan) -> None:
        anchor, lo_age, base_hi_age = _anchor(plan)
        for attempt in range(300):
            scale = max(0.25, 1 - attempt / 60)
            # Around a long holiday no staff step fits in a few days: let the step be a little older.
            hi_age = base_hi_age + max(0, attempt - 100) // 4
            gaps = [self.rng.randint(s.lo, max(s.lo, round(s.hi * scale))) for s in plan.specs]
            anchor_offset = sum(gaps[: anchor + 1]) if anchor >= 0 else 0
            span_after = sum(gaps[anchor + 1 :]) if anchor >= 0 else sum(gaps)
            low = max(lo_age, span_after)
            if low > hi_age:
                continue
            received = self.today - dt.timedelta(days=self.rng.randint(low, hi_age) + anchor_offset)
            if received < self.earliest:
                continue
            received = self._received_day(plan, received)
            days = self._days(plan, received, gaps)
            anchor_day = days[anchor] if anchor >= 0 else received
            if (
                days[-1] <= self.today
                and lo_age <= (self.today - anchor_day).days <= hi_age
                and _windows_ok(plan, days)
            ):
                plan.received = received
                plan.times = self._times(plan, days)
                return
        raise RuntimeError(f"demo: cannot fit a {plan.status} case before {self.today}")

    def _received_day(self, plan: Plan, day: dt.date) -> dt.date:
        if plan.channel in (Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.FAX):
            return self._workday(day)
        return day

    def _days(self, plan: Plan, received: dt.date, gaps: list[int]) -> list[dt.date]:
        days, day = [], received
        for spec, gap in zip(plan.specs, gaps, strict=True):
            day += dt.timedelta(days=gap)
            if spec.on_workdays:
                day = self._workday(day)
            days.append(day)
        return days

    def _workday(self, day: dt.date) -> dt.date:
        while not self.calendar.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def _times(self, plan: Plan, days: list[dt.date]) -> list[dt.datetime]:
        """A moment for every step: office hours for staff, any waking hour for the public, always in order."""
        rng, times, previous = self.rng, [], None
        for spec, day in zip(plan.specs, days, strict=True):
            if previous is not None and previous.date() == day:
                moment = previous + dt.timedelta(minutes=rng.randint(5, 90))
            elif spec.on_workdays:
                start = rng.choice([(8, 40, 11, 30), (14, 30, 17, 20)])
                moment = _moment(rng, day, *start)
            else:
                moment = _moment(rng, day, 7, 0, 22, 30)
            times.append(moment)
            previous = moment
        limit = self.now - dt.timedelta(minutes=1)  # nothing may happen after the real now
        for i in range(len(times) - 1, -1, -1):
            times[i] = min(times[i], limit)
            limit = times[i] - dt.timedelta(minutes=1)
        return times

    # --- repeat petitions ---------------------------------------------------------------------------------
    def _link_repeats(self, plans: list[Plan]) -> None:
        """About one case in twelve comes back from an earlier petitioner on the same matter (重信重访)."""
        ordered = sorted((p for p in plans if p.pool == "main"), key=lambda p: p.times[0])
        originals: set[int] = set()
        for plan in ordered:  # in time order, so an origin is never itself turned into a repeat afterwards
            if plan.simple or plan.index in originals or self.rng.random() >= 0.08:
                continue
            candidates = [
                o
                for o in ordered
                if o.repeat_of is None
                and o is not plan
                and o.matter.case_type is plan.matter.case_type
                and o.times[0] < plan.times[0] - dt.timedelta(days=10)
            ]
            if not candidates:
                continue
            origin = self.rng.choice(candidates)
            originals.add(origin.index)
            plan.repeat_of, plan.matter, plan.person = origin, origin.matter, origin.person
            plan.fills = origin.fills
            plan.confidential = plan.confidential or origin.confidential


# 复查 / 复核 are for 申诉求决类 matters only (条例 art.35–36): the statuses that went through a review.
REVIEWED = frozenset({Status.UNDER_REVIEW, Status.UNDER_REREVIEW, Status.FINAL})


def _reviews_for_claims(statuses: list, types: list) -> None:
    """Give every reviewed status a claim, swapping types with a claim whose status saw no review."""
    spare = [
        i for i, (s, t) in enumerate(zip(statuses, types, strict=True)) if t is CaseType.CLAIM and s not in REVIEWED
    ]
    for i, (status, kind) in enumerate(zip(statuses, types, strict=True)):
        if status in REVIEWED and kind is not CaseType.CLAIM and spare:
            j = spare.pop()
            types[i], types[j] = types[j], types[i]


def _windows_ok(plan: Plan, days: list[dt.date]) -> bool:
    """Evaluations and review requests fall inside the 30 days after the latest delivery."""
    delivered = None
    for spec, day in zip(plan.specs, days, strict=True):
        if spec.action in ("publish", "decide_review"):
            delivered = day
        elif spec.action in ("evaluate", "request_review", "request_rereview") and (day - delivered).days > 28:
            return False
    return True


def overseer(dept_key: str) -> str:
    """The county leader in charge of a department (分管领导)."""
    for username, (_, keys) in COUNTY_LEADERS.items():
        if dept_key in keys:
            return username
    return "leader"


def _moment(rng: random.Random, day: dt.date, h1: int, m1: int, h2: int, m2: int) -> dt.datetime:
    minute = rng.randint(h1 * 60 + m1, h2 * 60 + m2)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=CST)


def _anchor(plan: Plan) -> tuple[int, int, int]:
    """Which step's age decides whether the case's clock still runs (index, -1 for receipt) and its allowed age.

    Open cases stay inside their clock unless the plan is overdue on purpose; finished ones spread over the history.
    """
    actions = [s.action for s in plan.specs]

    def last(action: str) -> int:
        return len(actions) - 1 - actions[::-1].index(action)

    status, overdue = plan.status, plan.overdue
    if status is Status.REGISTERED:
        return (-1, 18, 45) if overdue else (-1, 0, 2 if plan.simple else 12)
    if status in (
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.AWAITING_SIGNATURE,
        Status.AWAITING_VERIFICATION,
    ):
        if overdue:
            return last("accept"), 63, 110
        if plan.simple:
            return last("accept"), 0, 10
        return last("accept"), 0, {Status.ACCEPTED: 4, Status.ASSIGNED: 9}.get(status, 55)
    if status is Status.REPLIED:
        return (last("decide_review") if "decide_review" in actions else last("publish")), 0, 26
    if status is Status.UNDER_REVIEW:
        return last("request_review"), 0, 26
    if status is Status.UNDER_REREVIEW:
        return last("request_rereview"), 0, 26
    return -1, 0, HISTORY_DAYS


# How far the 督办 chain of a supervised demo case has gone.
SUPERVISION_DEPTHS = (
    "awaiting",
    "answered",
    "accepted",
    "urged",
    "urged_answered",
    "interviewed",
    "proposed",
    "decided",
)


class _Path:
    """The steps that take one planned case to its target status."""

    def __init__(self, rng: random.Random, plan: Plan):
        self.rng, self.plan, self.specs_ = rng, plan, []

    def add(self, action: str, lo: int, hi: int, who: str = "clerk", **args) -> None:
        self.specs_.append(Spec(action, lo, hi, who, args))

    def specs(self) -> list[Spec]:
        plan, status = self.plan, self.plan.status
        self._register()
        if status is Status.REGISTERED:
            return self.specs_
        decision = (0, 2) if plan.simple else (1, 9)
        if status in (Status.NOT_ACCEPTED, Status.FORWARDED):
            self.add("not_accept" if status is Status.NOT_ACCEPTED else "forward", *decision)
            return self.specs_
        self.add("accept", *decision)
        if status is Status.ACCEPTED:
            return self.specs_
        self.add("assign", 0, 2)
        if plan.owner or self.rng.random() < 0.12:
            self.add("instruct", 0, 2, who="leader")
        if status is Status.ASSIGNED:
            return self.specs_
        self._handle()
        if status in (Status.IN_PROGRESS, Status.AWAITING_SIGNATURE, Status.AWAITING_VERIFICATION):
            return self.specs_
        self._after_reply()
        return self.specs_

    def _register(self) -> None:
        plan = self.plan
        late = plan.channel in (Channel.LETTER, Channel.EMAIL, Channel.FAX)
        self.add("register", 0, 2 if late else 0, who="public" if plan.actor_online else "clerk")

    def _labels(self, phase: str) -> list[str]:
        labels = list(CHECKLIST_TEMPLATES["信访事项办理清单"][2])
        if self.plan.matter.case_type is CaseType.ACCUSATION:
            labels += CHECKLIST_TEMPLATES["检举控告件附加清单"][2]
        if self.plan.owner:
            labels += CHECKLIST_TEMPLATES["领导包案“五包”清单"][2]
        chosen = [label for label in labels if CHECKLIST_ITEMS[label][1] == phase]
        if phase == "investigate":
            chosen.sort(key=INVESTIGATE_ORDER.index)
        return chosen

    def _tick(self, labels: list[str], lo: int, hi: int) -> None:
        for label in labels:
            self.add("tick", lo, hi, who=CHECKLIST_ITEMS[label][2], label=label)

    def _handle(self) -> None:
        """From the start of handling to the signed reply (or as far as the target status goes)."""
        plan, status, simple = self.plan, self.plan.status, self.plan.simple
        self.add("start", 0 if simple else 1, 1 if simple else 4, who="handler")
        investigate = self._labels("investigate")
        if self.rng.random() < 0.5:
            self.add("note", 1, 5, who="handler")
        if status is Status.IN_PROGRESS:
            self._tick(investigate[: self.rng.randint(0, len(investigate) - 1)], 1, 6)
            if not simple and self.rng.random() < 0.25:
                self.add("request_extension", 20, 40, who="handler")
                if self.rng.random() < 0.6:
                    self.add("approve_extension", 1, 3, who="head")
            if plan.overdue or self.rng.random() < 0.1:
                self._supervise()
            return
        self._tick(investigate, 0 if simple else 2, 2 if simple else 9)
        if not simple and self.rng.random() < 0.1:
            self.add("draft", 1, 4, who="handler")
            self.add("return_draft", 1, 3, who="head")
        self.add("draft", 0 if simple else 1, 2 if simple else 5, who="handler")
        if status is Status.AWAITING_SIGNATURE:
            if plan.overdue:
                self._supervise()
            return
        self.add("sign", 0 if simple else 1, 1 if simple else 4, who="head")
        if not simple and self.rng.random() < 0.08:
            self.add("send_back", 1, 3)
            if plan.owner:
                self.add("instruct", 0, 1, who="leader", rehandle=True)
            self.add("draft", 3, 10, who="handler")
            self.add("sign", 1, 3, who="head")
        self._tick(self._labels("signed"), 0, 0)

    def _supervise(self) -> None:
        """督办 and, on most cases, the chain after it, taken to every step: the answer waits for the supervisor,
        is accepted, or is escalated — 催办, 约谈, 问责建议, a decision."""
        self.add("supervise", 3, 10, who="supervisor")
        # Spread over the plans, not drawn: even a small demo has a case at every step.
        depth = SUPERVISION_DEPTHS[self.plan.index % len(SUPERVISION_DEPTHS)]
        if depth == "awaiting":
            return
        self.add("answer_supervision", 2, 6, who="head")
        if depth == "answered":
            return
        if depth == "accepted":
            self.add("accept_supervision", 1, 3, who="supervisor")
            return
        self.add("urge_supervision", 1, 3, who="supervisor")
        if depth == "urged":
            return
        self.add("answer_supervision", 2, 4, who="head")
        if depth == "urged_answered":
            return
        self.add("interview", 1, 3, who="supervisor")
        self.add("answer_supervision", 2, 4, who="head")
        if depth == "interviewed":
            return
        self.add("propose_accountability", 1, 3, who="supervisor")
        if depth == "decided":
            self.add("decide_accountability", 1, 4, who="leader")

    def _after_reply(self) -> None:
        status, rng = self.plan.status, self.rng
        self.add("publish", 0 if self.plan.simple else 1, 1 if self.plan.simple else 3)
        self._tick(self._labels("published"), 0, 2)
        if status is Status.REPLIED:
            if rng.random() < 0.25 and self.plan.matter.case_type is CaseType.CLAIM:
                self._review(follow_up=rng.random() < 0.5)
            else:
                self._feedback(
                    rating=rng.choices(list(Rating), weights=[60, 28, 12])[0] if rng.random() < 0.6 else None,
                    follow_up=rng.random() < 0.3,
                )
        elif status is Status.UNDER_REVIEW:
            if rng.random() < 0.6:
                self.add("evaluate", 1, 12, who="public", rating=Rating.UNSATISFIED)
            self.add("request_review", 2, 14, who=self._petitioner())
        elif status is Status.UNDER_REREVIEW:
            self._review(follow_up=False)
            self.add("request_rereview", 3, 18, who=self._petitioner())
        elif status is Status.FINAL:
            self._review(follow_up=False)
            self.add("request_rereview", 3, 18, who=self._petitioner())
            self.add("decide_rereview", 8, 25)
        else:
            self._closed()

    def _petitioner(self) -> str:
        return "public" if self.plan.actor_online else "clerk"

    def _review(self, *, follow_up: bool) -> None:
        if self.rng.random() < 0.5:
            self.add("evaluate", 1, 12, who="public", rating=Rating.UNSATISFIED)
        self.add("request_review", 2, 14, who=self._petitioner())
        self.add("decide_review", 8, 25)
        if follow_up:
            self.add("follow_up", 3, 12, satisfaction=Rating.BASICALLY)

    def _feedback(self, *, rating: Rating | None, follow_up: bool) -> None:
        if rating is not None:
            self.add("evaluate", 1, 20, who="public", rating=rating)
        if rating is Rating.UNSATISFIED and self.plan.status is Status.REPLIED and self.plan.index % 3:
            # 第2轮办理: the supervisor orders the case handled again; the new reply waits for the petitioner.
            self.add("order_rehandling", 1, 5, who="supervisor")
            self.add("draft", 3, 10, who="handler")
            self.add("sign", 1, 3, who="head")
            self.add("publish", 1, 3)
            return
        if follow_up:
            self.add("follow_up", 3, 15, satisfaction=rating if rating is not Rating.UNSATISFIED else None)
            self._tick([label for label in self._labels("closing") if label == "回访"], 0, 0)

    def _closed(self) -> None:
        """Closed from a plain reply (most), after a review, or after a final re-review opinion."""
        rng = self.rng
        path = rng.choices(["reply", "review", "final"], weights=[84, 8, 8])[0]
        if self.plan.matter.case_type is not CaseType.CLAIM:
            path = "reply"  # 复查 / 复核 are for 申诉求决类 matters only (条例 art.35–36)
        if path == "final":
            self._review_then_final()
            return
        if path == "review":
            self.add("request_review", 5, 20, who=self._petitioner())
            self.add("decide_review", 8, 25)
            self._feedback(rating=Rating.BASICALLY if rng.random() < 0.5 else None, follow_up=True)
        else:
            rating = rng.choices([Rating.SATISFIED, Rating.BASICALLY, None], weights=[55, 25, 20])[0]
            self._feedback(rating=rating, follow_up=rating is None or rng.random() < 0.4)
        self._tick([label for label in self._labels("closing") if label != "回访"], 0, 2)
        self.add("mark_off", 1, 8)

    def _review_then_final(self) -> None:
        self.add("request_review", 5, 20, who=self._petitioner())
        self.add("decide_review", 8, 25)
        self.add("request_rereview", 3, 18, who=self._petitioner())
        # Closing items are ticked while the case is still open; the final opinion closes the checklist.
        self._tick([label for label in self._labels("closing") if label != "回访"], 2, 10)
        self.add("decide_rereview", 8, 20)
        self.add("follow_up", 3, 12, satisfaction=Rating.BASICALLY)
        self.add("mark_off", 1, 8)


def _id_number(rng: random.Random, town_key: str, male: bool) -> str:
    """A fake but well-formed 18-character resident ID (fictitious region code, valid check digit)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 52))
    sequence = rng.randrange(0, 100) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    body = f"{ID_REGION[town_key]}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_digit(body)


def contact(person: Person, channel: Channel) -> tuple[str | None, str | None]:
    """Phone callers rarely give an ID number; everybody else gives what they have."""
    if channel is Channel.PHONE:
        return person.phone, None
    return person.phone, person.id_number
