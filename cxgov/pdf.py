"""PDF documents (the board's ROI report, meeting minutes): HTML laid out by WeasyPrint."""
import functools
from pathlib import Path

from flask import current_app


def pdf_response(html, filename, stylesheets=()):
    """`html` as an inline PDF named `filename`, styled by `stylesheets` (files of the static
    folder, read from disk). Nothing is fetched while rendering: only `data:` URLs (charts
    embedded as images) are read, never the network."""
    pdf = render_pdf(html, stylesheets)
    return current_app.response_class(pdf, mimetype="application/pdf",
                                      headers={"Content-Disposition": f'inline; filename="{filename}"'})


def render_pdf(html, stylesheets=()):
    """`html` as PDF bytes, styled by `stylesheets` (files of the static folder); only `data:`
    URLs are read while rendering, never the network."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    static = Path(current_app.static_folder)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf(
        stylesheets=[_stylesheet(str(path), path.stat().st_mtime_ns) for path in (static / n for n in stylesheets)])


@functools.lru_cache(maxsize=32)
def _stylesheet(path, modified):
    """A stylesheet parsed once per version of its file (`modified`: its mtime), not once a PDF."""
    from weasyprint import CSS

    return CSS(filename=path)
