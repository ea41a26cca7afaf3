"""Printing documents: a notice as an A4 page for its reader, and any A4 page as a PDF.

A document template extends ``documents/a4_base.html``.  The PDF is made from the same HTML by
WeasyPrint, which embeds the (subset) Japanese fonts; it reads only the app's own static files,
never the network, and its metadata carries the document's title, never a person's name.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template

from app.access.privacy import visible_items
from app.codes import NOTICE_KINDS, label
from app.models import Case, Notice, User

from . import notices
from .wareki import wareki_date


def visible_notice_items(notice: Notice, viewer: User, case: Case) -> list[dict]:
    """The 「記」 items the reader may see: an item with a privacy category the reader's role may not
    see is left out altogether (not masked: a printed notice must not hint at what is withheld)."""
    seen = visible_items(viewer, case)
    return [item for item in notice.content.get("items", [])
            if item.get("category") is None or item["category"] in seen]


def render_notice(notice: Notice, viewer: User, case: Case, **page) -> str:
    """The notice as its reader may see it; ``page`` passes ``pdf_url`` or ``for_pdf`` to the layout."""
    return render_template(
        "documents/notice.html", notice=notice, case=case, title=label(NOTICE_KINDS, notice.kind),
        issued_on=wareki_date(notice.issued_on), items=visible_notice_items(notice, viewer, case),
        issuer=notices.issuer(notice.ward), contact=notices.contact(notice.ward),
        appeal=notices.appeal_text(), document_title=label(NOTICE_KINDS, notice.kind), **page)


def _static_file(url: str) -> tuple[bytes, str | None]:
    """The app's static file a document links to; anything else (network, other files) is refused."""
    static_root = Path(current_app.static_folder).resolve()
    prefix = (current_app.static_url_path or "/static").rstrip("/") + "/"
    path = urlsplit(url).path
    if not path.startswith(prefix):
        raise ValueError(f"documents may only load the app's static files, not {url}")
    target = (static_root / path[len(prefix):]).resolve()
    if static_root not in target.parents or not target.is_file():
        raise ValueError(f"no static file {path}")
    return target.read_bytes(), "text/css" if target.suffix == ".css" else None


def pdf_from_html(html: str) -> bytes:
    """An A4 PDF of a rendered document page (fonts embedded)."""
    # Heavy import: only when a PDF is asked for.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime_type = _static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type} if mime_type else None)

    fetcher = StaticOnly(fail_on_errors=True)
    return HTML(string=html, base_url="http://documents.invalid/", url_fetcher=fetcher).write_pdf()
