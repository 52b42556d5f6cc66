"""The audit log, for auditors only: filtered, paged, exported."""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import abort, render_template, request, send_file
from flask_login import current_user, login_required
from openpyxl import Workbook

from portal.audit import bp, chain, labels, queries
from portal.audit.forms import AuditFilterForm, action_groups
from portal.audit.services import record
from portal.exports import append_row
from portal.extensions import db, htmx
from portal.localtime import local, now

MAX_EXPORT_ROWS = 20_000
COLUMNS = ("时间", "操作人", "操作", "操作代码", "结果", "对象", "信访件编号", "详情", "IP", "链位", "哈希")


def _auditor_only() -> None:
    if not current_user.can_read_audit:
        abort(403)


def _form() -> tuple[AuditFilterForm, dict, list[str]]:
    form = AuditFilterForm(request.args)
    filters, messages = form.filters()
    return form, filters, messages


@bp.route("/")
@login_required
def index():
    _auditor_only()
    form, filters, messages = _form()
    page = queries.fetch_page(filters, queries.page_number(request.args.get("page")))
    template = "audit/_table.html" if htmx and htmx.target == "audit-table" else "audit/index.html"
    return render_template(
        template, form=form, page=page, messages=messages, groups=action_groups(), label=labels.label
    )


def _detail(row) -> str:
    return "；".join(f"{k}={v}" for k, v in (row.detail or {}).items() if k != "tracking_code")


@bp.route("/export.xlsx")
@login_required
def export():
    _auditor_only()
    form, filters, messages = _form()
    chain.seal()  # the export carries every row's place in the chain and its hash
    rows = list(db.session.execute(queries.statement(filters).limit(MAX_EXPORT_ROWS + 1)).scalars())
    cut = len(rows) > MAX_EXPORT_ROWS
    rows = rows[:MAX_EXPORT_ROWS]
    book = Workbook()
    sheet = book.active
    sheet.title = "审计日志"
    append_row(sheet, COLUMNS)
    for row in rows:
        append_row(
            sheet,
            [
                local(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.actor_name,
                labels.label(row.action),
                row.action,
                "成功" if row.success else "失败/拒绝",
                f"{row.object_type} #{row.object_id}" if row.object_id else row.object_type,
                str((row.detail or {}).get("tracking_code") or ""),
                _detail(row),
                row.ip,
                row.seq,
                row.hash or "",
            ],
        )
    notes = book.create_sheet("说明")
    described = [f"{getattr(form, k).label.text}：{v}" for k, v in filters.items()]
    for pair in (
        ("导出时间", now().strftime("%Y-%m-%d %H:%M")),
        ("导出人", f"{current_user.name}（{current_user.username}）"),
        ("筛选条件", "；".join(described) or "无"),
        ("导出条数", f"{len(rows)} 条" + (f"（超过 {MAX_EXPORT_ROWS} 条，仅导出最新的，请缩小范围）" if cut else "")),
        *(("已忽略", m) for m in messages),
    ):
        append_row(notes, pair)
    record("audit.export", current_user, rows=len(rows), filters="；".join(described))
    db.session.commit()
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    day = now()
    response = send_file(
        buffer,
        as_attachment=True,
        download_name=f"audit-{day:%Y%m%d}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"audit-{day:%Y%m%d}.xlsx\"; filename*=UTF-8''{quote(f'审计日志-{day:%Y%m%d}.xlsx')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
