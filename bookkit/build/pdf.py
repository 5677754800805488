"""The whole book as one PDF: ``make pdf``.

The Makefile builds the executed chapters once more as a single HTML page (Sphinx's
``singlehtml`` builder, staged as the site is) and this module prints that page with
the headless Chromium the browser test uses (bookkit.build.chromium): every image
loaded and MathJax done first (served from a local copy: no network), A4, page
numbers in the footer, and the book's print styles (``static/book.css``: each chapter
on a new page, no navigation, folded bookkeeping code left out).

    python -m bookkit.build.pdf _build/pdf/_build/singlehtml _build/pdf/curse-of-memory.pdf
"""
from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from bookkit.build.chromium import Browser, ensure_mathjax

# where the singlehtml builder writes the whole book; its links are relative to the
# root (where Sphinx means it to be served), so it is printed from a copy there
PAGE = "book/intro.html"
NAME = "curse-of-memory.pdf"  # the intro links it, at the site's root
A4 = {"paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.6, "marginBottom": 0.7,
      "marginLeft": 0.6, "marginRight": 0.6}
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
          'The curse of memory, executable &middot; <span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')
# the page is ready: every image loaded, MathJax done
READY = r"""(async () => {
  const images = Array.from(document.images);
  images.forEach(i => { i.loading = 'eager'; });
  await Promise.all(images.map(i => i.complete ? null :
      new Promise(r => { i.onload = r; i.onerror = r; })));
  if (document.querySelector('.math')) {
    for (let i = 0; i < 600 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
      await new Promise(r => setTimeout(r, 50));
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  }
  return {images: images.length, broken: images.filter(i => !i.naturalWidth).length,
          math: document.querySelectorAll('mjx-container').length};
})()"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path):
    """``folder`` on an HTTP server at 127.0.0.1 (the page's scripts need http://)."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def pages(pdf: bytes) -> int:
    """The number of pages of a PDF (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def print_page(folder: Path, page: str = PAGE) -> bytes:
    """``folder/page`` printed to PDF (module doc)."""
    root_copy = folder / "book-print.html"
    root_copy.write_text((folder / page).read_text())
    with serve(folder) as origin:
        browser = Browser(origin, ensure_mathjax())
        try:
            browser.open(f"{origin}/{root_copy.name}", timeout=120)
            ready = browser.evaluate(READY, timeout=600)
            if ready["broken"] or browser.errors:
                raise RuntimeError(f"{page}: {ready['broken']} images did not load; "
                                   f"JavaScript errors: {browser.errors}")
            return browser.pdf(printBackground=True, displayHeaderFooter=True,
                               headerTemplate="<div></div>", footerTemplate=FOOTER, **A4)
        finally:
            browser.close()


def main(folder: str, out: str) -> None:
    pdf = print_page(Path(folder))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(out).with_suffix(".part")
    tmp.write_bytes(pdf)
    tmp.replace(out)
    print(f"{out}: {pages(pdf)} pages, {len(pdf) / 1e6:.1f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
