"""The timeline's latency axis: labelled even when every op lies within one decade."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hachaos.report.timeline import _log_latency_axis


def _labels(low: float, high: float) -> list[str]:
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _log_latency_axis(ax)
    ax.set_ylim(low, high)
    fig.canvas.draw()
    ticks = zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    return [label.get_text() for at, label in ticks if low <= at <= high and label.get_text()]


def test_ops_within_one_decade_still_get_labels() -> None:
    assert len(_labels(1.2, 4.0)) >= 2


def test_decades_are_labelled_at_1_2_and_5_without_minor_ticks() -> None:
    assert _labels(0.5, 300.0) == ["0.5", "1", "2", "5", "10", "20", "50", "100", "200"]
