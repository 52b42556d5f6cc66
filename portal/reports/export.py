"""A published report as an Excel workbook: the same tables as its page, read from the frozen snapshot."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from portal.exports import append_row
from portal.reports.models import PublishedReport, ReportKind
from portal.stats.export import notes_sheet, save, table


def _rate(value):
    return value if value is not None else None


def _grassroots_sheets(wb: Workbook, g: dict) -> None:
    columns = g["columns"]
    headers = ["乡镇 / 村", *columns.values(), "日报告及时率", "按时报送", "应报天数", "代理员评议满意率", "评议数"]
    rates = (len(columns) + 1, len(columns) + 4)
    rows = []
    for t in g["townships"]:
        for place, a in [(f"{t['name']}（合计）", t), *((f"　{v['name']}", v) for v in t["villages"])]:
            rows.append(
                [
                    place,
                    *(a[k] for k in columns),
                    a["punctuality"],
                    a["reports_on_time"],
                    a["reports_due"],
                    a["satisfaction"],
                    a["rated"],
                ]
            )
    table(wb.create_sheet("基层信访网络"), headers, rows, percent_columns=rates)
    table(
        wb.create_sheet("形象测评"),
        ["测评期", "部门单位", "满意", "基本满意", "不满意", "满意率"],
        [
            [r["period"], r["department"], r["satisfied"], r["basically"], r["unsatisfied"], r["rate"]]
            for r in g["images"]
        ],
        percent_columns=(5,),
    )


def workbook(report: PublishedReport, content: dict) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = report.kind.label
    append_row(ws, [report.heading])
    append_row(ws, [f"统计期间：{report.period_label}；数据截至 {report.as_of.isoformat()}"])
    if report.kind is ReportKind.WEEKLY:
        columns = content["columns"]
        headers = ["责任单位", *columns.values()]
        rows = [[r["name"], *(r[k] for k in columns)] for r in content["by_department"]]
        rows.append(["合计", *(content["totals"][k] for k in columns)])
        table(ws, headers, rows)
        channels = wb.create_sheet("按渠道")
        table(
            channels,
            ["渠道", *columns.values()],
            [[r["name"], *(r[k] for k in columns)] for r in content["by_channel"]],
        )
    elif report.kind is ReportKind.BI_MONTHLY:
        indicators = content["indicators"]
        headers, percent = ["排名", "责任单位", "信访件", "综合得分"], [3]
        for i in indicators:
            percent.append(len(headers))
            headers.append(i["label"])
        percent += [len(headers) + 1]
        headers += ["上期排名", "上期综合得分"]
        rows = []
        for d in content["departments"]:
            previous = d["previous"] or {}
            rows.append(
                [
                    d["rank"],
                    d["name"],
                    d["received"],
                    d["score"],
                    *(_rate(d["rates"].get(i["key"])) for i in indicators),
                    previous.get("rank"),
                    previous.get("score"),
                ]
            )
        table(ws, headers, rows, percent_columns=tuple(percent))
        if "grassroots" in content:  # a circular published before the section existed has none
            _grassroots_sheets(wb, content["grassroots"])
    else:
        headers = ["督办单", "签发日期", "信访件编号", "标题", "责任单位", "包案领导", "事由", "阶段", "状态"]
        headers += ["答复期限", "逾期天数", "本期督办及答复情况"]
        rows = [
            [
                r["number"],
                r["issued_on"],
                r["code"],
                r["title"],
                r["department"],
                r["owner_leader"],
                r["reason"],
                r["stage"],
                r["state"],
                r["reply_due"],
                r["days_late"] if r["open"] and r["days_late"] else None,
                "\n".join(f"{s['at']} {s['title']}{'：' + s['text'] if s['text'] else ''}" for s in r["steps"]),
            ]
            for r in content["supervisions"]
        ]
        table(ws, headers, rows)
        tally = wb.create_sheet("按单位")
        table(
            tally,
            ["责任单位", "督办单", "已答复", "未办结", "逾期未答复"],
            [[r["name"], r["supervisions"], r["answered"], r["open"], r["late"]] for r in content["by_department"]],
        )
    notes = [("通报", report.heading), ("统计期间", report.period_label), ("数据截至", report.as_of.isoformat())]
    if report.kind is ReportKind.BI_MONTHLY:
        notes.append(("排名方法", content["note"]))
        if "grassroots" in content:
            notes.append(("基层信访网络", content["grassroots"]["note"]))
    notes_sheet(wb, notes, "说明")
    return save(wb)
