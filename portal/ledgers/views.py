"""Ledger pages: the index, one page per ledger (full page or the table fragment for htmx), the Excel export.
Every view: check access (blueprint-wide) → load the ledger (404) → validate the filters → query → respond."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.cases.models import Category
from portal.extensions import db, htmx, login_manager
from portal.ledgers import bp
from portal.ledgers.export import MAX_ROWS, workbook
from portal.ledgers.forms import LedgerFilterForm
from portal.ledgers.queries import (
    COUNT_AHEAD,
    LEDGERS,
    NUMBERED_PAGES,
    SORTS,
    Ledger,
    count_select,
    counts_select,
    export_select,
    fetch_page,
    stream,
)
from portal.localtime import now, today
from portal.org.models import Department

TABLE_ID = "ledger-table"


@bp.before_request
def _case_workers_only():
    # One check for every ledger URL: ledgers show case content, which admin and auditor never see.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.works_cases:
        abort(403)
    return None


def get_ledger(name: str) -> Ledger:
    ledger = LEDGERS.get(name)
    if ledger is None:
        abort(404)
    return ledger


def _choices() -> dict:
    """The options of the department, leader and category filters (a scoped user has only his department)."""
    departments = db.session.execute(Department.assignable()).scalars().all()
    if current_user.department_scoped:
        departments = [d for d in departments if d.id == current_user.department_id]
    leaders = (
        db.session.execute(db.select(User).where(User.role_rows.any(role=Role.LEADER)).order_by(User.name))
        .scalars()
        .all()
    )
    categories = db.session.execute(db.select(Category).order_by(Category.name)).scalars().all()
    places = db.session.execute(Department.place_areas()).scalars().all()
    offices = db.session.execute(db.select(Department).order_by(Department.level, Department.name)).scalars().all()
    return {
        "departments": departments,
        "leaders": leaders,
        "categories": categories,
        "places": places,
        "offices": offices,
    }


def _filter_form(ledger: Ledger, args: MultiDict, choices: dict) -> tuple[LedgerFilterForm, list[str]]:
    """The filters of ``args`` (with the ledger's defaults for absent parameters), checked; and the messages."""
    args = args.copy()
    for key, value in ledger.defaults(current_user).items():
        args.setdefault(key, value)
    form = LedgerFilterForm(formdata=args)
    form.set_choices(**choices)
    return form, form.check()


def _links(ledger: Ledger, form: LedgerFilterForm):
    """URL builders for the table: the valid filters carried over, one value changed."""
    args = form.query_args(keep_empty=tuple(ledger.defaults(current_user)))

    def page_url(page: int, **cursor: int) -> str:
        return url_for("ledgers.show", name=ledger.name, **{**args, "page": page, **cursor})

    def sort_url(key: str) -> str:
        current = args.get("sort", "")
        sort = f"-{key}" if current == key else key
        return url_for("ledgers.show", name=ledger.name, **{**args, "sort": sort})

    def sort_state(key: str) -> str | None:
        current = args.get("sort") or ledger.default_sort
        if current.removeprefix("-") != key:
            return None
        return "descending" if current.startswith("-") else "ascending"

    export_url = url_for("ledgers.export", name=ledger.name, **args)
    return {"page_url": page_url, "sort_url": sort_url, "sort_state": sort_state, "export_url": export_url}


@bp.get("/")
def index():
    choices = _choices()
    forms = {name: _filter_form(ledger, MultiDict(), choices)[0] for name, ledger in LEDGERS.items()}
    filters = {name: form.filters() for name, form in forms.items()}
    day, user = today(), current_user._get_current_object()
    # Fresh on every request: each number is counted over an index up to COUNT_AHEAD, in one query.
    counts = db.session.execute(counts_select(filters, user, day)).one()._asdict()
    return render_template("ledgers/index.html", ledgers=LEDGERS.values(), counts=counts, forms=forms, cap=COUNT_AHEAD)


@bp.get("/<name>")
def show(name: str):
    ledger = get_ledger(name)
    form, messages = _filter_form(ledger, request.args, _choices())
    page = fetch_page(
        db.session,
        ledger,
        form.filters(),
        current_user,
        today(),
        form.page.data or 1,
        after=form.after.data,
        before=form.before.data,
    )
    if page.clamped_from:
        messages.append(
            f"第 {page.clamped_from} 页超出按页码翻阅的范围（前 {NUMBERED_PAGES} 页），已显示第 {page.page} 页；"
            "请用“下一页”继续往后翻阅，或改变排序、缩小筛选范围。"
        )
    template = "ledgers/_table.html" if htmx and htmx.target == TABLE_ID else "ledgers/ledger.html"
    return render_template(
        template,
        ledger=ledger,
        ledgers=LEDGERS.values(),
        form=form,
        messages=messages,
        page=page,
        sorts=SORTS,
        table_id=TABLE_ID,
        max_rows=MAX_ROWS,
        numbered_pages=NUMBERED_PAGES,
        **_links(ledger, form),
    )


@bp.get("/<name>/export.xlsx")
def export(name: str):
    ledger = get_ledger(name)
    form, messages = _filter_form(ledger, request.args, _choices())
    filters, day, user = form.filters(), today(), current_user._get_current_object()
    total = db.session.execute(count_select(ledger, filters, user, day)).scalar_one()
    described = form.described()

    def notes(exported: int) -> list[tuple[str, str]]:
        shown = (
            f"{exported} 条"
            if total <= MAX_ROWS
            else f"共 {total} 条，仅导出前 {MAX_ROWS} 条；请缩小筛选范围后分批导出。"
        )
        return [
            ("台账", ledger.title),
            ("导出时间", now().strftime("%Y-%m-%d %H:%M")),
            ("导出人", f"{user.name}（{user.username}）"),
            ("筛选条件", "；".join(f"{k}：{v}" for k, v in described) or "无"),
            ("导出条数", shown),
            *(("已忽略", m) for m in messages),
        ]

    # The rows stream from one query into a temporary file; the audit row is committed after, so nothing that was
    # loaded expires before it is written (a commit first made every row load again, one query each).
    rows = stream(db.session, export_select(ledger, filters, user, day), limit=MAX_ROWS)
    file, exported = workbook(ledger, rows, day, notes=notes, viewer=user)
    record(
        "ledger.export",
        user,
        None,
        ledger=ledger.name,
        rows=exported,
        total=total,
        filters="；".join(f"{k}：{v}" for k, v in described),
    )
    db.session.commit()
    response = send_file(
        file,
        as_attachment=True,
        download_name=f"{ledger.title}-{day:%Y%m%d}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )
    # The ASCII name is for old clients (werkzeug's fallback would drop every Chinese character: "-20261123.xlsx").
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ledger-{ledger.name}-{day:%Y%m%d}.xlsx"; '
        f"filename*=UTF-8''{quote(f'{ledger.title}-{day:%Y%m%d}.xlsx', safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"  # case lists stay off shared caches and disks
    return response
