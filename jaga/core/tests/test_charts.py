"""The pieces the SVG charts share: the axis's round top, the grid, the empty plot's message."""

from __future__ import annotations

from jaga.core.charts import Layout, grid, nice_ceiling, no_data

LAYOUT = Layout(200, 100, 40, 10, 10, 20, 11, 3, "chart")


def test_the_axis_top_is_the_next_round_step_above_the_largest_value() -> None:
    assert [nice_ceiling(v) for v in (0.4, 1, 3, 7, 12, 480, 501)] == [1, 1, 5, 10, 20, 500, 1000]
    assert [nice_ceiling(v, smallest=10.0) for v in (3, 12, 150)] == [10, 20, 200]


def test_an_empty_axis_reaches_ten_times_its_smallest_step() -> None:
    assert nice_ceiling(0) == 10
    assert nice_ceiling(0, smallest=10.0) == 100


def test_a_value_above_the_top_is_drawn_at_the_top() -> None:
    assert LAYOUT.y_of(0, 50) == 80  # the plot's bottom: 100 high less the 20 below it
    assert LAYOUT.y_of(25, 50) == 45
    assert LAYOUT.y_of(90, 50) == LAYOUT.y_of(50, 50) == 10


def test_the_grid_draws_a_line_and_an_escaped_label_at_each_fraction() -> None:
    drawn = grid(LAYOUT, top=200, fractions=(0.0, 0.5, 1.0), label=lambda v: f"{v:.0f} <ms>", colour="#000")
    assert drawn.count("<line ") == 3
    for value in (0, 100, 200):
        assert f">{value} &lt;ms&gt;</text>" in drawn
    assert 'y1="45.0"' in drawn  # the half-way line, in the plot's middle


def test_the_empty_plots_message_is_escaped_and_centred() -> None:
    drawn = no_data(LAYOUT, "Tidak ada <data>", colour="#555")
    assert "Tidak ada &lt;data&gt;" in drawn
    assert 'x="115.0" y="45.0"' in drawn
