"""bookkit.build.pdf: a built page printed to PDF by headless Chromium (make pdf)."""
from bookkit.build import pdf

PAGE = """<!doctype html><html><head><title>t</title><style>
section { break-before: page; }</style></head><body>
<h1>A book</h1><section><h2>One</h2><p>x</p></section><section><h2>Two</h2></section>
</body></html>"""


def test_a_page_printed_to_pdf(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / pdf.PAGE).write_text(PAGE)
    data = pdf.print_page(tmp_path)
    assert data.startswith(b"%PDF") and pdf.pages(data) == 3, "one page per section"


def test_pages_are_counted_not_the_page_tree():
    assert pdf.pages(b"<< /Type /Pages /Kids [] >> << /Type /Page >> << /Type/Page >>") == 2
