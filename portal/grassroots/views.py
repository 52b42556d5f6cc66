"""The staff page of the grassroots network's numbers: per township and village, and the 形象测评 table."""

from __future__ import annotations

import datetime as dt

from flask import abort, render_template, request
from flask_login import current_user, login_required

from portal.grassroots import bp
from portal.grassroots.numbers import can_see_numbers, image_ratings, numbers_in_scope
from portal.localtime import now as local_now
from portal.localtime import today
from portal.screening.models import EARLIEST, board_scope


def _date(name: str, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    return default if day < EARLIEST else min(day, today())


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
    rows = numbers_in_scope(scope, start, end, local_now().replace(tzinfo=None))
    return render_template(
        "grassroots/numbers.html", rows=rows, start=start, end=end, images=image_ratings(), scope=scope
    )
