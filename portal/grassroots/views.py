"""The staff page of the grassroots network's numbers: per township and village, and the 形象测评 table."""

from __future__ import annotations

import datetime as dt

from flask import abort, render_template, request
from flask_login import current_user, login_required

from portal.grassroots import bp
from portal.grassroots.numbers import area_numbers, image_ratings
from portal.localtime import now as local_now
from portal.localtime import today
from portal.screening.models import EARLIEST, board_scope


def _date(name: str, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    return default if day < EARLIEST else min(day, today())


def can_see_numbers(user) -> bool:
    """Staff who work cases at the county (the whole county) or in a township (its own villages)."""
    return bool(getattr(user, "works_cases", False)) and board_scope(user) is not False


bp.add_app_template_global(can_see_numbers, "can_see_grassroots_numbers")


@bp.route("/")
@login_required
def numbers():
    if not can_see_numbers(current_user):
        abort(403)
    scope = board_scope(current_user)
    end = _date("end", today())
    start = _date("start", max(EARLIEST, end - dt.timedelta(days=29)))
    if start > end:
        start, end = end, start
    rows = area_numbers(start, end, local_now().replace(tzinfo=None))
    if scope is not None:
        rows = [r for r in rows if r.area.id == scope.id]
    return render_template(
        "grassroots/numbers.html", rows=rows, start=start, end=end, images=image_ratings(), scope=scope
    )
