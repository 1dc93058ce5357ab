"""PDF documents (the board's ROI report, meeting minutes): HTML laid out by WeasyPrint."""
import functools
import hashlib
from pathlib import Path

from flask import current_app

from cxgov.lru import SizedLRU


def pdf_response(html, filename, stylesheets=()):
    """`html` as an inline PDF named `filename`, styled by `stylesheets` (files of the static
    folder, read from disk). Nothing is fetched while rendering: only `data:` URLs (charts
    embedded as images) are read, never the network."""
    return pdf_bytes_response(render_pdf(html, stylesheets), filename)


def pdf_bytes_response(pdf, filename):
    """The PDF bytes `pdf` as an inline document named `filename`."""
    return current_app.response_class(pdf, mimetype="application/pdf",
                                      headers={"Content-Disposition": f'inline; filename="{filename}"'})


def render_pdf(html, stylesheets=()):
    """`html` as PDF bytes, styled by `stylesheets` (files of the static folder); only `data:`
    URLs are read while rendering, never the network. The same document (the same HTML, the same
    versions of its stylesheets) is laid out once per process and kept (`laid_out`): a second
    reader of an unchanged report or pack gets the same bytes without WeasyPrint's half second."""
    static = Path(current_app.static_folder)
    sheets = [(str(path), path.stat().st_mtime_ns) for path in (static / name for name in stylesheets)]
    key = hashlib.blake2b(repr((html, sheets)).encode(), digest_size=16).digest()
    return laid_out.get_by_key(key, lambda: _write_pdf(html, sheets), len)


def _write_pdf(html, sheets):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf(
        stylesheets=[_stylesheet(path, modified) for path, modified in sheets])


# PDFs by the digest of their document, least recently used first out: at most 16 MB of PDF a process.
laid_out = SizedLRU(16 * 1024 * 1024)


@functools.lru_cache(maxsize=32)
def _stylesheet(path, modified):
    """A stylesheet parsed once per version of its file (`modified`: its mtime), not once a PDF."""
    from weasyprint import CSS

    return CSS(filename=path)
