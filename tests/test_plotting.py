import pytest

from com import plotting


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
