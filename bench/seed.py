"""Seed N realistic cases fast, for the benchmark: ``python -m bench.seed --db sqlite|postgres --cases 1000000``.

The schema comes from the migrations and the county from the demo (departments, staff, categories, checklist
templates, a few hundred cases driven through the real services). The bulk cases are then written with Core
``INSERT``s in batches — petitioners, cases, their search terms, timeline events, checklists, replies and
evaluations — through the same column types as the app, so personal data is encrypted and blind-indexed exactly as
the app writes it. Statuses follow the case's age over three years (old cases mostly closed, recent ones open, a
few overdue), so every ledger, queue and indicator has realistic work. One query-code hash is shared by the bulk
cases (hashing a million codes would take a day of CPU); the bench looks up a bulk case whose code it knows.

What the bench needs (staff password, the case to look up, the database URL) is written to
``bench/var/<db>.json``. Deterministic: ``random.Random(18)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VAR = HERE / "var"
PASSWORD = "Bench-2026-perf!"
LOOKUP_CODE = "ACDE34679F"  # the query code of every bulk case (their hash is shared)
BATCH = 5_000
DAYS = 3 * 365
OPEN: set[str] = set()
WINDOWS: frozenset[str] = frozenset()


def database_url(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{VAR / 'bench.sqlite3'}"
    return os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_perf")


def environment(kind: str) -> dict[str, str]:
    """What the seed and the servers run with: every control on (encryption keys, read audit, server sessions)."""
    keys = VAR / "keys.json"
    if not keys.exists():
        VAR.mkdir(exist_ok=True)
        keys.write_text(json.dumps({name: os.urandom(32).hex() for name in ("SECRET_KEY", "DATA_KEY", "INDEX_KEY")}))
    env = dict(os.environ)
    env.update(json.loads(keys.read_text()))
    env.update(
        {
            "DATABASE_URL": database_url(kind),
            "UPLOAD_FOLDER": str(VAR / "uploads"),
            "AUDIT_ANCHOR_PATH": str(VAR / f"audit-anchor-{kind}.jsonl"),
            "AUDIT_ARCHIVE_DIR": str(VAR / "audit-archive"),
            "BACKUP_DIR": str(VAR / "backups"),
            "MFA_REQUIRED_FOR_ALL_STAFF": "false",
        }
    )
    return env


# --- the generator -------------------------------------------------------------------------------------------
class Fill(dict):
    """Values for a matter's ``{placeholders}``; an unknown one reads as a plausible number."""

    def __init__(self, rng: random.Random):
        from portal.demo import matters as m

        super().__init__(
            company=rng.choice(m.COMPANIES),
            project=rng.choice(m.PROJECTS),
            community=rng.choice(m.COMMUNITIES),
            school=rng.choice(m.SCHOOLS),
            hospital=rng.choice(m.HOSPITALS),
            road=rng.choice(m.ROADS),
        )
        self.rng = rng

    def __missing__(self, key):
        return str(self.rng.randint(2, 60))


def name(rng: random.Random) -> str:
    from portal.demo import matters as m

    return rng.choice(m.SURNAMES) + rng.choice(m.MALE_NAMES + m.FEMALE_NAMES)


def id_number(rng: random.Random, born: dt.date) -> str:
    body = f"430{rng.randint(100, 999)}{born:%Y%m%d}{rng.randint(100, 999)}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def stage(rng: random.Random, age: int) -> str:
    """A case's status from its age in days: what a county's ledger looks like."""
    r = rng.random()
    if r < 0.05:
        return "not_accepted"
    if r < 0.07:
        return "forwarded"
    if r < 0.08:
        return "merged"
    if age < 3:
        return rng.choice(["registered", "registered", "accepted"])
    if age < 15:
        return rng.choice(["registered", "accepted", "assigned", "assigned", "in_progress"])
    if age < 70:
        return rng.choice(
            [
                "assigned",
                "in_progress",
                "in_progress",
                "awaiting_signature",
                "awaiting_verification",
                "replied",
                "replied",
                "closed",
            ]
        )
    if r < 0.10:  # a few old ones still open: the overdue ledger
        return rng.choice(["in_progress", "awaiting_signature", "under_review"])
    if r < 0.13:
        return "final"
    if age < 120 and r < 0.30:
        return "replied"
    return "closed"


STEPS = ["registered", "accepted", "assigned", "in_progress", "awaiting_signature", "awaiting_verification", "replied"]


def plan_rows(args, world, next_ids):
    """Yield batches of (table name → rows) for ``args.cases`` cases."""
    from portal.cases.search import case_terms
    from portal.demo.matters import MATTERS

    global OPEN, WINDOWS
    from portal.cases.lifecycle import OPEN as open_states
    from portal.deadlines.clock import WINDOW_RULES

    OPEN, WINDOWS = {s.value for s in open_states}, WINDOW_RULES
    rng = random.Random(18)
    today = dt.date.today()
    matters = list(MATTERS)
    case_id, petitioner_id, event_id, item_id, reply_id, evaluation_id = next_ids
    recent: list[tuple[int, int, str]] = []  # (case id, petitioner id, title) for repeats
    batch: dict[str, list[dict]] = {}
    first_bulk = case_id
    for n in range(args.cases):
        age = int(DAYS * (1 - rng.random() ** 1.3))  # more cases lately
        received = today - dt.timedelta(days=age)
        status = stage(rng, age)
        matter = rng.choice(matters)
        fill = Fill(rng)
        title = matter.title.format_map(fill)[:100]
        content = matter.content.format_map(fill)
        repeat_of = None
        if recent and rng.random() < 0.05:
            repeat_of, pid, title = rng.choice(recent)
        else:
            petitioner_id += 1
            pid = petitioner_id
            born = dt.date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
            phone = rng.choice(["138", "139", "150", "186", "177"]) + f"{rng.randint(0, 99_999_999):08d}"
            number = id_number(rng, born)
            batch.setdefault("petitioners", []).append(
                {
                    "id": pid,
                    "name": name(rng),
                    "phone": phone,
                    "id_number": number,
                    "address": f"{rng.choice(world['places'])}{rng.randint(1, 99)}号",
                    "phone_index": world["bidx"]("phone", phone),
                    "id_number_index": world["bidx"]("id_number", number),
                    "created_at": dt.datetime.combine(received, dt.time(9)),
                }
            )
        case_id += 1
        case_type = matter.case_type.value
        channel = rng.choice(["letter", "visit", "visit", "phone", "online", "online", "email"])
        department = None
        if status not in ("registered", "accepted", "not_accepted", "forwarded", "merged"):
            department = world["accusation_dept"] if case_type == "accusation" else rng.choice(world["departments"])
        decided = None if status == "registered" else received + dt.timedelta(days=rng.choice([1, 2, 3, 5, 8, 13, 17]))
        accept_due = received + dt.timedelta(days=15)
        handle_due = (
            decided + dt.timedelta(days=60)
            if decided and status not in ("not_accepted", "forwarded", "merged")
            else None
        )
        reached = (
            STEPS.index(status) if status in STEPS else (6 if status in ("closed", "final", "under_review") else 0)
        )
        replied = delivered = closed = None
        if reached >= 6:
            replied = decided + dt.timedelta(days=rng.randint(15, 64))
            delivered = replied + dt.timedelta(days=rng.randint(1, 6))
            if replied > today or delivered > today:
                replied = delivered = today
        if status == "closed":
            closed = min(today, delivered + dt.timedelta(days=rng.randint(5, 40)))
        clock_rule = due = None
        if status == "registered":
            clock_rule, due = "accept", accept_due
        elif 1 <= reached <= 5:
            clock_rule, due = "handle", handle_due
        elif status == "replied":
            clock_rule, due = "review_request", delivered + dt.timedelta(days=30)
        elif status == "under_review":
            clock_rule, due = "review", delivered + dt.timedelta(days=40)
        owner = rng.choice(world["leaders"]) if rng.random() < 0.15 and department else None
        handler = world["handlers"].get(department) if reached >= 3 else None
        tracking = f"XF{received:%Y%m%d}-{_code(case_id)}"
        batch.setdefault("cases", []).append(
            {
                "id": case_id,
                "version": 1,
                "tracking_code": tracking,
                "query_code_hash": world["hash"],
                "title": title,
                "content": content,
                "channel": channel,
                "case_type": case_type,
                "category_id": world["categories"].get(matter.category),
                "procedure": "normal",
                "status": status,
                "confidential": case_type == "accusation",
                "people_count": rng.randint(5, 30) if matter.group else 1,
                "place": rng.choice(world["places"]),
                "caller_number": "",
                "group_visit": matter.group and channel == "visit",
                "representatives": [],
                "new_facts": False,
                "skipped_level": rng.random() < 0.03,
                "proper_level": "",
                "procedure_reason": "",
                "anonymous": False,
                "identity_unconfirmed": False,
                "contact_phone": None,
                "contact_id_number": None,
                "contact_address": None,
                "petitioner_id": pid,
                "repeat_of_id": repeat_of,
                "registered_by_id": None if channel == "online" else world["clerk"],
                "department_id": department,
                "handler_id": handler,
                "owner_leader_id": owner,
                "reviewing_department_id": None,
                "received_on": received,
                "registered_at": dt.datetime.combine(received, dt.time(10)),
                "decided_on": decided,
                "assigned_on": decided if department else None,
                "replied_on": replied,
                "delivered_on": delivered,
                "closed_on": closed,
                "review_level": 1 if status in ("under_review", "final") else 0,
                "clock_rule": clock_rule,
                "clock_start": received if clock_rule else None,
                "clock_length": None,
                "clock_paused_days": 0,
                "due_date": due,
                "accept_due": accept_due,
                "handle_due": handle_due,
                "extended": False,
                "evaluation_due": delivered + dt.timedelta(days=30) if delivered else None,
                "not_accepted_route": "litigation" if status == "not_accepted" else None,
                "decision_note": "",
                "forwarded_to": "",
                "supervised": rng.random() < 0.02,
                "urgency": 0 if due and clock_rule not in WINDOWS and status in OPEN else 1,
                "unsatisfied": False,  # set below with the evaluation, as portal.cases.models keeps it
            }
        )
        for term in case_terms(title, tracking):
            batch.setdefault("case_terms", []).append({"term": term, "case_id": case_id, "received_on": received})
        at = dt.datetime.combine(received, dt.time(10))
        events = [("register", True, "登记", "已登记")]
        if decided:
            events.append(
                ("accept", True, "受理告知", "已受理")
                if status not in ("not_accepted", "forwarded", "merged")
                else (status, True, "不予受理告知", "不予受理")
            )
        if department:
            events.append(("assign", True, "交办", f"交办至{world['names'][department]}"))
        if replied:
            events.append(("publish", True, "处理意见书", "出具处理意见书"))
        if closed:
            events.append(("mark_off", False, "销号", "已销号"))
        for action, public, etitle, text in events:
            event_id += 1
            batch.setdefault("case_events", []).append(
                {
                    "id": event_id,
                    "case_id": case_id,
                    "at": at,
                    "actor_id": world["clerk"],
                    "action": action,
                    "public": public,
                    "title": etitle,
                    "text": text,
                    "from_status": None,
                    "to_status": None,
                    "data": {},
                }
            )
        if department:
            items = world["templates"].get(case_type, [])
            if owner:
                items = items + world["templates"].get("owned", [])
            done_upto = {2: 0, 3: 1, 4: 3, 5: 4}.get(reached, len(items))
            for position, (label, required, mirrors, owner_only) in enumerate(items, start=1):
                item_id += 1
                done = position <= done_upto
                batch.setdefault("checklist_items", []).append(
                    {
                        "id": item_id,
                        "case_id": case_id,
                        "position": position,
                        "label": label,
                        "required": required,
                        "done_by_id": world["clerk"] if done else None,
                        "done_at": at if done else None,
                        "mirrors": mirrors,
                        "owner_only": owner_only,
                        "done_event_id": None,
                    }
                )
        if replied:
            reply_id += 1
            batch.setdefault("replies", []).append(
                {
                    "id": reply_id,
                    "case_id": case_id,
                    "kind": "reply",
                    "version": 1,
                    "state": "published",
                    "outcome": matter.outcome.value,
                    "text": (matter.reply or "经调查核实，现答复如下。").format_map(fill),
                    "legal_basis": matter.basis,
                    "drafted_by_id": handler,
                    "drafted_at": at,
                    "signed_by_id": None,
                    "signer_name": "李建军",
                    "signer_title": "局长",
                    "signer_department": world["names"][department] if department else "县信访局",
                    "signed_at": at,
                    "comment": "",
                    "published_at": at,
                    "delivered_on": delivered,
                    "delivery_method": "邮寄",
                }
            )
            if rng.random() < 0.6:
                evaluation_id += 1
                evaluation = {
                    "id": evaluation_id,
                    "case_id": case_id,
                    "acceptance": rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"]),
                    "handling": rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"]),
                    "comment": "",
                    "created_at": at,
                    "override_reason": "",
                    "override_by_id": None,
                    "override_at": None,
                }
                batch.setdefault("evaluations", []).append(evaluation)
                batch["cases"][-1]["unsatisfied"] = "unsatisfied" in (evaluation["acceptance"], evaluation["handling"])
        if len(recent) < 5000 or rng.random() < 0.01:
            recent.append((case_id, pid, title))
            if len(recent) > 5000:
                recent.pop(rng.randrange(len(recent)))
        if (n + 1) % BATCH == 0:
            yield batch
            batch = {}
    if batch:
        yield batch
    world["first_bulk"] = first_bulk + 1


def _code(number: int) -> str:
    """Six Crockford characters, distinct for distinct ``number`` (a bijection mixed so codes look random)."""
    from portal.cases.codes import CROCKFORD

    mixed = (number * 0x9E3779B1 + 0x5BD1E995) % (32**6)
    out = []
    for _ in range(6):
        mixed, digit = divmod(mixed, 32)
        out.append(CROCKFORD[digit])
    return "".join(out)


def prepare(kind: str) -> None:
    """An empty database with the schema of the migrations."""
    VAR.mkdir(exist_ok=True)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{VAR / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        name = database_url(kind).rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--finish",
        action="store_true",
        help="only bring a seeded database up to date: migrations, planner statistics, bench/var/<db>.json "
        "(after a seed that was stopped part way: its batches are committed one by one)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    if not args.finish:
        prepare(args.db)
    env = environment(args.db)
    os.environ.update(env)
    sys.path.insert(0, str(HERE.parent))
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    with app.app_context():
        upgrade(directory=str(HERE.parent / "migrations"))
        world = demo_world()
        print(f"schema and demo county in {time.monotonic() - started:.0f} s", flush=True)
        if args.finish:
            world["first_bulk"] = demo_cases() + 1
        else:
            bulk(args, world)
        kept_counts()
        stats()
        info = {
            "db": args.db,
            "url": env["DATABASE_URL"],
            "cases": count_cases(),
            "password": PASSWORD,
            "lookup": lookup_case(world),
            "case_id": world["first_bulk"],
            "department_id": world["departments"][0],
            "seconds": round(time.monotonic() - started),
        }
    (VAR / f"{args.db}.json").write_text(json.dumps(info, ensure_ascii=False, indent=2))
    print(f"{info['cases']} cases in {args.db}, {info['seconds']} s", flush=True)


def demo_world() -> dict:
    from portal.accounts.models import Role, User
    from portal.cases.codes import hash_query_code
    from portal.cases.models import Category, ChecklistTemplate
    from portal.demo import load_demo
    from portal.extensions import db
    from portal.org.models import Department, Kind
    from portal.protection.columns import blind_index

    load_demo(PASSWORD, cases=100)
    db.session.commit()
    departments = db.session.execute(Department.assignable()).scalars().all()
    users = db.session.execute(db.select(User)).scalars().all()
    handlers = {}
    for u in users:
        if u.has_role(Role.HANDLER) and u.department_id:
            handlers.setdefault(u.department_id, u.id)
    templates: dict[str, list] = {}
    for t in db.session.execute(db.select(ChecklistTemplate)).scalars():
        key = "owned" if t.leader_owned else (t.case_type.value if t.case_type else "any")
        templates[key] = [(i.label, i.required, i.mirrors, t.leader_owned) for i in t.items]
    for case_type in ("claim", "suggestion", "accusation"):
        templates.setdefault(case_type, templates.get("any", []))
    everyone = db.session.execute(db.select(Department)).scalars().all()
    discipline = [d.id for d in everyone if d.kind == Kind.DISCIPLINE]
    return {
        "departments": [d.id for d in departments],
        "names": {d.id: d.name for d in everyone},
        "accusation_dept": discipline[0] if discipline else departments[0].id,
        "leaders": [u.id for u in users if u.has_role(Role.LEADER)],
        "handlers": handlers,
        "clerk": next(u.id for u in users if u.username == "clerk"),
        "categories": {c.name: c.id for c in db.session.execute(db.select(Category)).scalars()},
        "templates": templates,
        "places": [d.name for d in departments if d.level.value in ("village", "township")] or ["城关镇"],
        "hash": hash_query_code(LOOKUP_CODE),
        "bidx": blind_index,
    }


def bulk(args, world) -> None:
    from portal.extensions import db

    def top(table: str) -> int:
        return db.session.execute(db.text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar()

    tables = ["cases", "petitioners", "case_events", "checklist_items", "replies", "evaluations"]
    next_ids = [top(t) for t in tables]
    order = ["petitioners", "cases", "case_terms", "case_events", "checklist_items", "replies", "evaluations"]
    metadata = db.metadata.tables
    engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    started, done = time.monotonic(), 0
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.exec_driver_sql("PRAGMA cache_size=-200000")
            connection.commit()
        for batch in plan_rows(args, world, next_ids):
            with connection.begin():
                for table in order:
                    if batch.get(table):
                        connection.execute(metadata[table].insert(), batch[table])
            done += len(batch.get("cases", []))
            if done % 50_000 < BATCH:
                rate = done / (time.monotonic() - started)
                print(f"  {done} cases, {rate:.0f}/s", flush=True)
        if not sqlite:
            # The sequences behind the ids written explicitly.
            for table in tables:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
            connection.commit()


def kept_counts() -> None:
    """The bulk rows bypassed the ORM that keeps ``case_counts`` (portal.stats.kept): computed afresh, once."""
    from portal.extensions import db
    from portal.stats.kept import rebuild

    began = time.monotonic()
    rebuild()
    db.session.commit()
    print(f"kept case counts in {time.monotonic() - began:.0f} s", flush=True)


def stats() -> None:
    """Planner statistics, as an operator runs them after a bulk load (SQLite has none until ANALYZE); on
    PostgreSQL a VACUUM too, as autovacuum would in time: until the visibility map is set, an index-only scan
    reads every row it finds, and the planner prices it so."""
    from portal.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def count_cases() -> int:
    from portal.extensions import db

    return db.session.execute(db.text("SELECT COUNT(*) FROM cases")).scalar()


def demo_cases() -> int:
    """The demo's cases come first; the bulk ones follow them (their query code is LOOKUP_CODE)."""
    from portal.extensions import db

    return db.session.execute(
        db.text("SELECT COALESCE(MAX(id), 0) FROM cases WHERE query_code_hash <> :h"),
        {"h": db.session.execute(db.text("SELECT query_code_hash FROM cases ORDER BY id DESC LIMIT 1")).scalar()},
    ).scalar()


def lookup_case(world) -> dict:
    from portal.cases.models import Case
    from portal.extensions import db

    code = db.session.execute(db.select(Case.tracking_code).where(Case.id == world["first_bulk"])).scalar()
    return {"tracking_code": code, "query_code": LOOKUP_CODE}


if __name__ == "__main__":
    main()
