"""Helpers for the written-notice tests: a document's PDF as text (pdftotext, as a person would read it)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from portal.documents import services
from portal.documents.models import Document

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes) -> str:
    """The text of a PDF with the line breaks and spaces of the layout taken out (pdftotext wraps lines)."""
    assert data.startswith(b"%PDF-"), "not a PDF"
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


def text_of(doc: Document) -> str:
    return pdf_text(services.pdf_bytes(doc))


def only(case, kind: str) -> Document:
    found = [d for d in case.documents if d.kind == kind]
    assert len(found) == 1, f"{kind}: {[d.kind for d in case.documents]}"
    return found[0]
