"""The system administrator's SMS texts (短信内容): every kind of the notices' catalogue with its text, placeholders
and a preview; an edit is checked (length, placeholders) and audited, and an empty text restores the default."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.administration import bp
from portal.errors import DomainError
from portal.extensions import db
from portal.notifications import catalogue
from portal.notifications import services as notices
from portal.notifications.forms import MessageTextForm
from portal.notifications.models import MessageText


def _kinds():
    stored = {m.kind: m for m in db.session.execute(db.select(MessageText)).scalars()}
    rows = []
    for kind in catalogue.KINDS.values():
        text = stored[kind.key].text if kind.key in stored else kind.default
        rows.append({"kind": kind, "text": text, "custom": kind.key in stored, "preview": catalogue.sample(kind, text)})
    return rows


@bp.route("/messages")
@login_required
def messages():
    if not current_user.can_administer:
        abort(403)
    return render_template(
        "administration/messages.html",
        rows=_kinds(),
        placeholders=catalogue.PLACEHOLDERS,
        limit=catalogue.TEXT_MAX,
    )


@bp.route("/messages/<kind_key>", methods=["GET", "POST"])
@login_required
def message(kind_key: str):
    if not current_user.can_administer:
        abort(403)
    kind = catalogue.KINDS.get(kind_key) or abort(404)
    form = MessageTextForm()
    if form.validate_on_submit():
        try:
            notices.set_text(kind.key, current_user, form.text.data or "")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return _render(kind, form, error.message, 422)
        flash(f"“{kind.label}”的短信内容已保存。", "success")
        return redirect(url_for("administration.messages"), 303)
    if not form.is_submitted():
        form.text.data = notices.text_of(kind)
    message = "；".join(e for errors in form.errors.values() for e in errors) or None
    return _render(kind, form, message, 422 if form.errors else 200)


def _render(kind, form, message, status):
    return render_template(
        "administration/message.html",
        kind=kind,
        form=form,
        message=message,
        placeholders=catalogue.PLACEHOLDERS,
        limit=catalogue.TEXT_MAX,
    ), status
