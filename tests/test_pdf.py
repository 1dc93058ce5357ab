"""PDFs (cxgov/pdf.py): a stylesheet is parsed once per version of its file, not once a document;
the same document with the same stylesheets is laid out once."""
import os

from cxgov import pdf

HTML = "<p>Minutes</p>"


def test_a_stylesheet_is_parsed_once_until_its_file_changes(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    sheet = tmp_path / "print.css"
    sheet.write_text("p { color: black }")
    pdf._stylesheet.cache_clear()
    pdf.laid_out.clear()
    with app.app_context():
        first = pdf.render_pdf(HTML, ["print.css"])
        # Another document, the same stylesheet: parsed once.
        assert first.startswith(b"%PDF") and pdf.render_pdf("<p>Pack</p>", ["print.css"]).startswith(b"%PDF")
        assert (pdf._stylesheet.cache_info().hits, pdf._stylesheet.cache_info().misses) == (1, 1)
        assert pdf.render_pdf(HTML, ["print.css"]) == first and pdf.laid_out.hits == 1  # the same document
        sheet.write_text("p { color: red }")
        os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 1_000_000_000))
        assert pdf.render_pdf(HTML, ["print.css"]) != first  # laid out again with the new version
        assert pdf._stylesheet.cache_info().misses == 2  # the new version is read
