"""Server-side SVG line charts: plain markup, no JavaScript, printable into a PDF later."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.dateformat import format as date_format
from django.utils.translation import ngettext, pgettext

WIDTH, HEIGHT = 640, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 36, 8, 10, 24


@dataclass(frozen=True)
class Line:
    """A chart ready for templates/metrics/_line_chart.html."""

    title: str
    description: str
    points: str  # "x,y x,y …" for <polyline>; gaps split into separate segments
    segments: tuple[str, ...]
    y_ticks: tuple[tuple[float, str], ...]  # (y, label)
    x_labels: tuple[tuple[float, str, str], ...]  # (x, label, text-anchor)
    guides: tuple[tuple[float, str, str], ...]  # horizontal reference lines (y, css class, label)
    width: int = WIDTH
    height: int = HEIGHT


def _y(value: float, top: float) -> float:
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(PAD_TOP + plot * (1 - (value / top if top else 0)), 1)


def _x(index: int, count: int) -> float:
    plot = WIDTH - PAD_LEFT - PAD_RIGHT
    return round(PAD_LEFT + (plot * index / (count - 1) if count > 1 else plot / 2), 1)


def line_chart(
    series: Sequence[tuple[date, float | None]],
    *,
    title: str,
    unit: str = "",
    top: float | None = None,
    guides: tuple[tuple[float, str, str], ...] = (),
) -> Line:
    """Lay out ``series`` (oldest first; None = no value that day) as an SVG line chart."""
    values = [v for _, v in series if v is not None]
    top = top or max([*values, 1]) * 1.1
    segments: list[str] = []
    current: list[str] = []
    for index, (_, value) in enumerate(series):
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        current.append(f"{_x(index, len(series))},{_y(value, top)}")
    if current:
        segments.append(" ".join(current))
    count = len(series)
    # First label anchored at its start, last at its end, so neither runs off the chart.
    anchors = {0: "start", count - 1: "end"}
    # A date format (django.utils.dateformat): "Dec 01" in English.
    day_format = pgettext("chart axis date format", "M d")
    x_labels = tuple(
        (_x(i, count), date_format(series[i][0], day_format), anchors.get(i, "middle"))
        for i in sorted({0, count // 2, count - 1})
        if count
    )
    if values:
        description = ngettext(
            "%(title)s: from %(first)s to %(last)s; lowest %(lowest)s, highest %(highest)s "
            "(%(valued)s of the last %(count)s day has a value).",
            "%(title)s: from %(first)s to %(last)s; lowest %(lowest)s, highest %(highest)s "
            "(%(valued)s of the last %(count)s days have a value).",
            count,
        ) % {
            "title": title,
            "first": f"{values[0]:g}{unit}",
            "last": f"{values[-1]:g}{unit}",
            "lowest": f"{min(values):g}{unit}",
            "highest": f"{max(values):g}{unit}",
            "valued": len(values),
            "count": count,
        }
    else:
        description = ngettext(
            "%(title)s: no data in the last %(count)s day.", "%(title)s: no data in the last %(count)s days.", count
        ) % {"title": title, "count": count}
    return Line(
        title=title,
        description=description,
        points=" ".join(segments),
        segments=tuple(segments),
        y_ticks=tuple((_y(t, top), f"{t:g}") for t in (0, round(top / 2), round(top))),
        x_labels=x_labels,
        guides=tuple((_y(v, top), css, label) for v, css, label in guides),
    )
