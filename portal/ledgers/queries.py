"""The ledgers (台账) and the one query builder behind their pages, counts and Excel exports.

A ledger is a saved view over cases (DESIGN §5), never a copy: a base filter registered in ``LEDGERS``. Every ledger
shares the same filters, sorting, department scope and columns. Pure SQLAlchemy: no Flask, no request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import Select, and_, case, false, func, literal, select, true
from sqlalchemy.orm import Session, joinedload, lazyload, raiseload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from portal.accounts.models import Role, User
from portal.cases.lifecycle import OPEN
from portal.cases.models import SEALED_TITLE, Case, CaseType, Channel, ChecklistItem, Status
from portal.cases.search import title_cases, tracking_code, words_of
from portal.deadlines.clock import RULES
from portal.deadlines.services import working_days_ahead
from portal.reception.models import ReceptionEntry
from portal.settings.models import get_setting
from portal.stats.indicators import FIRST_YEAR, Period, acceptance_held_by, where_counted

PER_PAGE = 30
NONE = 0  # a filter on department, leader, category or place asking for the cases that have none
COUNT_AHEAD = 1000  # a page counts its ledger up to here, or a few pages past itself
PLENTY = 2000  # a search that finds more cases than this is read in the ledger's order, not fetched and sorted
NUMBERED_PAGES = 33  # pages reached by number (OFFSET, at most ~1,000 rows walked); past them, keyset links

_OPEN = sorted(OPEN)


# --- the clocks, as SQL -----------------------------------------------------------------------------------
def due_within(today: dt.date, days: int) -> ColumnElement[bool]:
    """An open case whose staff deadline falls from today up to ``days`` days ahead."""
    return and_(
        Case.urgency == 0,  # implied (a running staff deadline of an open case); lets the urgency index serve it
        Case.due_date >= today,
        Case.due_date <= today + dt.timedelta(days=days),
        Case.staff_clock(),
        Case.status.in_(_OPEN),
    )


def due_soon(today: dt.date, working_days: int | None = None) -> ColumnElement[bool]:
    """临期: an open case whose staff deadline falls within the next ``working_days`` working days (the
    ``due_soon_working_days`` setting), from today on; an overdue case is 超期, not 临期."""
    if working_days is None:
        working_days = int(get_setting("due_soon_working_days"))
    return and_(
        Case.urgency == 0,
        Case.due_date >= today,
        Case.due_date <= working_days_ahead(today, working_days),
        Case.staff_clock(),
        Case.status.in_(_OPEN),
    )


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    """超期 (``Case.overdue``) with the urgency it implies said too (an overdue case runs a staff deadline: urgency 0),
    so that the indexes that begin with ``urgency`` find the overdue cases as one range instead of reading all."""
    return and_(Case.urgency == 0, Case.due_date < today, Case.overdue(today))


def db_true() -> ColumnElement[bool]:
    return true()


def _no_defaults(user: User) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Ledger:
    """One ledger: its URL name, Chinese title, and the base filter that says which cases belong to it.

    ``base(today)`` returns a WHERE clause on ``Case`` (it may use a subquery, e.g. ``Case.id.in_(...)``).
    ``defaults(user)`` gives query-string values used when the request does not carry that parameter at all
    (a leader opens the 包案台账 on his own cases; choosing 全部领导 sends ``owner=`` and wins).
    """

    name: str
    title: str
    summary: str
    base: Callable[[dt.date], ColumnElement[bool]]
    default_sort: str = "left"
    defaults: Callable[[User], dict[str, str]] = field(default=_no_defaults)


LEDGERS: dict[str, Ledger] = {}


def register(ledger: Ledger) -> Ledger:
    """Add a ledger; the index page, its URL and its export follow from this entry alone."""
    if ledger.name in LEDGERS:
        raise ValueError(f"ledger {ledger.name!r} is registered twice")
    LEDGERS[ledger.name] = ledger
    return ledger


def _own_cases_for_leaders(user: User) -> dict[str, str]:
    return {"owner": str(user.id)} if user.has_role(Role.LEADER) else {}


register(
    Ledger(
        "all",
        "信访件总台账",
        "登记的全部信访件；统计数字的明细由此列出",
        lambda today: db_true(),
        default_sort="received",
    )
)
register(
    Ledger("assigned", "交办件台账", "已交办到责任单位的全部信访件", lambda today: Case.department_id.is_not(None))
)
register(
    Ledger(
        "owned",
        "包案台账",
        "有包案领导的信访件（一案一领导）；领导默认看本人包案",
        lambda today: Case.owner_leader_id.is_not(None),
        defaults=_own_cases_for_leaders,
    )
)
register(
    Ledger(
        "repeat", "重信重访台账", "同一信访人就同一事项再次信访的信访件", lambda today: Case.repeat_of_id.is_not(None)
    )
)
register(
    Ledger(
        "supervised",
        "督办件台账",
        "已列入督办的信访件（督办单及其答复、催办、约谈见督办台账）",
        lambda today: Case.supervised.is_(True),
    )
)
register(
    Ledger("overdue", "超期台账", "尚未办结、办理期限已过的信访件（信访人申请复查期限届满不算超期）", overdue_clause)
)
register(
    Ledger(
        "due_soon",
        "临期台账",
        "尚未办结、办理期限将在临期提醒天数（系统设置，工作日）内届满的信访件",
        lambda today: due_soon(today),
    )
)
register(
    Ledger(
        "unsatisfied",
        "不满意件台账",
        "信访人对受理或办理评价不满意的信访件（含已说明销号理由的）",
        lambda today: Case.unsatisfied_clause(),
    )
)
register(
    Ledger(
        "skipped",
        "越级信访台账",
        "越过有权处理的下级机关、直接向本级提出的信访件",
        lambda today: Case.skipped_level.is_(True),
    )
)
register(
    Ledger(
        "reception",
        "接访台账",
        "领导接访中批示转办的信访件",
        # Uncorrelated: the entries that became cases are read once, not probed for every case.
        lambda today: Case.id.in_(select(ReceptionEntry.case_id).where(ReceptionEntry.case_id.is_not(None))),
    )
)


# --- filters and sorting ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """Validated filter values; ``None`` / ``False`` means the filter is off."""

    q: str | None = None
    status: Status | None = None
    department_id: int | None = None
    owner_id: int | None = None
    channel: Channel | None = None
    case_type: CaseType | None = None
    category_id: int | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue_only: bool = False
    due_within: int | None = None
    place_area_id: int | None = None
    # A field of portal.stats.indicators.Counts: the cases one number of the staff dashboard counts.
    counted: str | None = None
    accepted_by: int | None = None  # the office that held the acceptance step (及时受理率 by department)
    sort: str | None = None  # a key of SORTS, "-" in front for descending; None: the ledger's default
    # Set by ``fetch_page``, not by the form: the search finds so many cases that walking the order's index and
    # probing each case against them fills a page sooner than fetching all of them and sorting them.
    q_plenty: bool = False


# key → (label, ORDER BY for ascending, ORDER BY for descending)
SORTS: dict[str, tuple[str, Callable, Callable]] = {
    "code": ("编号", lambda today: [Case.tracking_code], lambda today: [Case.tracking_code.desc()]),
    "received": ("收到日期", lambda today: [Case.received_on], lambda today: [Case.received_on.desc()]),
    "due": (
        "期限",
        lambda today: [Case.due_date.is_(None), Case.due_date],
        lambda today: [Case.due_date.is_(None), Case.due_date.desc()],
    ),
    # Days left mean something only for a running staff deadline; windows and stopped clocks go to the end
    # (Case.urgency, stored so that an index serves the default order of every ledger).
    "left": (
        "剩余天数",
        lambda today: [Case.urgency, Case.due_date],
        lambda today: [Case.urgency, Case.due_date.desc()],
    ),
}


def valid_sort(value: str | None) -> bool:
    return bool(value) and value.removeprefix("-") in SORTS


def ordering(ledger: Ledger, sort: str | None, today: dt.date) -> list:
    sort = sort if valid_sort(sort) else ledger.default_sort
    key = sort.removeprefix("-")
    _, ascending, descending = SORTS[key]
    # The id last: equal dates must not swap places between pages.
    return [*(descending if sort.startswith("-") else ascending)(today), Case.id]


def searched_ids(q: str) -> Select:
    """Ids of the cases the search box finds: a whole tracking code, or the cases whose title holds every word typed
    (or whose code ends in it), through the search terms kept per case (``portal.cases.search``), the index the case
    search uses too. The content is not searched: no index serves a substring of it, and reading it meant reading
    every case (0.7 s a page at a million). Text without a word of two characters finds nothing."""
    code = tracking_code(q)
    if code is not None:
        return select(Case.id).where(Case.tracking_code == code).correlate(None)
    words = words_of(q)
    if not words:
        return select(Case.id).where(false()).correlate(None)
    return title_cases(words)


def conditions(ledger: Ledger, filters: Filters, user: User, today: dt.date) -> ColumnElement[bool]:
    """Base filter ∧ the user's department scope ∧ every filter that is on."""
    where = [ledger.base(today), Case.visible_to(user)]
    f = filters
    if f.q:
        # ``id + 0`` is no key for finding rows: the cases are read in the order's index and probed against the
        # search instead of fetched by id (every one of tens of thousands) and sorted.
        where.append((Case.id + 0 if f.q_plenty else Case.id).in_(searched_ids(f.q)))
    if f.status is not None:
        where.append(Case.status == f.status)
    for column, value in (
        (Case.department_id, f.department_id),
        (Case.owner_leader_id, f.owner_id),
        (Case.category_id, f.category_id),
        (Case.place_area_id, f.place_area_id),
    ):
        if value == NONE:
            where.append(column.is_(None))
        elif value is not None:
            where.append(column == value)
    if f.channel is not None:
        where.append(Case.channel == f.channel)
    if f.case_type is not None:
        where.append(Case.case_type == f.case_type)
    if f.received_from is not None:
        where.append(Case.received_on >= f.received_from)
    if f.received_to is not None:
        where.append(Case.received_on <= f.received_to)
    if f.overdue_only:
        where.append(overdue_clause(today))
    if f.due_within is not None:
        where.append(due_within(today, f.due_within))
    if f.accepted_by is not None:
        where.append(acceptance_held_by(f.accepted_by))
    if f.counted is not None:
        period = Period.between(f.received_from or dt.date(FIRST_YEAR, 1, 1), f.received_to or today)
        where.append(where_counted(f.counted, today, period))
    return and_(*where)


def _case_options():
    # The columns need the department (joined on Case already) and the owner leader's name, nothing else:
    # not the petitioner, and not the leader's roles or department.
    return (
        joinedload(Case.owner_leader).options(lazyload(User.department), lazyload(User.role_rows)),
        lazyload(Case.petitioner),
        lazyload(Case.category),
    )


def cases_select(ledger: Ledger, filters: Filters, user: User, today: dt.date) -> Select:
    """The cases of ``ledger`` as ``user`` may see them, filtered and sorted, without their progress: what a page
    cuts with LIMIT before anything is counted per case."""
    return (
        select(Case)
        .where(conditions(ledger, filters, user, today))
        .order_by(*ordering(ledger, filters.sort, today))
        .options(*_case_options())
    )


def progress_of(session: Session, case_ids: list[int]) -> dict[int, tuple[int, int]]:
    """case id → (done, required) for the given cases only: one small aggregate over the checklist index."""
    if not case_ids:
        return {}
    required = ChecklistItem.required.is_(True)
    stmt = (
        select(
            ChecklistItem.case_id,
            func.sum(case((and_(required, ChecklistItem.done_at.is_not(None)), 1), else_=0)),
            func.sum(case((required, 1), else_=0)),
        )
        .where(ChecklistItem.case_id.in_(case_ids))
        .group_by(ChecklistItem.case_id)
    )
    return {case_id: (int(done or 0), int(total or 0)) for case_id, done, total in session.execute(stmt)}


def ledger_select(ledger: Ledger, filters: Filters, user: User, today: dt.date) -> Select:
    """Rows of (Case, done, required) for ``ledger`` as ``user`` may see it, filtered and sorted: the export's
    one statement, streamed (a page uses ``cases_select`` and ``progress_of`` instead). Each row's progress is two
    counts over the checklist index of that case, not a join of every case's aggregate: the planner cannot pick a
    nested loop over the aggregate (60 s for 1,000 rows when its estimate was off) and nothing is read for the
    cases the cap leaves out."""
    required = ChecklistItem.required.is_(True)
    of_case = ChecklistItem.case_id == Case.id
    done = select(func.count()).where(of_case, required, ChecklistItem.done_at.is_not(None)).scalar_subquery()
    needed = select(func.count()).where(of_case, required).scalar_subquery()
    return (
        select(Case, done.label("done"), needed.label("required"))
        .where(conditions(ledger, filters, user, today))
        .order_by(*ordering(ledger, filters.sort, today))
        .options(*_case_options())
    )


def count_select(ledger: Ledger, filters: Filters, user: User, today: dt.date) -> Select:
    return select(func.count(Case.id)).where(conditions(ledger, filters, user, today))


def capped_count(where, cap: int = COUNT_AHEAD):
    """How many cases match ``where``, counted up to ``cap + 1`` (more than ``cap`` reads as "over cap"), as a scalar
    subquery: a count over an index that stops after ``cap + 1`` matches instead of reading every one."""
    limited = select(Case.id).where(where).limit(cap + 1).subquery()
    return select(func.count()).select_from(limited).scalar_subquery()


def counts_select(filters: dict[str, Filters], user: User, today: dt.date, cap: int = COUNT_AHEAD) -> Select:
    """One row with, for every ledger, ``<name>`` (cases) and ``<name>_overdue``, each a ``capped_count``: the index
    page in one query; counting every case of every ledger was a scan of all cases (15 s at a million)."""
    columns = []
    for name, ledger in LEDGERS.items():
        where = conditions(ledger, filters.get(name, Filters()), user, today)
        for label, clause in ((name, where), (f"{name}_overdue", and_(where, overdue_clause(today)))):
            columns.append(capped_count(clause, cap).label(label))
    return select(*columns)


# --- rows and pages ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerRow:
    case: Case
    done: int
    required: int
    title: str | None = None  # the title as the viewer may read it, when the query decided it (the export)

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.required}" if self.required else "—"

    @property
    def complete(self) -> bool:
        return bool(self.required) and self.done >= self.required

    @property
    def clock_label(self) -> str:
        rule = RULES.get(self.case.clock_rule or "")
        return rule.label if rule else ""

    def days_left(self, today: dt.date) -> int | None:
        """Days to the staff deadline (negative: overdue); None for a petitioner's window or no running clock."""
        if self.case.due_date is None or self.case.clock_is_window or not self.case.is_open:
            return None
        return (self.case.due_date - today).days


@dataclass(frozen=True)
class Page:
    items: list[LedgerRow]
    page: int
    per_page: int
    total: int  # counted up to a cap: see ``capped``
    capped: bool = False  # there are more than ``total`` (the ledger index and the export count them all)
    # A page found from a cursor (past the numbered pages): the rows after (or before) a given case in the order.
    keyset: bool = False
    more: bool = False  # keyset: another page follows this one
    clamped_from: int | None = None  # the page number asked for, when it was past NUMBERED_PAGES

    @property
    def after(self) -> int | None:
        """The cursor of the next page: the id of this page's last row."""
        return self.items[-1].case.id if self.items and self.has_next else None

    @property
    def before(self) -> int | None:
        """The cursor of the previous page: the id of this page's first row."""
        return self.items[0].case.id if self.items and self.has_prev else None

    @property
    def next_by_number(self) -> bool:
        """The next page is reached by its number (still among the numbered pages)."""
        return not self.keyset and self.page < NUMBERED_PAGES

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        if self.keyset:
            return self.more
        return self.page < self.pages or self.capped

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first(self) -> int:
        """The number of the first row on this page (1-based), 0 when empty."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0


def rows(session: Session, stmt: Select, *, limit: int | None = None, offset: int = 0) -> list[LedgerRow]:
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [LedgerRow(case_, done, required) for case_, done, required in session.execute(stmt).unique()]


def export_select(ledger: Ledger, filters: Filters, user: User, today: dt.date) -> Select:
    """``ledger_select`` with the title as ``user`` may read it decided in SQL (``Case.readable_by``, the rule of
    ``title_for``), so that no row needs its accused loaded: one statement for the whole export."""
    title = case((Case.readable_by(user), Case.title), else_=SEALED_TITLE).label("readable_title")
    return ledger_select(ledger, filters, user, today).add_columns(title).options(raiseload(Case.accused))


def stream(session: Session, stmt: Select, *, limit: int, chunk: int = 1000):
    """The rows of ``export_select`` one by one, fetched ``chunk`` at a time from one cursor: constant memory and
    one query, however many rows (the many-to-one loads are joined, nothing is loaded per row)."""
    result = session.execute(stmt.limit(limit).execution_options(yield_per=chunk))
    for case_, done, required, title in result:
        yield LedgerRow(case_, done, required, title)


def fetch_page(
    session: Session,
    ledger: Ledger,
    filters: Filters,
    user: User,
    today: dt.date,
    page: int,
    per_page: int = PER_PAGE,
    *,
    after: int | None = None,
    before: int | None = None,
) -> Page:
    """One page in SQL. The first NUMBERED_PAGES pages by number (LIMIT/OFFSET over at most ~1,000 rows; a page past
    the end shows the last one); past them, by cursor: ``after`` (``before``) a case id, the rows that follow (come
    before) that case in the ledger's order, each read as a range of the order's index however deep (page 2,000 by
    OFFSET walked 60,000 index entries). A page number past the numbered ones shows the last numbered page."""
    if filters.q:
        found = select(literal(1)).select_from(searched_ids(filters.q).limit(PLENTY + 1).subquery())
        many = session.execute(select(func.count()).select_from(found.subquery())).scalar_one() > PLENTY
        filters = replace(filters, q_plenty=many)
    if after is not None or before is not None:
        found = _keyset_page(session, ledger, filters, user, today, page, per_page, after=after, before=before)
        if found is not None:
            return found
        page = 1  # the cursor's case is gone, or nothing comes before it: start from the top
    clamped = page if page > NUMBERED_PAGES else None
    page = min(page, NUMBERED_PAGES)
    # Counted only a few pages past the one asked for (at least COUNT_AHEAD rows): counting every case of a ledger
    # cost a whole scan of the cases on every page (1.7 s at half a million); the index page counts to COUNT_AHEAD.
    cap = max(COUNT_AHEAD, (max(page, 1) + 5) * per_page)
    # The count keeps no order, so a search is counted from its own ids (``q_plenty`` off): probing the cases in
    # index order until 1,001 of a common word's 26,000 matched read ~40,000 rows (26 ms) at a million cases.
    counting = replace(filters, q_plenty=False)
    limited = cases_select(ledger, counting, user, today).with_only_columns(Case.id).order_by(None).limit(cap + 1)
    counted = session.execute(select(func.count()).select_from(limited.subquery())).scalar_one()
    total, capped = min(counted, cap), counted > cap
    page = min(max(page, 1), max(1, -(-total // per_page)))
    cases = list(session.execute(_page_select(ledger, filters, user, today, per_page, page)).unique().scalars())
    return Page(_with_progress(session, cases), page, per_page, total, capped, clamped_from=clamped)


def _page_select(ledger: Ledger, filters: Filters, user: User, today: dt.date, per_page: int, page: int) -> Select:
    """Page ``page`` of ``cases_select``: the page's ids first, in the ledger's order from an index alone, then those
    rows with their joins. PostgreSQL underestimates how many cases a filter such as 超期 (urgency 0, due before
    today, an open state) keeps — the columns go together — and so read and sorted all 20,000 overdue cases with
    their joins for one page (130 ms at a million); asked for 30 ids it walks the index in order (~4 ms)."""
    page_ids = cases_select(ledger, filters, user, today).with_only_columns(Case.id)
    ids = page_ids.limit(per_page).offset((page - 1) * per_page)
    order = ordering(ledger, filters.sort, today)
    return select(Case).where(Case.id.in_(ids)).order_by(*order).options(*_case_options())


def _with_progress(session: Session, cases: list[Case]) -> list[LedgerRow]:
    progress = progress_of(session, [c.id for c in cases])
    return [LedgerRow(c, *progress.get(c.id, (0, 0))) for c in cases]


# --- keyset pages -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Key:
    expr: ColumnElement
    descending: bool
    nullable: bool
    nulls_first: bool  # where this database puts NULL in this direction (SQLite: first ascending; PostgreSQL: last)

    def reversed(self) -> _Key:
        # Both databases move NULL to the other end when the direction turns.
        return _Key(self.expr, not self.descending, self.nullable, not self.nulls_first)

    def order(self):
        return self.expr.desc() if self.descending else self.expr.asc()

    def equal(self, value) -> ColumnElement[bool]:
        return self.expr.is_(None) if value is None else self.expr == _bound(value)

    def after(self, value) -> list[ColumnElement[bool]]:
        """The ranges of this key that come after ``value``, in order (NULL where the database puts it)."""
        if value is None:
            return [self.expr.is_not(None)] if self.nulls_first else []
        value = _bound(value)
        ranges = [self.expr < value if self.descending else self.expr > value]
        if self.nullable and not self.nulls_first:
            ranges.append(self.expr.is_(None))
        return ranges


def _bound(value):
    """A key's value as a parameter: a boolean key (``due_date IS NULL``) compares with ``>`` like any other."""
    return literal(value) if isinstance(value, bool) else value


def _keys(ledger: Ledger, sort: str | None, today: dt.date, dialect: str) -> list[_Key]:
    keys = []
    for term in ordering(ledger, sort, today):
        descending = isinstance(term, UnaryExpression) and term.modifier is operators.desc_op
        expr = term.element if descending else term
        nullable = bool(getattr(expr, "nullable", False))
        keys.append(_Key(expr, descending, nullable, (dialect == "sqlite") != descending))
    return keys


def _keyset_page(
    session: Session,
    ledger: Ledger,
    filters: Filters,
    user: User,
    today: dt.date,
    page: int,
    per_page: int,
    *,
    after: int | None,
    before: int | None,
) -> Page | None:
    """The page after (or before) the case ``after`` (``before``), or None when that case is gone (or, going back,
    too few rows come before it to fill a page: the top of the ledger, by number, serves instead). The rows after a
    key (k1, k2, …, id) are read range by range — same k1, k2 and a greater id; same k1 and a greater k2; a greater
    k1 — each one range of the order's index with a LIMIT, until the page is full: a few small queries, however deep,
    whichever order and wherever each database puts NULL."""
    keys = _keys(ledger, filters.sort, today, session.get_bind().dialect.name)
    backwards = after is None
    cursor = before if backwards else after
    values = session.execute(select(*(k.expr for k in keys)).where(Case.id == cursor)).first()
    if values is None:
        return None
    if backwards:
        keys = [k.reversed() for k in keys]
    base = cases_select(ledger, filters, user, today).order_by(None).order_by(*(k.order() for k in keys))
    want = per_page + 1  # one more: whether another page follows
    found: list[Case] = []
    for depth in range(len(keys) - 1, -1, -1):
        same = [k.equal(v) for k, v in zip(keys[:depth], values[:depth], strict=True)]
        for later in keys[depth].after(values[depth]):
            stmt = base.where(*same, later).limit(want - len(found))
            found.extend(session.execute(stmt).unique().scalars())
            if len(found) >= want:
                break
        if len(found) >= want:
            break
    more, cases = len(found) > per_page, found[:per_page]
    if backwards:
        if not more:
            return None  # the first page, or less than a page before the cursor: page 1 by number
        cases.reverse()
        more = True  # the cursor's own row follows
    page = max(page, NUMBERED_PAGES + 1)  # a cursor page lies past the numbered ones
    return Page(_with_progress(session, cases), page, per_page, 0, keyset=True, more=more)
