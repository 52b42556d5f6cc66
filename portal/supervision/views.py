"""督办台账 and the supervisor's lists. Every view: check access (blueprint-wide) → validate the filters → query →
respond; nothing here changes state (the chain's steps are case actions, on the case page)."""

from __future__ import annotations

import datetime as dt
import tempfile
from urllib.parse import quote

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from portal.audit.services import record
from portal.cases.supervision import Supervision
from portal.documents.models import Document
from portal.exports import text_cell
from portal.extensions import db, htmx, login_manager
from portal.ledgers.queries import LEDGERS
from portal.localtime import now, today
from portal.org.models import Department
from portal.settings.models import get_setting
from portal.supervision import bp
from portal.supervision.forms import SupervisionFilterForm
from portal.supervision.notices import SUPERVISION_NOTICE
from portal.supervision.queries import (
    LISTS,
    count_select,
    export_rows,
    fetch_page,
    lists_by_department,
    state_counts,
)

TABLE_ID = "supervision-table"
MAX_ROWS = 5000


@bp.before_request
def _case_workers_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.works_cases:
        abort(403)
    return None


def _departments() -> list[Department]:
    departments = db.session.execute(Department.assignable()).scalars().all()
    if current_user.department_scoped:
        departments = [d for d in departments if d.id == current_user.department_id]
    return departments


def _form() -> tuple[SupervisionFilterForm, list[str]]:
    form = SupervisionFilterForm(formdata=request.args)
    form.set_departments(_departments())
    return form, form.check()


@bp.get("/")
def index():
    form, messages = _form()
    day = today()
    page = fetch_page(db.session, form.filters(), current_user, day, form.page.data or 1)
    args = form.query_args()
    template = "supervision/_table.html" if htmx and htmx.target == TABLE_ID else "supervision/index.html"
    response = render_template(
        template,
        form=form,
        messages=messages,
        page=page,
        today=day,
        counts=state_counts(db.session, current_user, day),
        table_id=TABLE_ID,
        page_url=lambda n: url_for("supervision.index", **{**args, "page": n}),
        export_url=url_for("supervision.export", **args),
    )
    return response, 200, {"Vary": "HX-Request, HX-Target"}


HEADER = ["督办单号", "信访件编号", "标题", "责任单位", "督办事由", "阶段", "状态", "下发日期", "答复期限", "逾期天数",
          "答复次数", "最近答复日期", "逾期答复"]  # fmt: skip


def _cells(ws, row: int, values) -> list[Cell]:
    # A streamed sheet takes ready cells that know their place; every string goes in as text (portal.exports).
    cells = []
    for column, value in enumerate(values, start=1):
        cell = text_cell(ws, value) if isinstance(value, str) else Cell(ws, value=value)
        cell.row, cell.column = row, column
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cells.append(cell)
    return cells


@bp.get("/export.xlsx")
def export():
    form, _ = _form()
    day = today()
    filters = form.filters()
    user = current_user._get_current_object()
    total = db.session.execute(count_select(filters, user, day)).scalar_one()
    # Streamed: the rows come from one query (export_rows) and go to a temporary file as they come.
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("督办台账")
    ws.append(_cells(ws, 1, HEADER))
    shown = 0
    for s, tracking_code, title in export_rows(db.session, filters, user, day, limit=MAX_ROWS):
        latest = s.latest_answer
        ws.append(
            _cells(
                ws,
                shown + 2,
                [
                    s.number,
                    tracking_code,
                    title,
                    s.department.name,
                    s.reason.label,
                    s.stage.label,
                    s.state.label,
                    s.issued_on,
                    s.reply_due,
                    s.days_late(day),
                    len(s.answers),
                    latest.answered_on if latest else None,
                    "是" if s.answered_late else "否",
                ],
            )
        )
        shown += 1
    notes = wb.create_sheet("说明")
    notes.append(_cells(notes, 1, ["导出时间", now().strftime("%Y-%m-%d %H:%M")]))
    notes.append(_cells(notes, 2, ["导出人", f"{user.name}（{user.username}）"]))
    notes.append(
        _cells(notes, 3, ["导出条数", f"{shown} 条" if total <= MAX_ROWS else f"共 {total} 条，仅导出前 {MAX_ROWS} 条"])
    )
    record("ledger.export", user, None, ledger="supervisions", rows=shown, total=total)
    db.session.commit()
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    wb.save(out)
    out.seek(0)
    name = f"督办台账-{day:%Y%m%d}.xlsx"
    response = send_file(
        out,
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"supervisions-{day:%Y%m%d}.xlsx\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/lists")
def lists():
    """超期, 临期, 不满意, 重复, 越级 by department, each count a link to its ledger filtered to the department."""
    day = today()
    by_department = lists_by_department(db.session, current_user, day)
    departments = _departments()
    known = {d.id for d in departments}
    unassigned = {name: counts.get(None, 0) for name, counts in by_department.items()}
    others = {
        name: sum(n for dep, n in counts.items() if dep is not None and dep not in known)
        for name, counts in by_department.items()
    }
    return render_template(
        "supervision/lists.html",
        lists=[LEDGERS[name] for name in LISTS],
        by_department=by_department,
        departments=[d for d in departments if any(by_department[n].get(d.id) for n in LISTS)],
        unassigned=unassigned,
        others=others,
        totals={name: sum(counts.values()) for name, counts in by_department.items()},
        due_soon_days=get_setting("due_soon_working_days"),
    )


@bp.get("/<int:supervision_id>/notice")
def notice(supervision_id: int):
    """The numbered 督办单 as issued (a written notice of portal.documents): its printable page."""
    supervision = db.get_or_404(Supervision, supervision_id)
    if not supervision.case.can_view(current_user):
        abort(403)
    document = db.session.execute(
        db.select(Document).where(
            Document.case_id == supervision.case_id,
            Document.kind == SUPERVISION_NOTICE.key,
            Document.number == supervision.number,
        )
    ).scalar()
    if document is None:
        abort(404)
    return redirect(url_for("documents.printable", document_id=document.id), code=303)
