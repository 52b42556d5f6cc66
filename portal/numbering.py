"""Gap-free numbers given to people: reception numbers (JF2026-0001) now, document numbers (X信复〔2026〕123号) per
office, kind and year later. One counter per scope and year, advanced inside the caller's transaction.

Why a counter row and not "the highest number so far + 1": two people reading the highest number at once take the
same one, and one of them has to be refused or retried. The UPDATE here takes the counter row's lock instead, so
concurrent callers queue (each gets the next value once the transaction before it commits), and a transaction that
rolls back takes its increment with it, so no number is skipped. The lock is held until the caller commits:
allocate as late as possible, just before the numbered row is written.
"""

from __future__ import annotations

from sqlalchemy import String, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class NumberSequence(db.Model):
    """The last value handed out in one scope and year (0 before the first)."""

    __tablename__ = "number_sequences"

    # What is numbered: "reception" for JF numbers; e.g. "document:<office>:<kind>" for documents.
    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


# INSERT … ON CONFLICT DO NOTHING is dialect syntax; these are the databases the portal runs on.
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def allocate(scope: str, year: int) -> int:
    """The next value of ``scope`` in ``year`` — 1, 2, 3 … — taken in the current transaction (nothing commits).

    Concurrent callers wait for each other on the counter row; a rollback gives the value back."""
    table = NumberSequence.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"Number allocation supports SQLite and PostgreSQL, not {dialect}.")
    # Create the counter on first use; a caller that finds it being created waits for that transaction to end.
    db.session.execute(
        _INSERTS[dialect](table)
        .values(scope=scope, year=year, last=0)
        .on_conflict_do_nothing(index_elements=[table.c.scope, table.c.year])
    )
    return db.session.execute(
        update(table)
        .where(table.c.scope == scope, table.c.year == year)
        .values(last=table.c.last + 1)
        .returning(table.c.last)
    ).scalar_one()
