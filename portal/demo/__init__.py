"""Demo data: a believable county for ``flask --app wsgi demo``.

``load_demo`` builds, idempotently, the department tree of one county (leadership, the petition office, the
discipline organ, functional departments, three townships with their villages), its staff, the content categories,
the checklist templates, a few hundred petitions, a month of reception-duty slots and the recent reports.

Every case is driven through ``portal.cases.services`` on backdated days (``portal.localtime.as_of``), so events,
clocks and audit rows are the real ones. The whole history is planned first and then replayed in time order, so
ids, events and the audit log read chronologically. Data is deterministic (``random.Random(2026)``) relative to
today. The loader flushes and never commits: the CLI commits.

The package follows the steps: ``county`` (departments and staff), ``catalogue`` (categories and checklist
templates), ``matters`` (what petitioners write), ``planning`` (each case's history, planned), ``replay`` (the plan
driven through the services), ``duty`` (reception-duty slots), ``reception`` (reception logs) and ``grassroots``
(agents' matters, screening reports).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from portal.accounts.models import User
from portal.agents.models import AgentMatter
from portal.cases.models import Case
from portal.demo.catalogue import ensure_categories, ensure_checklist_templates
from portal.demo.county import STAFF, ensure_departments, ensure_settings, ensure_users
from portal.demo.duty import make_duty_slots
from portal.demo.grassroots import ensure_network_users, make_network
from portal.demo.planning import HISTORY_DAYS
from portal.demo.reception import make_reception_logs
from portal.demo.replay import CaseLoader
from portal.demo.reports import make_reports
from portal.duty.models import DutySlot
from portal.extensions import db
from portal.localtime import as_of
from portal.localtime import now as local_now
from portal.org.models import Department
from portal.reception.models import ReceptionLog
from portal.reports.models import PublishedReport

__all__ = ["STAFF", "DemoReport", "load_demo"]  # STAFF: the browser tests name demo users by it

SEED = 2026


@dataclass
class DemoReport:
    created_users: list[str]  # usernames created in this run (empty on a second run)
    password: str  # the password given
    summary: str  # one line, e.g. "12 departments, 9 users, 300 cases, 40 duty slots"


def load_demo(password: str, cases: int = 300) -> DemoReport:
    """Create what is missing of the demo county; never touch what exists (users' passwords included)."""
    rng = random.Random(SEED)
    today = local_now().date()
    with as_of(today - dt.timedelta(days=HISTORY_DAYS + 10)):  # staff were there before the first petition
        departments = ensure_departments()
        created = ensure_users(password, departments)
        created += ensure_network_users(password, departments)
        db.session.flush()  # timestamps are taken at flush time
    ensure_settings()
    categories = ensure_categories()
    ensure_checklist_templates()
    db.session.flush()
    if cases > 0 and not _exists(Case):
        CaseLoader(rng, departments, categories).run(cases)
    if not _exists(DutySlot):
        make_duty_slots(rng)
    db.session.flush()
    if cases > 0 and not _exists(ReceptionLog):
        make_reception_logs(rng, departments)
    db.session.flush()
    if cases > 0 and not _exists(AgentMatter):
        make_network(rng, departments)
    db.session.flush()
    if cases > 0 and not _exists(PublishedReport):
        make_reports(today)
        db.session.flush()
    return DemoReport(created_users=created, password=password, summary=_summary())


def _exists(model) -> bool:
    return db.session.execute(db.select(model.id).limit(1)).first() is not None


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def _summary() -> str:
    return (
        f"{_count(Department)} departments, {_count(User)} users, {_count(Case)} cases, {_count(DutySlot)} duty slots"
    )
