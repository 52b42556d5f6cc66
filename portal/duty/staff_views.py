"""Staff roster pages (接访排班): the month calendar and the list, slot changes in place (htmx) or by plain POST,
publishing, swaps, special periods, a leader's 我的接访 page (with the panels areas above duty register) and
personal calendar feed.

Every view: read arguments → load (404) → check access (403) → validate → one service call → commit → the changed
day cells for htmx, or a 303 redirect for a full page.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.accounts.models import Role, User
from portal.deadlines.services import work_calendar
from portal.duty import bp, roster
from portal.duty import month as board
from portal.duty.calendar_feed import build_calendar
from portal.duty.forms import CancelForm, SlotForm, SpecialPeriodForm, SwapForm
from portal.duty.links import public_host, public_url
from portal.duty.models import DutySlot, SpecialPeriod, SwapRequest, Verdict, can_manage_roster, can_see_roster
from portal.duty.month import Month
from portal.duty.panels import MINE_PANELS
from portal.errors import DomainError
from portal.extensions import db, htmx
from portal.forms import options
from portal.localtime import today
from portal.settings.models import get_setting

MINE_DAYS_AHEAD = 120  # 我的接访 lists this many days ahead
FEED_DAYS_BACK = 90  # a leader's feed keeps recent slots, so a calendar app does not drop them at once
FEED_DAYS_AHEAD = 366


# --- loading and access ------------------------------------------------------------------------------------------
def _require_viewer() -> None:
    if not can_see_roster(current_user):
        abort(403)


def _require_manager() -> None:
    if not can_manage_roster(current_user):
        abort(403)


def _require_leader() -> None:
    if not current_user.has_role(Role.LEADER):
        abort(403)


def get_slot(slot_id: int) -> DutySlot:
    slot = db.get_or_404(DutySlot, slot_id)
    _require_viewer()
    return slot


def get_swap(swap_id: int) -> SwapRequest:
    swap = db.get_or_404(SwapRequest, swap_id)
    _require_viewer()
    return swap


def _month_arg() -> Month:
    try:
        return Month.parse(request.values.get("month"))
    except ValueError:
        abort(400, "月份应为 YYYY-MM 格式，例如 2026-12。")


def _day_arg(name: str = "day") -> dt.date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400, "日期应为 YYYY-MM-DD 格式，例如 2026-12-03。")


def _target_day() -> dt.date | None:
    """The day cell an htmx request came from (its id is ``day-YYYY-MM-DD``); None for a full page."""
    target = htmx.target if htmx else None
    if not target or not target.startswith("day-"):
        return None
    try:
        return dt.date.fromisoformat(target[4:])
    except ValueError:
        return None


def _page_month(default: dt.date) -> Month:
    """The month of the page a cell sits on (a cell may show a neighbouring month's day)."""
    try:
        return Month.parse(request.values.get("month"), default=default)
    except ValueError:
        return Month.of(default)


# --- forms -------------------------------------------------------------------------------------------------------
def _leader_choices(exclude: int | None = None) -> list[tuple[int, str]]:
    return [(u.id, f"{u.name}（{u.title}）" if u.title else u.name) for u in board.active_leaders() if u.id != exclude]


def _slot_form(
    *,
    formdata=None,
    slot: DutySlot | None = None,
    day: dt.date | None = None,
    back: str = "month",
    month: Month | None = None,
) -> SlotForm:
    form = SlotForm(formdata=formdata)
    form.leader_id.choices = options([(0, "请选择领导")] + _leader_choices())
    if formdata is None:
        form.back.data, form.month.data = back, str(month) if month else ""
        if slot is not None:
            form.day.data, form.period.data, form.leader_id.data = slot.day, slot.period.value, slot.leader_id
            form.place.data, form.form.data, form.topics.data = slot.place, slot.form.value, slot.topics
        else:
            form.day.data = day
            form.place.data = get_setting("office_address")
    return form


def _form_errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


# --- responses ---------------------------------------------------------------------------------------------------
def _cell_context(day: dt.date, month: Month) -> dict:
    view = board.one_day(day, month)
    return {
        "d": view,
        "month": month,
        "can_manage": can_manage_roster(current_user),
    }


def _cells(
    target: dt.date,
    *,
    changed=(),
    editor: dict | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """The day cell htmx targeted, and out-of-band the other changed days the page shows."""
    month = _page_month(target)
    html = [render_template("duty/_day.html", **_cell_context(target, month), editor=editor, error=error)]
    for day in sorted(set(changed) - {target}):
        if month.grid_start <= day <= month.grid_end:
            html.append(render_template("duty/_day.html", **_cell_context(day, month), oob=True))
    if notice:
        html.append(render_template("duty/_notice.html", notice=notice))
    response = current_app.response_class("".join(html), status=status)
    if status < 300:
        response.headers["HX-Trigger"] = "duty-changed"  # the status strip and quota panel refresh themselves
    return response


def _back_url(day: dt.date | None = None) -> str:
    back = request.form.get("back") or request.args.get("back")
    if back == "mine":
        return url_for("duty.mine")
    month = Month.of(day) if day else _month_arg()
    if back == "list":
        return url_for("duty.staff_list", month=str(month))
    return url_for("duty.staff_month", month=str(month), _anchor=f"day-{day.isoformat()}" if day else None)


def _editor_page(editor: dict, status: int = 200):
    """The slot form on a page of its own (without JavaScript)."""
    return render_template("duty/staff_slot_form.html", editor=editor, places=board.recent_places()), status


def _editor_response(editor: dict, day: dt.date, status: int = 200):
    target = _target_day()
    if target is not None:
        return _cells(target, editor=editor, status=status)
    return _editor_page(editor, status)


def _refused(verdict: Verdict, day: dt.date):
    """A control the page no longer offers (the slot was logged, cancelled or is over): 403 for the wrong person,
    otherwise the reason — in the day cell for htmx, as a message on the page it came from without."""
    if verdict.forbidden:
        abort(403)
    target = _target_day()
    if target is not None:
        return _cells(target, error=verdict.reason, status=422)
    flash(verdict.reason, "error")
    return redirect(_back_url(day), code=303)


def _done(notice: str, *, changed, day: dt.date):
    target = _target_day()
    if target is not None:
        return _cells(target, changed=changed, notice=notice)
    flash(notice, "success")
    return redirect(_back_url(day), code=303)


# --- pages -------------------------------------------------------------------------------------------------------
def _panel_context(month: Month) -> dict:
    calendar = work_calendar()
    quota_rows = board.quota_board(month, calendar)
    days = board.day_views(month.first, month.last, month=month, calendar=calendar)
    manager = can_manage_roster(current_user)
    drafts = roster.draft_slots(month.first, month.last) if manager else []
    first_publishable = roster.publishable_from()
    return {
        "month": month,
        "can_manage": manager,
        "quota_rows": quota_rows,
        "behind": [row for row in quota_rows if row.quota.behind],
        "uncovered": [d.uncovered for d in days if d.uncovered],
        "drafts": drafts,
        "too_close": [s for s in drafts if s.day < first_publishable],
        "days_ahead": get_setting("roster_publish_days_ahead"),
        "swaps": board.pending_swaps_for(current_user, all_of_them=manager),
        "specials": list(
            db.session.scalars(
                db.select(SpecialPeriod)
                .where(SpecialPeriod.ends_on >= month.first)
                .order_by(SpecialPeriod.starts_on, SpecialPeriod.id)
                .limit(30)
            )
        ),
    }


def _month_page(month: Month, *, special_form: SpecialPeriodForm | None = None, status: int = 200):
    context = _panel_context(month)
    return render_template(
        "duty/staff_month.html",
        weeks=board.weeks(month),
        special_form=special_form or _special_form(month),
        places=board.recent_places(),
        view="month",
        **context,
    ), status


def _special_form(month: Month, back: str = "month") -> SpecialPeriodForm:
    form = SpecialPeriodForm(formdata=None)
    form.back.data, form.month.data = back, str(month)
    return form


@bp.route("/staff/duty/")
@login_required
def staff_month():
    _require_viewer()
    return _month_page(_month_arg())


@bp.route("/staff/duty/list")
@login_required
def staff_list():
    _require_viewer()
    month = _month_arg()
    slots = board.slots_between(month.first, month.last)
    return render_template(
        "duty/staff_list.html",
        slots=slots,
        special_form=_special_form(month, "list"),
        view="list",
        **_panel_context(month),
    )


@bp.route("/staff/duty/panel/<part>")
@login_required
def panel(part: str):
    """The status strip or the quota panel of a month, refreshed by htmx after each change."""
    _require_viewer()
    if part not in ("status", "details"):
        abort(404)
    month = _month_arg()
    return render_template(
        f"duty/_{part}.html",
        special_form=_special_form(month, request.args.get("view", "month")),
        view=request.args.get("view", "month"),
        **_panel_context(month),
    )


@bp.route("/staff/duty/day/<day>")
@login_required
def day_cell(day: str):
    """One day cell (htmx closes an editor with it); a full page goes to the month instead."""
    _require_viewer()
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    if _target_day() is None:
        return redirect(url_for("duty.staff_month", month=str(Month.of(date)), _anchor=f"day-{day}"), code=303)
    return _cells(date)


# --- slots -------------------------------------------------------------------------------------------------------
@bp.route("/staff/duty/slots/new")
@login_required
def new_slot():
    _require_manager()
    day = _day_arg() or today()
    month = _page_month(day)
    form = _slot_form(day=day, back=request.args.get("back", "month"), month=month)
    return _editor_response({"kind": "new", "slot": None, "form": form, "day": day}, day)


@bp.route("/staff/duty/slots", methods=["POST"])
@login_required
def create_slot():
    _require_manager()
    form = _slot_form(formdata=request.form)
    origin = _target_day() or form.day.data or today()
    editor = {"kind": "new", "slot": None, "form": form, "day": origin}
    if not form.validate():
        return _editor_response({**editor, "message": _form_errors(form)}, origin, 422)
    try:
        slot = roster.create_slot(
            current_user,
            day=form.day.data,
            period=form.period.data,
            leader_id=form.leader_id.data,
            place=form.place.data,
            form=form.form.data,
            topics=form.topics.data or "",
            confirm_rest_day=form.confirm_rest_day.data,
        )
        notice = f"已安排：{slot.label}。" + ("" if slot.published else "（草稿，公布后群众可见）")
        day = slot.day
        db.session.commit()
    except roster.RestDayNotConfirmed as error:
        db.session.rollback()
        return _editor_response({**editor, "message": error.message, "confirm": True}, origin, 422)
    except DomainError as error:
        db.session.rollback()
        return _editor_response({**editor, "message": error.message}, origin, error.status_code)
    return _done(notice, changed={day}, day=day)


@bp.route("/staff/duty/slots/<int:slot_id>/edit")
@login_required
def edit_slot(slot_id: int):
    slot = get_slot(slot_id)
    if not (verdict := slot.can_edit(current_user)):
        return _refused(verdict, slot.day)
    form = _slot_form(slot=slot, back=request.args.get("back", "month"), month=_page_month(slot.day))
    return _editor_response({"kind": "edit", "slot": slot, "form": form, "day": slot.day}, slot.day)


@bp.route("/staff/duty/slots/<int:slot_id>/move", methods=["POST"])
@login_required
def move_slot(slot_id: int):
    slot = get_slot(slot_id)
    if slot.can_edit(current_user).forbidden:
        abort(403)
    form = _slot_form(formdata=request.form)
    old_day = slot.day
    editor = {"kind": "edit", "slot": slot, "form": form, "day": old_day}
    if not form.validate():
        return _editor_response({**editor, "message": _form_errors(form)}, old_day, 422)
    try:
        roster.move_slot(
            current_user,
            slot,
            day=form.day.data,
            period=form.period.data,
            leader_id=form.leader_id.data,
            place=form.place.data,
            form=form.form.data,
            topics=form.topics.data or "",
            confirm_rest_day=form.confirm_rest_day.data,
        )
        notice, day = f"已保存：{slot.label}。", slot.day
        db.session.commit()
    except roster.RestDayNotConfirmed as error:
        db.session.rollback()
        return _editor_response(
            {**editor, "slot": db.session.get(DutySlot, slot_id), "message": error.message, "confirm": True},
            old_day,
            422,
        )
    except DomainError as error:
        db.session.rollback()
        return _editor_response(
            {**editor, "slot": db.session.get(DutySlot, slot_id), "message": error.message}, old_day, error.status_code
        )
    return _done(notice, changed={old_day, day}, day=day)


@bp.route("/staff/duty/slots/<int:slot_id>/cancel", methods=["POST"])
@login_required
def cancel_slot(slot_id: int):
    slot = get_slot(slot_id)
    if slot.can_edit(current_user).forbidden:
        abort(403)
    form = CancelForm()
    day = slot.day
    try:
        if not form.validate():
            raise DomainError(_form_errors(form))
        roster.cancel_slot(current_user, slot, reason=form.reason.data or "")
        notice = f"已取消：{slot.label}。" + ("公开的接访安排已同步标为“已取消”。" if slot.published else "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if _target_day() is not None:
            return _cells(_target_day(), error=error.message, status=error.status_code)
        flash(error.message, "error")
        return redirect(_back_url(day), code=303)
    return _done(notice, changed={day}, day=day)


@bp.route("/staff/duty/publish", methods=["POST"])
@login_required
def publish():
    _require_manager()
    month = _month_arg()
    try:
        result = roster.publish_slots(current_user, month.first, month.last)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_back_url(), code=303)
    flash(result.message, "success")
    if result.warning:
        flash(result.warning, "warning")
    return redirect(_back_url(), code=303)


# --- swaps -------------------------------------------------------------------------------------------------------
def _swap_form(slot: DutySlot, formdata=None) -> SwapForm:
    form = SwapForm(formdata=formdata)
    form.substitute_id.choices = options([(0, "请选择领导")] + _leader_choices(exclude=slot.leader_id))
    if formdata is None:
        form.back.data = request.args.get("back", "mine")
        form.month.data = str(Month.of(slot.day))
    return form


@bp.route("/staff/duty/slots/<int:slot_id>/swap", methods=["GET", "POST"])
@login_required
def ask_swap(slot_id: int):
    slot = get_slot(slot_id)
    verdict = slot.can_ask_swap(current_user)
    if verdict.forbidden:
        abort(403)
    form = _swap_form(slot, request.form if request.method == "POST" else None)
    if request.method == "GET":
        if not verdict:
            flash(verdict.reason, "error")
            return redirect(_back_url(slot.day), code=303)
        return render_template("duty/staff_swap.html", slot=slot, form=form)
    if not form.validate():
        return render_template("duty/staff_swap.html", slot=slot, form=form, message=_form_errors(form)), 422
    try:
        swap = roster.request_swap(current_user, slot, substitute_id=form.substitute_id.data, reason=form.reason.data)
        notice = f"已请{swap.substitute.name}接替{slot.label}，待对方确认。"
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        slot = get_slot(slot_id)
        return render_template("duty/staff_swap.html", slot=slot, form=form, message=error.message), error.status_code
    flash(notice, "success")
    return redirect(_back_url(slot.day), code=303)


# decision → (the predicate on SwapRequest, the service that enforces it, the message when done)
SWAP_DECISIONS = {
    "accept": (SwapRequest.can_accept, roster.accept_swap, "已接受调换：{slot}，公开的接访安排已同步更新。"),
    "decline": (SwapRequest.can_decline, roster.decline_swap, "已拒绝调换申请：{slot}。"),
    "withdraw": (SwapRequest.can_withdraw, roster.withdraw_swap, "已撤回调换申请：{slot}。"),
}


@bp.route("/staff/duty/swaps/<int:swap_id>/<decision>", methods=["POST"])
@login_required
def decide_swap(swap_id: int, decision: str):
    if decision not in SWAP_DECISIONS:
        abort(404)
    swap = get_swap(swap_id)
    allowed, service, message = SWAP_DECISIONS[decision]
    if allowed(swap, current_user).forbidden:
        abort(403)
    day = swap.slot.day
    try:
        service(current_user, swap)
        notice = message.format(slot=swap.slot.label)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_back_url(day), code=303)
    flash(notice, "success")
    return redirect(_back_url(day), code=303)


# --- special periods ---------------------------------------------------------------------------------------------
@bp.route("/staff/duty/special-periods", methods=["POST"])
@login_required
def add_special_period():
    _require_manager()
    month = _month_arg()
    form = SpecialPeriodForm()
    error = None
    if form.validate():
        try:
            period = roster.add_special_period(
                current_user,
                name=form.name.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                every_day=form.coverage.data == "every_day",
            )
            notice = f"已添加特殊时期：{period.name}（{period.dates_label}，{period.coverage_label}）。"
            db.session.commit()
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
    else:
        error = _form_errors(form)
    if error:
        flash(error, "error")
        return _month_page(month, special_form=form, status=422)
    flash(notice, "success")
    return redirect(url_for("duty.staff_month", month=str(month), _anchor="special"), code=303)


@bp.route("/staff/duty/special-periods/<int:period_id>/remove", methods=["POST"])
@login_required
def remove_special_period(period_id: int):
    period = db.get_or_404(SpecialPeriod, period_id)
    _require_manager()
    name = period.name
    roster.remove_special_period(current_user, period)
    db.session.commit()
    flash(f"已删除特殊时期：{name}。", "success")
    return redirect(url_for("duty.staff_month", month=str(_month_arg()), _anchor="special"), code=303)


# --- 我的接访 --------------------------------------------------------------------------------------------------------
@bp.route("/staff/duty/mine")
@login_required
def mine():
    _require_leader()
    start = today()
    slots = board.slots_between(start, start + dt.timedelta(days=MINE_DAYS_AHEAD), leader_id=current_user.id)
    forms = {s.id: _swap_form(s) for s in slots if s.can_ask_swap(current_user)}
    # What the areas built on duty add below (reception: today's log, the cases born at my receptions).
    panels = [
        Markup(render_template(panel.template, **panel.context(current_user, start))) for panel in MINE_PANELS.values()
    ]
    token = current_user.calendar_token
    return render_template(
        "duty/staff_mine.html",
        slots=slots,
        swap_forms=forms,
        swaps=board.pending_swaps_for(current_user),
        asked=board.swaps_asked_by(current_user),
        feed_url=public_url("duty.leader_feed", token=token) if token else None,
        panels=panels,
        days_ahead=MINE_DAYS_AHEAD,
    )


@bp.route("/staff/duty/mine/feed", methods=["POST"])
@login_required
def create_feed():
    _require_leader()
    roster.ensure_calendar_token(current_user)
    db.session.commit()
    flash("已生成您的接访日历订阅地址。请勿转发：持有此地址的人都能看到您的接访安排。", "success")
    return redirect(url_for("duty.mine", _anchor="feed"), code=303)


@bp.route("/staff/duty/mine/feed/reset", methods=["POST"])
@login_required
def reset_feed():
    _require_leader()
    roster.reset_calendar_token(current_user)
    db.session.commit()
    flash("订阅地址已重置，原地址已失效；请在日历应用中改用新地址。", "success")
    return redirect(url_for("duty.mine", _anchor="feed"), code=303)


@bp.route("/duty/feed/<token>.ics")
def leader_feed(token: str):
    """A leader's own slots, drafts and cancelled ones too, at a secret address (no sign-in: calendar apps)."""
    leader = db.session.scalars(db.select(User).filter_by(calendar_token=token)).first() if token else None
    if leader is None or not leader.active or not leader.has_role(Role.LEADER):
        abort(404)
    start = today() - dt.timedelta(days=FEED_DAYS_BACK)
    slots = board.slots_between(start, today() + dt.timedelta(days=FEED_DAYS_AHEAD), leader_id=leader.id)
    body = build_calendar(
        slots, name=f"{leader.name}的接访安排", host=public_host(), url=public_url("duty.mine"), busy=True
    )
    response = current_app.response_class(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = "inline; filename=duty.ics"
    # The address is a secret: no shared cache keeps the answer, no page it links to learns it.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
