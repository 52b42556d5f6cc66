"""Issuing, rendering, delivering and correcting written notices. Services flush, never commit.

A document is issued inside the transaction of the decision it records (``receivers``), numbered there through
``portal.numbering`` (gap-free per organ, kind and year), and its HTML sealed and hashed at once. Its PDF is
rendered from that HTML once, after the decision commits (a job) or on first download, and never again."""

from __future__ import annotations

import datetime as dt
import hashlib

from portal import numbering
from portal.audit.services import record
from portal.cases.delivery import checked_delivery
from portal.cases.models import Case, CaseEvent, Channel
from portal.documents import render
from portal.documents.kinds import KINDS, REPLY_KINDS, Kind
from portal.documents.models import Delivery, DeliveryMethod, Document
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today as local_today
from portal.localtime import utcnow
from portal.protection import cipher, keyring, rotation
from portal.settings.models import get_setting
from portal.validation import limited

PDF_JOB = "portal.jobs.tasks.render_document"
PDF_RETRY = (30, 300)


# --- numbers ------------------------------------------------------------------------------------------------
def number_scope(issuer_id: int, kind: str) -> str:
    return f"document:{issuer_id}:{kind}"


def format_number(kind: Kind, year: int, sequence: int) -> str:
    """The number as the pattern setting says (default GB/T 9704: 机关代字〔年份〕序号号)."""
    pattern = str(get_setting("document_number_pattern"))
    code = str(get_setting(kind.code_setting))
    return pattern.replace("{代字}", code).replace("{年份}", str(year)).replace("{序号}", str(sequence))


# --- sealing --------------------------------------------------------------------------------------------------
def _context(doc: Document, part: str) -> bytes:
    # Bound to the document and the part: a blob copied onto another row does not open.
    return f"document:{doc.issuer_id}:{doc.kind}:{doc.year}:{doc.sequence}:{part}".encode()


def _seal(doc: Document, part: str, data: bytes) -> bytes:
    return cipher.seal(keyring(), data, _context(doc, part))


def _open(doc: Document, part: str, sealed: bytes) -> bytes:
    return cipher.open_sealed(keyring(), sealed, _context(doc, part))


def html_text(doc: Document) -> str:
    data = _open(doc, "html", doc.html)
    if hashlib.sha256(data).hexdigest() != doc.html_sha256:
        raise DomainError("文书内容校验失败，请联系系统管理员。")
    return data.decode("utf-8")


def pdf_bytes(doc: Document) -> bytes:
    """The stored PDF (rendered now, once, if the job has not done it yet)."""
    if doc.pdf is None:
        render_pdf(doc)
    data = _open(doc, "pdf", doc.pdf)
    if hashlib.sha256(data).hexdigest() != doc.pdf_sha256:
        raise DomainError("文书文件校验失败，请联系系统管理员。")
    return data


# --- issuing --------------------------------------------------------------------------------------------------
def issue(
    case: Case,
    kind_key: str,
    actor,
    *,
    event: CaseEvent | None = None,
    replaces: Document | None = None,
    reason: str = "",
    issued_on: dt.date | None = None,
) -> Document:
    """Number and freeze a document of ``kind_key`` for ``case``. Online petitioners get it delivered online the
    same day; a reply document takes the delivery its decision recorded."""
    kind = KINDS[kind_key]
    issuer = kind.issuer(case, event, actor)
    issued_on = issued_on or local_today()
    doc = Document(
        case=case,
        kind=kind.key,
        title=kind.title,
        issuer=issuer,
        issuer_id=issuer.id,
        issuer_name=issuer.name,
        year=issued_on.year,
        issued_on=issued_on,
        public=kind.public,
        to_petitioner=kind.to_petitioner,
        addressee=kind.addressee(case) if kind.addressee else "",
        replaces=replaces,
        correction_reason=reason,
        event=event,
        created_by_id=getattr(actor, "id", None),
    )
    # The counter row stays locked until the decision commits: allocate just before the numbered row is written.
    doc.sequence = numbering.allocate(number_scope(issuer.id, kind.key), doc.year)
    doc.number = format_number(kind, doc.year, doc.sequence)
    extra = kind.context(case, event) if kind.context else {}
    data = render.html_of(kind, doc, case, event, extra).encode("utf-8")
    doc.html_sha256 = hashlib.sha256(data).hexdigest()
    doc.html = _seal(doc, "html", data)
    db.session.add(doc)
    db.session.flush()
    record(
        "document.issue",
        actor,
        doc,
        tracking_code=case.tracking_code,
        kind=kind.key,
        number=doc.number,
        replaces=replaces.number if replaces else None,
    )
    _first_delivery(doc, case, kind, extra, actor)
    if _render_after_commit():
        from portal.jobs.queue import enqueue

        enqueue(PDF_JOB, doc.id, retry=PDF_RETRY)
    return doc


def _render_after_commit() -> bool:
    from flask import current_app

    return bool(current_app.config.get("DOCUMENT_PDF_AFTER_COMMIT", True))


def _first_delivery(doc: Document, case: Case, kind: Kind, extra: dict, actor) -> None:
    if not kind.to_petitioner:
        return
    reply = extra.get("reply")
    if kind.key in REPLY_KINDS and reply is not None and reply.delivered_on is not None and doc.replaces is None:
        # The decision recorded the delivery (date and method) with the reply: that is this document's delivery.
        given = (doc.event.data or {}) if doc.event is not None else {}  # what the 送达 form recorded
        _add_delivery(doc, DeliveryMethod.from_label(reply.delivery_method), reply.delivered_on, actor,
                      tracking_number=given.get("tracking_number", ""), recipient=given.get("recipient", ""),
                      note="随答复登记")  # fmt: skip
    elif case.channel is Channel.ONLINE:
        _add_delivery(doc, DeliveryMethod.ONLINE, doc.issued_on, actor, note="网上信访，发布即送达")


def _add_delivery(doc, method, delivered_on, actor, *, tracking_number="", recipient="", note="") -> Delivery:
    delivery = Delivery(
        document=doc,
        method=method,
        delivered_on=delivered_on,
        tracking_number=tracking_number,
        recipient=recipient,
        note=note,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(delivery)
    db.session.flush()
    record(
        "document.deliver",
        actor,
        doc,
        number=doc.number,
        method=method.value,
        delivered_on=delivered_on.isoformat(),
        tracking_number=tracking_number or None,
    )
    return delivery


def render_pdf(doc: Document) -> Document:
    """Render the frozen HTML to PDF once; a document that has its PDF keeps it."""
    db.session.refresh(doc, with_for_update=True)
    if doc.pdf is not None:
        return doc
    data = render.pdf_of(html_text(doc))
    doc.pdf_sha256 = hashlib.sha256(data).hexdigest()
    doc.pdf = _seal(doc, "pdf", data)
    doc.rendered_at = utcnow()
    db.session.flush()
    return doc


# --- delivery -------------------------------------------------------------------------------------------------
def record_delivery(
    doc: Document,
    actor,
    *,
    method: DeliveryMethod,
    delivered_on: dt.date | None,
    tracking_number: str = "",
    recipient: str = "",
    note: str = "",
) -> Delivery:
    """送达 recorded (or a wrong record corrected: the latest counts, the earlier stays). For a reply document the
    delivery date is the one the petitioner's windows count from."""
    if not doc.can_record_delivery(actor):
        raise NotAllowed("只有信访部门可以登记送达。")
    if not doc.to_petitioner:
        raise DomainError(f"{doc.title}送{doc.addressee or '承办单位'}，不登记向信访人送达。")
    tracking_number, recipient = checked_delivery(
        doc.case,
        method,
        delivered_on,
        today=local_today(),
        not_before=doc.issued_on,
        not_before_what="文书出具日期",
        tracking_number=tracking_number,
        recipient=recipient,
    )
    note = limited(note, "备注", 200)
    case = doc.case
    if doc.kind in REPLY_KINDS:
        from portal.cases.services import delivery_recorded

        # The case's windows move with the recorded date (this locks the case row and refuses an old reply).
        delivery_recorded(case, actor, reply_kind=_reply_kind(doc), delivered_on=delivered_on, method=method.label)
    return _add_delivery(
        doc, method, delivered_on, actor, tracking_number=tracking_number, recipient=recipient, note=note
    )


def _reply_kind(doc: Document):
    from portal.cases.models import ReplyKind

    return {"review_opinion": ReplyKind.REVIEW, "rereview_opinion": ReplyKind.REREVIEW}.get(doc.kind, ReplyKind.REPLY)


# --- correction -----------------------------------------------------------------------------------------------
def correct(doc: Document, actor, *, reason: str) -> Document:
    """A correction: a new numbered document of the same kind, from the case as it is now, saying which one it
    replaces and why. The old one stays as it was, marked as replaced."""
    if not doc.can_correct(actor):
        raise NotAllowed("只有出具文书的机关可以更正文书。")
    reason = limited(reason, "更正理由", 500)
    if not reason:
        raise DomainError("请填写更正理由。")
    # A correction is delivered afresh (the clerk records it); online petitioners get it online at once.
    return issue(doc.case, doc.kind, actor, event=doc.event, replaces=doc, reason=reason)


# --- key rotation -----------------------------------------------------------------------------------------------
def _reseal_documents(ring, *, dry_run: bool = False) -> dict[str, int]:
    """``flask keys rotate``: each document's sealed HTML and PDF under the current key. The plaintext, and so the
    hashes that freeze it, stay the same."""
    counts = {"document parts resealed": 0}
    for doc in db.session.execute(db.select(Document).order_by(Document.id)).scalars():
        for part in ("html", "pdf"):
            sealed = getattr(doc, part)
            if sealed is None or not cipher.needs_resealing(ring, sealed):
                continue
            counts["document parts resealed"] += 1
            if not dry_run:
                context = _context(doc, part)
                setattr(doc, part, cipher.seal(ring, cipher.open_sealed(ring, sealed, context), context))
    if not dry_run:
        db.session.flush()
    return counts


rotation.register_files("documents", _reseal_documents)


# --- reading --------------------------------------------------------------------------------------------------
def staff_documents(case: Case) -> list[Document]:
    return list(case.documents)


def public_documents(case: Case) -> list[Document]:
    return [d for d in case.documents if d.public]
