"""The built book, opened page by page in headless Chromium, and the notebooks behind
its download buttons.

Run on a built site (``make browser``, after ``make smoke-book`` or ``make book``):

    COM_SITE=_build/smoke/_build/html pytest -q tests/browser

Without ``COM_SITE`` the test is skipped (``make unit`` runs before any build).
Each page fails on a JavaScript error, an image that does not load, math that
MathJax did not typeset (MathJax is served from a local npm copy: the test machine
is offline), a traceback / error output in the page, a code block wider than its
box (scrollWidth > clientWidth: a line cut off at the right edge), papermill's
injected-parameters cell in view, or a page without the licence footer. A chapter
page also fails when the book's machinery is in view (validation, ``start``, glue
bookkeeping, claims recording: folded, bookkeeping.py), a bare True/False output is
shown, it does not open with the box of its claims, its parameters cell is not in
view with its comments, its code box does not hold an 88-character line (the
chapters' limit) unwrapped at the test's 1280 px window, or its reproduce box lacks
the run's facts. At a phone's 390 px no page scrolls sideways and code scrolls
rather than wraps. A full-page screenshot of every page goes to
``_build/screenshots/{smoke,full,other}/``, and window-sized views (1280 and 390 px)
of the intro, its claims, a chapter's top and the stability table to ``views/``.

Every chapter's downloadable notebook (``_sources/book/<chapter>.ipynb``, the reader's
notebook: bookkit.build.reader) shows as many plain PNG figures as its page, has no
MyST left in its Markdown, installs the book's packages pinned to a commit, and,
converted by nbconvert, shows its figures as images.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit.build.pdf import NAME as PDF
from bookkit.build.pdf import pages, serve
from bookkit.chapters import chapter_names

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ["COM_SITE"]).resolve() if os.environ.get("COM_SITE") else None
PAGES = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
               if "_static" not in p.parts and "_sources" not in p.parts) if SITE else []
SITE_NAMES = {ROOT / "_build/html": "full", ROOT / "_build/smoke/_build/html": "smoke"}
SHOTS = ROOT / "_build" / "screenshots" / SITE_NAMES.get(SITE, "other")

CHAPTERS = [p for p in PAGES if p.startswith("book/") and Path(p).stem in chapter_names()]
DESKTOP, PHONE = (1280, 900), (390, 844)

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
  // the book's machinery: validation and setup, glue of a number (a figure's glue
  // stays with its plot), recording claims, pricing a run
  const MACHINERY = [/^\s*glue\(/, /claims\.(check|finish)\(/, /start\(globals\(\)/,
                     /check_in\(/, /\bbudget\(/, /def cost\(/];
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
    machinery_in_view: cells.filter(c =>
        Array.from(c.querySelectorAll('.cell_input pre')).some(visible) &&
        input(c).split('\n').some(line => MACHINERY.some(m => m.test(line)) &&
                                         !/finish\(/.test(line)))
        .map(c => input(c).slice(0, 80)),
    stray_booleans: Array.from(document.querySelectorAll('article .cell_output pre'))
        .filter(visible).filter(p => /^\s*(True|False)\s*$/.test(p.textContent))
        .map(p => p.textContent.trim()),
    claims_box: document.querySelectorAll('.admonition.claims').length,
    pdf_link: Array.from(document.querySelectorAll('a'))
        .some(a => /curse-of-memory\.pdf$/.test(a.getAttribute('href') || '')),
    parameters_in_view: cells.filter(c => c.matches('.tag_parameters') &&
        Array.from(c.querySelectorAll('.cell_input pre')).some(visible) &&
        /#\s*\S/.test(input(c))).length,
    code_box: fits88(),
    footer: (document.querySelector('.extra_footer') || {}).innerText || '',
  };
})()"""


@pytest.fixture(scope="module")
def server():
    with serve(SITE) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser(server):
    from bookkit.build.chromium import Browser, ensure_mathjax
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
    browser.viewport(*DESKTOP)
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
        assert not report["machinery_in_view"], \
            f"the book's machinery in view (fold it): {report['machinery_in_view']}"
        assert not report["stray_booleans"], f"bare True/False shown: {report}"
        assert report["claims_box"] == 1, "a chapter page does not open with its claims"
        assert report["parameters_in_view"] == 1, "the parameters cell is not in view with comments"
        box = report["code_box"]
        assert box and box["need"] <= box["has"], f"88-character lines do not fit: {box}"
        for fact in ("run of commit", " UTC", "Python 3.", "torch 2.", " cores",
                     "papermill book/"):
            assert fact in report["reproduce_text"], f"reproduce box lacks {fact!r}"
    if page == "book/intro.html":
        assert report["pdf_link"], "the intro does not link the whole-book PDF"


# -- a phone's width, and the views a reader sees first --------------------------------
PHONE_CHECKS = r"""(() => {
  const pre = Array.from(document.querySelectorAll('article div.cell .cell_input pre'))
      .find(p => p.getClientRects().length);
  return {page_width: document.documentElement.scrollWidth, window: window.innerWidth,
          code_wraps: pre ? getComputedStyle(pre).whiteSpace !== 'pre' : false};
})()"""
# (page, what to scroll to: None for the top), shown at both widths
VIEWS = {"intro": ("book/intro.html", None),
         "intro-claims": ("book/intro.html", "article table"),
         "chapter-top": ("book/linear_approximation.html", None),
         "stability-table": ("book/stable_reparameterisation.html", "table.dataframe")}


@pytest.mark.parametrize("page", ["book/intro.html", *CHAPTERS])
def test_phone(browser, server, page):
    """At 390 px the page does not scroll sideways (wide tables and equations scroll in
    their own box) and code scrolls instead of wrapping (indentation kept)."""
    browser.viewport(*PHONE, mobile=True)
    browser.open(f"{server}/{page}")
    report = browser.evaluate(PHONE_CHECKS)
    assert report["page_width"] <= report["window"], f"{page} scrolls sideways: {report}"
    assert not report["code_wraps"], "code wraps at a phone's width"


@pytest.mark.parametrize("name", VIEWS)
def test_views(browser, server, name):
    """Window-sized screenshots of what a reader sees first (for review, not compared)."""
    page, target = VIEWS[name]
    for width, height in (DESKTOP, PHONE):
        browser.viewport(width, height, mobile=width < 800)
        browser.open(f"{server}/{page}")
        browser.evaluate(CHECKS, timeout=120)           # images and math ready
        if target:
            found = browser.evaluate(
                f"(() => {{ const e = document.querySelector({target!r}); if (!e) return false;"
                " e.scrollIntoView(); window.scrollBy(0, -90); return true; })()")
            assert found, f"{page} has no {target}"
        browser.view(SHOTS / "views" / f"{name}-{width}.png")


# -- the notebooks behind the download, Colab and Binder buttons -----------------------
MYST = re.compile(r"\{glue|\{prf:|\{cite|\{numref|\{doc\}|\{ref\}|\{\{|^:::|^```\{", re.M)


def reader(chapter: str) -> dict:
    return json.loads((SITE / "_sources/book" / f"{chapter}.ipynb").read_text())


@pytest.mark.parametrize("page", CHAPTERS)
def test_reader_notebook(page):
    chapter = Path(page).stem
    nb = reader(chapter)
    figures = len(re.findall(r"<figure\b", (SITE / page).read_text()))
    images = [o for c in nb["cells"] for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert figures and len(images) == figures, f"{len(images)} PNG outputs, {figures} figures"
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"]
                          if c["cell_type"] == "markdown")
    assert not MYST.findall(markdown), f"MyST left: {set(MYST.findall(markdown))}"
    assert "## References" in markdown and re.search(r"\(\w+( et al\.| and \w+)?, \d{4}\)",
                                                      markdown), "author-year citations"
    install = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert re.search(r'^COMMIT = "[0-9a-f]{40}"$', "".join(install["source"]), re.M), \
        "the install cell is not pinned to a commit"
    assert "jupytext" not in nb["metadata"], "paired with the MyST source (Binder's jupytext)"


def test_reader_notebook_renders_its_figures_in_plain_jupyter(tmp_path):
    """nbconvert (Jupyter's own renderer) shows each figure as an image."""
    chapter = Path(CHAPTERS[0]).stem
    out = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir",
                          str(tmp_path), str(SITE / "_sources/book" / f"{chapter}.ipynb")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    html = (tmp_path / f"{chapter}.html").read_text()
    figures = len(re.findall(r"<figure\b", (SITE / CHAPTERS[0]).read_text()))
    assert len(re.findall(r"<img\b", html)) == figures
    assert not re.search(r"\{glue|\{prf:|\{cite|\{\{", html)


def test_whole_book_pdf_when_built():
    """``make pdf`` copies the book's PDF into the site the intro links it from."""
    pdf = SITE / PDF
    if not pdf.exists():
        pytest.skip("make pdf has not run for this site")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and pages(data) > 10


def test_reader_notebook_reruns_in_a_fresh_kernel(tmp_path):
    """Run as downloaded, with no Makefile and no papermill (COM_BOOK_BUILD unset), the
    shortest chapter draws every figure again."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.reads(json.dumps(reader("memory_functions")), as_version=4)
    figures = sum("image/png" in o.get("data", {}) for c in nb.cells
                  for o in c.get("outputs", []))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    env = {k: v for k, v in os.environ.items() if k != "COM_BOOK_BUILD"}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**env, "COM_CACHE": "off", "COM_PROGRESS": "0"})
    try:
        NotebookClient(nb, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    drawn = sum("image/png" in o.get("data", {}) for c in nb.cells
                for o in c.get("outputs", []))
    assert figures and drawn == figures
