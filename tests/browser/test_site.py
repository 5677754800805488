"""The built book, opened page by page in headless Chromium.

Run on a built site (``make browser``, after ``make smoke-book`` or ``make book``):

    COM_SITE=_build/smoke/_build/html pytest -q tests/browser

Without ``COM_SITE`` the test is skipped (``make unit`` runs before any build).
Each page fails on a JavaScript error, an image that does not load, math that
MathJax did not typeset (MathJax is served from a local npm copy: the test machine
is offline), a traceback / error output in the page, a code block wider than its
box (scrollWidth > clientWidth: a line cut off at the right edge), papermill's
injected-parameters cell in view, or a page without the licence footer. A chapter
page also fails when its validation code is in view (it is folded: ``hide-input``),
its parameters cell is not in view with its comments, its code box does not hold
an 88-character line (the chapters' limit) unwrapped at the test's 1280 px window,
or its reproduce box lacks the run's facts. A full-page screenshot of every page
goes to ``_build/screenshots/{smoke,full,other}/``.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

import pytest

from bookkit.chapters import chapter_names

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ["COM_SITE"]).resolve() if os.environ.get("COM_SITE") else None
PAGES = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
               if "_static" not in p.parts and "_sources" not in p.parts) if SITE else []
SITE_NAMES = {ROOT / "_build/html": "full", ROOT / "_build/smoke/_build/html": "smoke"}
SHOTS = ROOT / "_build" / "screenshots" / SITE_NAMES.get(SITE, "other")

pytestmark = pytest.mark.skipif(SITE is None, reason="COM_SITE (a built site) not given")

# everything the page must get right, measured in the page itself
CHECKS = r"""(async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map(i => i.complete ? null :
      new Promise(r => { i.onload = r; i.onerror = r; })));
  const math = Array.from(document.querySelectorAll('.math'));
  if (math.length) {
    for (let i = 0; i < 300 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
      await new Promise(r => setTimeout(r, 50));
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  }
  const text = document.body.innerText;
  // in view: rendered, and not inside a closed <details> (a folded cell)
  const visible = e => !e.closest('details:not([open])') &&
      (e.checkVisibility ? e.checkVisibility({checkVisibilityCSS: true})
                         : e.getClientRects().length > 0);
  const pres = Array.from(document.querySelectorAll('article pre')).filter(visible);
  const cells = Array.from(document.querySelectorAll('article div.cell'));
  const input = c => (c.querySelector('.cell_input') || {}).textContent || '';
  // width an 88-character line needs in the first code cell's box, and what it has
  const fits88 = () => {
    const pre = document.querySelector('article div.cell .cell_input pre');
    if (!pre) return null;
    const probe = document.createElement('span');
    probe.style.whiteSpace = 'pre';
    probe.textContent = 'x'.repeat(88);
    pre.appendChild(probe);
    const need = probe.getBoundingClientRect().width;
    probe.remove();
    const style = getComputedStyle(pre);
    const has = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {need: Math.round(need), has: Math.round(has)};
  };
  return {
    images: images.length,
    broken_images: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    math: math.length,
    untypeset_math: math.filter(m => !m.querySelector('mjx-container'))
                        .map(m => m.textContent.slice(0, 80)),
    math_errors: Array.from(document.querySelectorAll('mjx-merror'))
                      .map(m => m.getAttribute('data-mjx-error') || m.textContent),
    error_outputs: Array.from(document.querySelectorAll(
        '.output.traceback, .output.error, .output.stderr, .system-message, .problematic'))
        .map(e => e.textContent.slice(0, 200)),
    tracebacks: ['Traceback (most recent call last)', 'Error Traceback']
        .filter(s => text.includes(s)),
    figures: document.querySelectorAll('figure img, div.figure img').length,
    uncaptioned_figures: Array.from(document.querySelectorAll('article figure'))
        .filter(f => !/Fig\. \d+/.test((f.querySelector('figcaption') || {}).textContent || ''))
        .map(f => (f.querySelector('img') || {}).src),
    title: document.title,
    reproduce_box: document.querySelectorAll('.admonition.reproduce').length,
    reproduce_text: Array.from(document.querySelectorAll('.admonition.reproduce'))
        .map(e => e.textContent).join('\n'),
    wide_code: pres.filter(p => p.scrollWidth > p.clientWidth)
        .map(p => `${p.scrollWidth} > ${p.clientWidth}: ${p.textContent.slice(0, 60)}`),
    injected_cells: cells.filter(c => c.matches('.tag_injected-parameters') ||
        (visible(c) && /^\s*# Parameters\s*$/m.test(input(c).split('\n')[0])))
        .map(c => input(c).slice(0, 80)),
    validation_in_view: cells.filter(c => /check_in\(/.test(input(c)) &&
        Array.from(c.querySelectorAll('.cell_input pre')).some(visible))
        .map(c => input(c).slice(0, 80)),
    parameters_in_view: cells.filter(c => c.matches('.tag_parameters') &&
        Array.from(c.querySelectorAll('.cell_input pre')).some(visible) &&
        /#\s*\S/.test(input(c))).length,
    code_box: fits88(),
    footer: (document.querySelector('.extra_footer') || {}).innerText || '',
  };
})()"""


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(server):
    from chromium import Browser, ensure_mathjax
    b = Browser(server, ensure_mathjax())
    yield b
    b.close()


def test_site_has_every_chapter():
    """Every chapter (a full parameter file) has a page in the site."""
    chapters = set(chapter_names())
    assert chapters and {f"book/{c}.html" for c in chapters} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page(browser, server, page):
    redirect = re.search(r'http-equiv="refresh" content="\d+; url=([^"]+)"',
                         (SITE / page).read_text(), re.I)
    if redirect:   # index.html: a stub pointing at the first page, tested in its own right
        target = (SITE / page).parent / redirect.group(1)
        assert str(target.resolve().relative_to(SITE)) in PAGES
        return
    browser.open(f"{server}/{page}")
    report = browser.evaluate(CHECKS, timeout=120)
    browser.screenshot(SHOTS / (page.replace("/", "_").removesuffix(".html") + ".png"))
    print(page, {k: v for k, v in report.items() if not isinstance(v, list)},
          "blocked:", browser.blocked)
    assert not browser.errors, f"JavaScript errors: {browser.errors}"
    assert not report["broken_images"], f"images that did not load: {report['broken_images']}"
    assert not report["untypeset_math"], f"math not typeset: {report['untypeset_math'][:5]}"
    assert not report["math_errors"], f"TeX errors: {report['math_errors'][:5]}"
    assert not report["error_outputs"], f"error output: {report['error_outputs'][:3]}"
    assert not report["tracebacks"], f"traceback in page: {report['tracebacks']}"
    assert not report["uncaptioned_figures"], f"figures without a numbered caption: {report}"
    assert not report["wide_code"], f"code wider than its box (cut off): {report['wide_code']}"
    assert not report["injected_cells"], f"injected-parameters cell: {report['injected_cells']}"
    assert "CC BY 4.0" in report["footer"] and "MIT" in report["footer"], \
        f"licence footer missing: {report['footer']!r}"
    if page.startswith("book/") and Path(page).stem in chapter_names():
        assert report["reproduce_box"] == 1, "a chapter page lacks its 'Reproduce this page' box"
        assert report["figures"] >= 1, "a chapter page shows no figure"
        assert report["math"] >= 1, "a chapter page shows no math"
        assert not report["validation_in_view"], \
            f"validation code in view (tag it hide-input): {report['validation_in_view']}"
        assert report["parameters_in_view"] == 1, "the parameters cell is not in view with comments"
        box = report["code_box"]
        assert box and box["need"] <= box["has"], f"88-character lines do not fit: {box}"
        for fact in ("run of commit", " UTC", "Python 3.", "torch 2.", " cores",
                     "papermill book/"):
            assert fact in report["reproduce_text"], f"reproduce box lacks {fact!r}"
