"""A document's HTML (self-contained: its stylesheet inline, nothing loaded from anywhere) and its PDF through
WeasyPrint, laid out after GB/T 9704. The fonts GB/T 9704 names (方正小标宋, 仿宋_GB2312, 黑体, 楷体_GB2312) are not
in Debian: Noto Serif/Sans CJK stand in, and an office that holds licences drops its own font files into
DOCUMENT_FONT_DIR under the names of ``FONT_ROLES`` to have them used."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from portal.config import ROOT

STYLESHEET = ROOT / "static" / "documents.css"
# The file names an office's fonts take in DOCUMENT_FONT_DIR, by role in the layout (GB/T 9704 §7.2–7.3).
FONT_ROLES = {
    "xiaobiaosong": "公文标题",  # the title: 2号小标宋体
    "fangsong": "公文正文",  # the body: 3号仿宋体
    "heiti": "公文黑体",  # first-level headings
    "kaiti": "公文楷体",  # second-level headings, the signer
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2")


def html_of(kind, doc, case, event, extra: dict) -> str:
    """The document as one HTML page, with the stylesheet inline (the stored, frozen form)."""
    return render_template(
        kind.template_name,
        doc=doc,
        kind=kind,
        case=case,
        event=event,
        stylesheet=STYLESHEET.read_text(encoding="utf-8"),
        **extra,
    )


def font_dir() -> Path:
    return Path(current_app.config.get("DOCUMENT_FONT_DIR") or ROOT / "var" / "fonts")


def office_fonts() -> dict[str, Path]:
    """The licensed fonts an office dropped into the font folder, by role."""
    folder = font_dir()
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.iterdir()):
        if path.stem.lower() in FONT_ROLES and path.suffix.lower() in FONT_SUFFIXES:
            found.setdefault(path.stem.lower(), path)
    return found


def font_faces() -> str:
    """@font-face rules naming the office's fonts with the families the stylesheet asks for first."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_ROLES[role]}"; src: url("{path.resolve().as_uri()}"); }}'
        for role, path in office_fonts().items()
    )


def pdf_of(html: str) -> bytes:
    """Render the stored HTML to PDF (A4, the page margins of GB/T 9704 in the stylesheet)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheets = [CSS(string=faces, font_config=fonts)] if (faces := font_faces()) else []
    return HTML(string=html, base_url=str(font_dir())).write_pdf(stylesheets=stylesheets, font_config=fonts)
