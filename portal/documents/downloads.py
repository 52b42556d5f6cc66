"""Handing a document's PDF to whoever may have it — staff on the document page, the petitioner on the progress
page — the same way: the stored PDF (rendered once if its job has not run yet), not cached, the read audited."""

from __future__ import annotations

import io

from flask import abort, send_file

from portal.audit.services import record_read
from portal.documents import services
from portal.documents.models import Document
from portal.errors import DomainError
from portal.extensions import db


def send_pdf(doc: Document, actor):
    """The response for ``doc``'s PDF; ``actor`` None for the petitioner on the public page."""
    try:
        data = services.pdf_bytes(doc)
    except DomainError as error:
        db.session.rollback()
        abort(409, error.message)
    db.session.commit()  # a PDF rendered on this first download is kept
    record_read("document.view", actor, doc, number=doc.number, form="pdf")
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=doc.filename, as_attachment=True)
    response.headers["Cache-Control"] = "no-store"
    return response
