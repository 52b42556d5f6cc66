"""The kept case counts (portal.stats.kept) equal the live computation after any sequence of case changes: the rows
equal a GROUP BY over the cases, and every report built from them equals the one counted from the cases."""

from __future__ import annotations

import datetime as dt

from portal.cases import services
from portal.cases.models import Case, CaseType, Channel, Evaluation, Rating, Status
from portal.extensions import db
from portal.localtime import as_of
from portal.stats import kept
from portal.stats.indicators import Dimension, Period, breakdown, build_report, trend
from tests.factories import make_case
from tests.stats.test_indicators import evaluate, reply_on

D = dt.date
TODAY = D(2025, 12, 31)


def kept_rows() -> dict:
    rows = db.session.execute(db.select(kept.CaseCount)).scalars()
    found = {}
    for r in rows:
        values = tuple(getattr(r, c) for c in kept.COUNT_COLUMNS)
        if any(values):
            found[tuple(getattr(r, c) for c in kept.KEY_COLUMNS)] = values
    return found


def fresh_rows() -> dict:
    found = {}
    for r in db.session.execute(kept.fresh_select()).mappings():
        key = [r[c] for c in kept.KEY_COLUMNS]
        if isinstance(key[0], str):  # SQLite's strftime gives text
            key[0] = D.fromisoformat(key[0])
        if isinstance(key[5], str):
            key[5] = D.fromisoformat(key[5])
        if isinstance(key[6], str):
            key[6] = D.fromisoformat(key[6])
        key[3], key[4] = Channel(key[3]), CaseType(key[4])
        found[tuple(key)] = tuple(int(r[c]) for c in kept.COUNT_COLUMNS)
    return found


PERIODS = [
    Period.for_year(2025, TODAY),
    Period.between(D(2025, 1, 1), D(2025, 6, 30)),
    Period.between(D(2025, 2, 10), D(2025, 9, 20)),  # part months at both ends
    Period.between(D(2025, 3, 1), D(2025, 3, 31)),
    Period.between(D(2025, 7, 1), D(2025, 8, 31)).previous(),
]


def assert_same_as_live() -> None:
    assert kept_rows() == fresh_rows()
    everything = db.true()  # any ``where`` counts from the cases
    for period in PERIODS:
        for today in (TODAY, D(2025, 4, 1), D(2025, 8, 15)):
            kept_report, live = build_report(period, today), build_report(period, today, everything)
            assert kept_report.as_dict() == live.as_dict(), (period, today)
            assert trend(period, today) == trend(period, today, everything)
            for dimension in (Dimension.DEPARTMENT, Dimension.CHANNEL, Dimension.CASE_TYPE):
                by_kept = breakdown(period, today, dimension)
                by_live = breakdown(period, today, dimension, everything)
                assert [(r.key, r.counts) for r in by_kept] == [(r.key, r.counts) for r in by_live]


def test_the_kept_counts_follow_every_change_of_the_cases(world):
    assert_same_as_live()
    first = make_case(world, Status.CLOSED, on=D(2025, 1, 20))
    assert_same_as_live()
    make_case(world, Status.REGISTERED, on=D(2025, 2, 3))
    make_case(world, Status.REGISTERED, on=D(2025, 2, 3), channel=Channel.ONLINE, actor=None)
    make_case(world, Status.NOT_ACCEPTED, on=D(2025, 2, 14))
    make_case(world, Status.FORWARDED, received_on=D(2025, 3, 2), on=D(2025, 4, 30))
    running = make_case(world, Status.IN_PROGRESS, on=D(2025, 3, 10))
    assert_same_as_live()
    reply_on(world, running, running.handle_due + dt.timedelta(days=2))  # late
    pleased = make_case(world, Status.REPLIED, on=D(2025, 6, 2))
    evaluate(pleased, Rating.SATISFIED, Rating.BASICALLY)
    unhappy = make_case(world, Status.REPLIED, on=D(2025, 6, 2))
    evaluate(unhappy, Rating.UNSATISFIED, Rating.UNSATISFIED)
    assert_same_as_live()
    # Repeats: of a closed case, and a closed repeat followed by a later one on the same matter.
    second = make_case(world, Status.CLOSED, on=D(2025, 4, 1), repeat_of_id=first.id, new_facts=True)
    make_case(world, Status.REGISTERED, on=D(2025, 7, 1), repeat_of_id=first.id)
    make_case(world, Status.CLOSED, on=D(2025, 8, 5), skipped_level=True)
    assert second.status is Status.CLOSED
    assert_same_as_live()
    # Edits straight on the case: a moved due date, another department, another month of receipt.
    running.handle_due += dt.timedelta(days=30)
    db.session.commit()
    pleased.department_id = world.labour.id
    db.session.commit()
    unhappy.received_on = D(2025, 5, 30)
    db.session.commit()
    assert_same_as_live()
    # An evaluation changed, one removed, a case removed.
    evaluation = db.session.execute(db.select(Evaluation).filter_by(case_id=pleased.id)).scalar_one()
    evaluation.handling = Rating.UNSATISFIED
    db.session.commit()
    db.session.delete(db.session.execute(db.select(Evaluation).filter_by(case_id=unhappy.id)).scalar_one())
    db.session.commit()
    gone = make_case(world, Status.REGISTERED, on=D(2025, 9, 9))
    db.session.delete(gone)
    db.session.commit()
    assert_same_as_live()


def test_a_change_rolled_back_leaves_the_kept_counts_alone(world):
    case = make_case(world, Status.REGISTERED, on=D(2025, 2, 3))
    before = kept_rows()
    with as_of(D(2025, 2, 5)):
        services.accept(case, world.clerk)
    db.session.flush()
    db.session.rollback()
    assert kept_rows() == before
    # A savepoint rolled back inside a transaction that commits: only what was kept counts.
    case = db.session.get(Case, case.id)
    with as_of(D(2025, 2, 5)):
        services.accept(case, world.clerk)
    db.session.flush()
    savepoint = db.session.begin_nested()
    case.department_id = world.labour.id
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert_same_as_live()


def test_rebuild_recomputes_the_rows_from_the_cases(world):
    make_case(world, Status.CLOSED, on=D(2025, 1, 20))
    make_case(world, Status.IN_PROGRESS, on=D(2025, 3, 10))
    expected = kept_rows()
    db.session.execute(kept.CaseCount.__table__.delete())
    db.session.commit()
    kept.rebuild()
    db.session.commit()
    assert kept_rows() == expected
    assert_same_as_live()
