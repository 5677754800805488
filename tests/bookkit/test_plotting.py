import pytest

from bookkit import plotting


def test_finish_requires_labels():
    plotting.use_style()
    fig, (ax,) = plotting.subplots()
    ax.plot([0, 1], [0, 1])
    with pytest.raises(ValueError, match="axis label"):
        plotting.finish(fig)
    plotting.label(ax, "x (s)", "y")
    assert plotting.finish(fig) is fig


def test_palettes():
    assert len(plotting.colors(12)) == 12
    assert len(plotting.sequential(4)) == 4


def test_short_log_axis_labels_round_numbers_only():
    plotting.use_style()
    fig, (ax,) = plotting.subplots()
    ax.semilogx([2, 4, 8, 16, 32], [1, 2, 3, 4, 5])
    plotting.label(ax, "width", "error")
    plotting.finish(fig)
    fig.canvas.draw()
    lo, hi = ax.get_xlim()
    shown = [t.get_text() for t in ax.get_xticklabels()
             if t.get_text() and lo <= t.get_position()[0] <= hi]
    assert shown == ["2", "5", "10", "20"]
    assert not any(t.get_text() for t in ax.get_xticklabels(minor=True))
