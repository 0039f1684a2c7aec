"""Control charts (I, p, u) with the conventions of qicharts2."""

import math

import pytest

from measures.spc import control_chart

NAN = float("nan")


def test_a_p_chart_pools_the_proportion_and_clips_the_lower_limit_at_zero():
    chart = control_chart("p", numerators=[2, 4, 4, 20], denominators=[50, 50, 100, 100])
    assert chart.center == pytest.approx(30 / 300)
    spread_50 = 3 * math.sqrt(0.1 * 0.9 / 50)  # 0.127: 0.1 - 0.127 < 0, clipped
    spread_100 = 3 * math.sqrt(0.1 * 0.9 / 100)
    assert chart.values == pytest.approx([0.04, 0.08, 0.04, 0.2])
    assert chart.upper == pytest.approx([0.1 + spread_50] * 2 + [0.1 + spread_100] * 2)
    assert chart.lower == pytest.approx([0.0, 0.0, 0.1 - spread_100, 0.1 - spread_100])
    assert chart.outside == [False, False, False, True]  # 0.2 > 0.19


def test_a_p_chart_clips_the_upper_limit_at_one():
    chart = control_chart("p", numerators=[9, 10, 10, 9], denominators=[10, 10, 10, 10])
    spread = 3 * math.sqrt(0.95 * 0.05 / 10)
    assert chart.center == pytest.approx(0.95)
    assert chart.upper == [1.0] * 4
    assert chart.lower == pytest.approx([0.95 - spread] * 4)
    assert chart.outside == [False] * 4  # 100 % is on the limit, not beyond it


def test_a_u_chart_pools_the_rate_and_clips_the_lower_limit_at_zero():
    chart = control_chart("u", numerators=[4, 10, 6, 20], denominators=[2, 5, 3, 2])
    u_bar = 40 / 12
    assert chart.center == pytest.approx(u_bar)
    assert chart.values == pytest.approx([2, 2, 2, 10])
    assert chart.upper == pytest.approx([u_bar + 3 * math.sqrt(u_bar / n) for n in (2, 5, 3, 2)])
    # n = 2 gives 3.33 - 3.87 < 0, clipped; n = 5 and n = 3 stay above zero.
    assert chart.lower == pytest.approx([0.0, *(u_bar - 3 * math.sqrt(u_bar / n) for n in (5, 3)), 0.0])
    assert chart.outside == [False, False, False, True]


def test_an_i_chart_keeps_moving_ranges_below_the_screening_limit():
    # Moving ranges 2, 1, 2, 1, 18, 19, 1 average 44/7; 3.267 x 44/7 = 20.5, so both jumps stay in
    # and the 30 sits just inside the upper limit (30.59).
    chart = control_chart("i", values=[10, 12, 11, 13, 12, 30, 11, 12])
    sigma = (44 / 7) / 1.128
    assert chart.center == pytest.approx(111 / 8)
    assert chart.upper == pytest.approx([111 / 8 + 3 * sigma] * 8)
    assert chart.lower == pytest.approx([111 / 8 - 3 * sigma] * 8)
    assert not any(chart.outside)


def test_an_i_chart_leaves_out_large_moving_ranges_before_estimating_sigma():
    values = [10, 12, 11, 13, 12, 11, 13, 12, 30, 11, 12, 13, 11, 12, 10, 12]
    # Moving ranges average 56/15 = 3.73; the 18 and 19 exceed 3.267 x 3.73 = 12.2 and are left out.
    chart = control_chart("i", values=values)
    sigma = (19 / 13) / 1.128
    center = sum(values) / 16
    assert chart.center == pytest.approx(center)
    assert chart.upper[0] == pytest.approx(center + 3 * sigma)
    assert chart.lower[0] == pytest.approx(center - 3 * sigma)
    assert chart.outside == [index == 8 for index in range(16)]


def test_a_moving_range_equal_to_the_screening_limit_is_left_out():
    # Moving ranges 3267, 244, 244, 245 average exactly 1000, and 3.267 x 1000 == 3267.0.
    chart = control_chart("i", values=[0, 3267, 3023, 3267, 3022])
    sigma = (733 / 3) / 1.128
    assert chart.upper[0] == pytest.approx(chart.center + 3 * sigma)


def test_an_i_chart_with_no_variation_in_its_baseline_has_limits_on_the_centre():
    chart = control_chart("i", values=[5, 5, 5, 5, 6], baseline=4)
    assert (chart.center, chart.upper[0], chart.lower[0]) == (5, 5, 5)
    assert chart.outside == [False, False, False, False, True]


def test_an_i_chart_with_a_single_point_has_no_limits():
    chart = control_chart("i", values=[None, 7])
    assert chart.center == 7
    assert (chart.upper, chart.lower, chart.outside) == ([None, None], [None, None], [False, False])


def test_the_baseline_sets_the_centre_and_sigma_of_an_i_chart():
    chart = control_chart("i", values=[10, 12, 11, 13, 30, 31, 29, 30], baseline=4)
    sigma = (5 / 3) / 1.128  # moving ranges 2, 1, 2 inside the baseline only
    assert chart.center == pytest.approx(11.5)
    assert chart.upper[0] == pytest.approx(11.5 + 3 * sigma)
    assert chart.outside == [False] * 4 + [True] * 4


def test_the_i_chart_baseline_counts_points_with_data_and_does_not_bridge_gaps():
    chart = control_chart("i", values=[None, 10, 12, NAN, 11, 50], baseline=3)
    assert chart.center == pytest.approx(11)  # mean of 10, 12, 11
    assert chart.upper[1] == pytest.approx(11 + 3 * 2 / 1.128)  # only 10 → 12 is a moving range
    assert chart.values == [None, 10, 12, None, 11, 50]
    assert chart.outside == [False, False, False, False, False, True]


def test_the_baseline_sets_the_centre_of_p_and_u_charts():
    p_chart = control_chart("p", numerators=[1, 3, 30], denominators=[20, 20, 40], baseline=2)
    assert p_chart.center == pytest.approx(4 / 40)
    assert p_chart.outside == [False, False, True]
    u_chart = control_chart("u", numerators=[1, 3, 30], denominators=[20, 20, 40], baseline=2)
    assert u_chart.center == pytest.approx(4 / 40)
    assert u_chart.outside == [False, False, True]


def test_missing_points_get_no_limits_and_are_never_outside():
    chart = control_chart("p", numerators=[5, None, 0, 5, NAN], denominators=[50, 50, 0, None, 50])
    assert chart.values == [0.1, None, None, None, None]
    assert chart.upper[1:] == [None] * 4
    assert chart.lower[1:] == [None] * 4
    assert chart.outside == [False] * 5
    assert chart.runs.n_obs == 5


def test_a_u_chart_point_with_no_exposure_is_missing():
    chart = control_chart("u", numerators=[3, 4, 2], denominators=[0, 2, 1])
    assert chart.values == [None, 2.0, 2.0]
    assert chart.center == pytest.approx(2.0)
    assert chart.upper[0] is None


def test_the_runs_are_judged_around_the_centre_line():
    chart = control_chart("i", values=[1, 2, 3, 4, 100, 2, 3, 1])
    assert chart.center == pytest.approx(14.5)
    assert chart.runs.median == chart.center
    assert (chart.runs.n_useful, chart.runs.longest_run, chart.runs.crossings) == (8, 4, 2)
    assert chart.runs.trends == [(0, 4)]


def test_a_p_chart_runs_count_points_on_the_centre_as_not_useful():
    chart = control_chart("p", numerators=[5, 10, 2, 23], denominators=[50, 100, 100, 150])
    assert chart.center == pytest.approx(0.1)
    assert chart.runs.n_useful == 2  # 5/50 and 10/100 lie exactly on p̄ = 40/400


@pytest.mark.parametrize(
    ("kind", "inputs", "message"),
    [
        ("xbar", {"values": [1, 2]}, "kind"),
        ("i", {}, "values"),
        ("i", {"values": [1], "numerators": [1]}, "values"),
        ("p", {"numerators": [1, 2]}, "numerators and denominators"),
        ("u", {"values": [1], "numerators": [1], "denominators": [2]}, "numerators and denominators"),
        ("p", {"numerators": [1, 2], "denominators": [3]}, "length"),
        ("u", {"numerators": [1, 2], "denominators": [3, -1]}, "negative"),
        ("u", {"numerators": [-1, 2], "denominators": [3, 1]}, "negative"),
        ("p", {"numerators": [1, 5], "denominators": [3, 4]}, "exceeds"),
        ("p", {"numerators": [1, 5], "denominators": [3, 0]}, "exceeds"),
        ("i", {"values": [None, NAN]}, "at least one point"),
        ("p", {"numerators": [0, None], "denominators": [0, 4]}, "at least one point"),
        ("i", {"values": [1, 2], "baseline": 0}, "baseline"),
    ],
)
def test_it_refuses_bad_input(kind, inputs, message):
    with pytest.raises(ValueError, match=message):
        control_chart(kind, **inputs)
