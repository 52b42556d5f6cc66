"""The deadline calculator (public page, JSON API) and the admin's holiday calendar."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.deadlines import bp
from portal.deadlines.clock import RULES, UnknownRule, get_rule, official_year_known
from portal.deadlines.forms import COUNTED_YEARS, CalculatorForm, OverrideForm
from portal.deadlines.models import CalendarOverride
from portal.deadlines.services import deadline, remove_override, set_override
from portal.extensions import db
from portal.localtime import today

API_YEARS = COUNTED_YEARS  # the page and the API count the same years


@bp.route("/api/v1/deadline")
def api_deadline():
    rule, start = request.args.get("rule", ""), request.args.get("start", "")
    try:
        get_rule(rule)
    except UnknownRule as error:
        return jsonify(error="bad_rule", message=str(error), rules=list(RULES)), 400
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        return jsonify(error="bad_start", message="start 必须是 YYYY-MM-DD 格式的日期，例如 2026-09-30。"), 400
    if not API_YEARS[0] <= day.year <= API_YEARS[1]:
        return jsonify(error="bad_start", message=f"start 须在{API_YEARS[0]}年至{API_YEARS[1]}年之间。"), 400
    return jsonify(deadline(rule, day).as_dict())


@bp.route("/deadline")
def calculator():
    form = CalculatorForm(request.args, meta={"csrf": False})
    result = deadline(form.rule.data, form.start.data) if request.args and form.validate() else None
    template = "deadlines/_result.html" if request.headers.get("HX-Request") else "deadlines/calculator.html"
    return render_template(template, form=form, result=result, rules=RULES.values())


@bp.route("/staff/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    if not current_user.can_manage_calendar:
        abort(403)
    form = OverrideForm()
    if form.validate_on_submit():
        set_override(form.day.data, form.is_workday.data, form.note.data, current_user)
        moved = _recompute(form.day.data)
        db.session.commit()
        flash(f"已设置 {form.day.data.isoformat()}。{moved}", "success")
        return redirect(url_for("deadlines.calendar"), code=303)
    overrides = db.session.execute(db.select(CalendarOverride).order_by(CalendarOverride.day)).scalars().all()
    year = today().year
    years = [(y, official_year_known(y)) for y in (year, year + 1)]
    return render_template(
        "deadlines/calendar.html", form=form, overrides=overrides, years=years
    ), 422 if form.errors else 200


@bp.route("/staff/calendar/<day>/delete", methods=["POST"])
@login_required
def delete_override(day: str):
    if not current_user.can_manage_calendar:
        abort(403)
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    remove_override(parsed, current_user)
    moved = _recompute(parsed)
    db.session.commit()
    flash(f"已删除 {day} 的设置，恢复官方安排。{moved}", "success")
    return redirect(url_for("deadlines.calendar"), code=303)


def _recompute(day: dt.date) -> str:
    """Bring the stored due dates in line with the changed day, so ledgers, lists and statistics follow it."""
    # Imported here: portal.cases imports the clock rules from this package while it loads.
    from portal.cases.services.clocks import recompute_clocks

    cases = {move.case.id for move in recompute_clocks(current_user, since=day)}
    return f"已重新计算{len(cases)}件信访件的期限。" if cases else "没有信访件的期限受影响。"
