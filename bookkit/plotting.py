"""One plotting style for the whole book.

Seaborn's colour-blind-safe palette, sizes that read at the book's text width
(about 7 inches), and helpers that refuse a figure without axis labels.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import seaborn as sns

WIDTH = 7.0   # inches: the book's text column
HEIGHT = 3.2

PALETTE = "colorblind"


def use_style() -> None:
    """Apply the book's style; every chapter calls this once."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.9)
    plt.rcParams.update({
        "figure.figsize": (WIDTH, HEIGHT),
        "figure.dpi": 110,
        "savefig.dpi": 110,
        "savefig.bbox": "tight",
        "axes.titlesize": "medium",
        "legend.fontsize": "small",
        "legend.frameon": False,
        "lines.linewidth": 1.6,
    })
    _sharp_inline_figures()


def _sharp_inline_figures() -> None:
    """In a Jupyter kernel, figures are shown (and glued) as PNG at twice their dpi,
    with their size in the output's metadata: sharp on high-density screens, and laid
    out at the size they were drawn."""
    from IPython import get_ipython
    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats
    set_matplotlib_formats("retina")


def colors(n: int) -> list:
    """``n`` colours from the palette (cycled past its ten)."""
    base = sns.color_palette(PALETTE)
    return [base[i % len(base)] for i in range(n)]


def sequential(n: int) -> list:
    """``n`` ordered colours for a swept parameter (e.g. widths)."""
    return sns.color_palette("viridis", n)


def subplots(ncols: int = 1, nrows: int = 1, height: float = HEIGHT, **kw):
    """A figure of ``nrows x ncols`` panels at the book's width."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, height * nrows),
                             squeeze=False, constrained_layout=True, **kw)
    return fig, axes.ravel()


def label(ax, xlabel: str, ylabel: str, title: str | None = None, legend: bool = True,
          **legend_kw) -> None:
    """Label both axes (units in the label text), and add a legend if any."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(**legend_kw)


def readable_log_ticks(axis) -> None:
    """On a log axis spanning under ~2.5 decades matplotlib labels every minor tick
    (2x10^0, 3x10^0, ...), which overlap at the book's width: label 1, 2, 5 x 10^k
    in plain numbers instead, and never the minor ticks."""
    if axis.get_scale() != "log":
        return
    lo, hi = sorted(axis.get_view_interval())
    if lo > 0 and np.log10(hi / lo) < 2.5:
        axis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(mticker.NullFormatter())


def finish(fig):
    """Check every panel is labelled, make log ticks readable, and close the figure:
    it is shown once, where the prose places it with glue, not again at the end of
    its cell."""
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        if not (ax.get_xlabel() and ax.get_ylabel()):
            raise ValueError(f"figure panel {ax.get_title()!r} lacks an axis label")
        readable_log_ticks(ax.xaxis)
        readable_log_ticks(ax.yaxis)
    plt.close(fig)
    return fig


def loglog_fit_line(ax, x, slope: float, intercept: float, **kw):
    """Draw ``exp(intercept) * x**slope`` on log-log axes."""
    x = np.asarray(x, dtype=float)
    ax.plot(x, np.exp(intercept) * x ** slope, **{"ls": "--", "lw": 1.0, **kw})


def perturbation_curves(ax, betas, result: dict, widths, tolerance: float, title: str,
                        ylabel: bool = True) -> None:
    """E_m(beta) of every width (clamped at 1e3) on log-log axes, each curve's radius
    marked where it reaches E_m(0) + tolerance (com.experiments.curse.measure)."""
    for k, col in enumerate(sequential(len(widths))):
        E = result["E"][k].clamp(max=1e3)
        ax.loglog(betas, E, "-", color=col, lw=1.2, label=f"m={widths[k]}")
        ax.plot(result["radius"][k], result["E0"][k] + tolerance, "o", color=col, ms=3)
    ax.set_ylim(1e-5, 2e3)
    label(ax, r"perturbation $\beta$", r"$E_m(\beta)$ (relative)" if ylabel else " ", title,
          legend=ylabel)
