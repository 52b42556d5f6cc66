"""The receipt handed to a petitioner: the tracking code's lookup address as a QR code (SVG, made here; the query
code is never in it)."""

from __future__ import annotations

import segno
from markupsafe import Markup

from portal.links import external_url
from portal.masking import mask_phone, mask_query_code
from portal.settings.models import office_contacts


def lookup_url(tracking_code: str) -> str:
    """The address that opens the lookup page with the tracking code filled in."""
    return external_url("public.track_case", tracking_code=tracking_code)


def qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m")
    # svg_inline: no XML declaration; the title is read out by screen readers.
    return Markup(
        qr.svg_inline(
            scale=4, border=2, title="扫码查询办理进度", svgclass="qr", lineclass=None, light="#fff", omitsize=True
        )
    )


def context(case, query_code: str, *, sent_to: str | None = None) -> dict:
    """What ``cases/_receipt.html`` needs: the case, the code shown this once, the QR code, and the issuing office
    with its published channels (a receipt says who gave it and where to ask). ``sent_to``: the number the query
    code went to by SMS — the receipt then shows the code masked (it is given once, and the SMS was that once)."""
    url = lookup_url(case.tracking_code)
    return {
        "case": case,
        "query_code": mask_query_code(query_code) if sent_to else query_code,
        "code_sent_to": mask_phone(sent_to) if sent_to else None,
        "lookup_url": url,
        "qr": qr_svg(url),
        "office": office_contacts(),
    }
