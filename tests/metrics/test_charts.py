"""Server-side SVG charts: points inside the plot, gaps split the line, a text description."""

from datetime import date, timedelta

import pytest

from metrics.charts import HEIGHT, PAD_BOTTOM, PAD_TOP, WIDTH, line_chart

pytestmark = pytest.mark.pure  # pure functions: no database (tests/conftest.py)

START = date(2026, 11, 1)


def series(values):
    return [(START + timedelta(days=n), v) for n, v in enumerate(values)]


def test_points_fall_inside_the_plot_and_the_top_value_is_the_top_line():
    chart = line_chart(series([0, 50, 100]), title="Health score", top=100)
    points = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert points[0][1] == HEIGHT - PAD_BOTTOM  # 0 on the baseline
    assert points[2][1] == PAD_TOP  # 100 at the top
    assert all(0 <= x <= WIDTH for x, _ in points)


def test_days_without_a_value_break_the_line():
    chart = line_chart(series([10, None, 20, 30]), title="Score", top=100)
    assert len(chart.segments) == 2
    assert chart.description == "Score: from 10 to 30; lowest 10, highest 30 (3 of the last 4 days have a value)."


def test_an_empty_series_says_so_and_labels_stay_on_the_chart():
    chart = line_chart(series([None] * 90), title="Daily active users")
    assert chart.segments == ()
    assert chart.description == "Daily active users: no data in the last 90 days."
    assert [anchor for _, _, anchor in chart.x_labels] == ["start", "middle", "end"]
