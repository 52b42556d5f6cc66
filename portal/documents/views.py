"""Staff pages of a written notice: the document as issued (HTML to print, PDF to download), its deliveries and the
送达回证 to print for signature, and the correction. Every read is audited (the documents name the petitioner)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.audit.services import record_read
from portal.cases.delivery import default_method
from portal.documents import bp, services
from portal.documents.downloads import send_pdf
from portal.documents.forms import CorrectionForm, DeliveryForm
from portal.documents.models import Document
from portal.documents.render import STYLESHEET
from portal.errors import DomainError
from portal.extensions import db

NO_STORE = {"Cache-Control": "no-store"}


def get_document(document_id: int) -> Document:
    doc = db.get_or_404(Document, document_id)
    if not doc.can_view(current_user):
        abort(403)
    return doc


def _page(doc: Document, *, delivery_form=None, correction_form=None, error=None, status=200):
    delivery_form = delivery_form or DeliveryForm(formdata=None)
    if delivery_form.method.data is None or not delivery_form.is_submitted():
        delivery_form.method.data = default_method(doc.case).value
    page = render_template(
        "documents/detail.html",
        doc=doc,
        case=doc.case,
        delivery_form=delivery_form,
        correction_form=correction_form or CorrectionForm(formdata=None),
        error=error,
    )
    return page, status, NO_STORE


@bp.route("/staff/documents/<int:document_id>")
@login_required
def detail(document_id: int):
    doc = get_document(document_id)
    return _page(doc)


@bp.route("/staff/documents/<int:document_id>/print")
@login_required
def printable(document_id: int):
    """The document as issued (the frozen HTML, A4 with its print stylesheet): the browser prints it."""
    doc = get_document(document_id)
    html = services.html_text(doc)
    record_read("document.view", current_user, doc, number=doc.number, form="html")
    return html, 200, {**NO_STORE, "Content-Type": "text/html; charset=utf-8"}


@bp.route("/staff/documents/<int:document_id>/pdf")
@login_required
def pdf(document_id: int):
    doc = get_document(document_id)
    return send_pdf(doc, current_user)


@bp.route("/staff/documents/<int:document_id>/receipt")
@login_required
def receipt(document_id: int):
    """送达回证: printed for the recipient to sign; not stored (the delivery recorded from it is)."""
    doc = get_document(document_id)
    if not doc.to_petitioner:
        abort(404)
    page = render_template(
        "documents/receipt.html",
        doc=doc,
        case=doc.case,
        stylesheet=STYLESHEET.read_text(encoding="utf-8"),
    )
    record_read("document.receipt", current_user, doc, number=doc.number)
    return page, 200, NO_STORE


@bp.route("/staff/documents/<int:document_id>/delivery", methods=["POST"])
@login_required
def deliver(document_id: int):
    doc = get_document(document_id)
    if not doc.can_record_delivery(current_user):
        abort(403)
    form = DeliveryForm()
    if not form.validate():
        return _page(doc, delivery_form=form, error="请检查送达信息。", status=422)
    try:
        services.record_delivery(doc, current_user, **form.arguments())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        doc = get_document(document_id)
        return _page(doc, delivery_form=form, error=error.message, status=error.status_code)
    flash("已登记送达。", "success")
    return redirect(url_for("documents.detail", document_id=doc.id), code=303)


@bp.route("/staff/documents/<int:document_id>/correct", methods=["POST"])
@login_required
def correct(document_id: int):
    doc = get_document(document_id)
    if not doc.can_correct(current_user):
        abort(403)
    form = CorrectionForm()
    if not form.validate():
        return _page(doc, correction_form=form, error="请填写更正理由。", status=422)
    try:
        fresh = services.correct(doc, current_user, reason=form.reason.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        doc = get_document(document_id)
        return _page(doc, correction_form=form, error=error.message, status=error.status_code)
    flash(f"已出具更正文书{fresh.number}。", "success")
    return redirect(url_for("documents.detail", document_id=fresh.id), code=303)
