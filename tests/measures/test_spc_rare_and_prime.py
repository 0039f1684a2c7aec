"""c, g and t charts for rare events and Laney's p' and u' charts for large denominators, as
qicharts2 0.8 computes them (R/helper.functions.R: qic.c, qic.g, qic.t, qic.pp, qic.up and
runs.analysis). Every expected value is worked out here from the published formulas, not
taken from the code under test."""

import math
import statistics
from itertools import pairwise

import pytest

from measures.spc import control_chart

# --- c chart: counts of rare events (qic.c) ---------------------------------------------------


def test_a_c_chart_centres_on_the_mean_count_with_poisson_limits_clipped_at_zero():
    counts = [2, 0, 3, 1, 4, 2, 12, 1, 0, 3]
    chart = control_chart("c", values=counts)
    c_bar = 28 / 10  # 2.8
    spread = 3 * math.sqrt(2.8)  # 5.02
    assert chart.center == pytest.approx(c_bar)
    assert chart.upper == pytest.approx([2.8 + spread] * 10)  # 7.82
    assert chart.upper[0] == pytest.approx(7.82, abs=0.001)
    assert chart.lower == [0.0] * 10  # 2.8 - 5.02 < 0: qicharts2 sets 0
    assert chart.outside == [count == 12 for count in counts]
    assert chart.values == [float(count) for count in counts]


def test_a_c_chart_runs_analysis_is_around_its_mean():
    chart = control_chart("c", values=[2, 0, 3, 1, 4, 2, 12, 1, 0, 3])
    # Sides of 2.8: - - + - + - + - - +  →  8 runs, 7 crossings, longest run 2.
    runs = chart.runs
    assert (runs.median, runs.n_useful, runs.longest_run, runs.crossings) == (pytest.approx(2.8), 10, 2, 7)
    assert (runs.longest_run_max, runs.crossings_min) == (6, 2)  # round(log2(10)) + 3; qbinom(.05, 9, .5)
    assert runs.runs_signal is False


def test_a_c_chart_with_a_frozen_baseline_judges_later_months_against_it():
    chart = control_chart("c", values=[1, 2, 3, 2, 9, 10, 8], baseline=4)
    assert chart.center == pytest.approx(2.0)  # (1 + 2 + 3 + 2) / 4
    assert chart.upper[6] == pytest.approx(2 + 3 * math.sqrt(2))  # 6.24
    assert chart.outside == [False] * 4 + [True] * 3


def test_a_c_chart_keeps_a_positive_lower_limit_when_counts_are_high():
    chart = control_chart("c", values=[16, 20, 25, 19])
    assert chart.center == pytest.approx(20)
    assert chart.lower[0] == pytest.approx(20 - 3 * math.sqrt(20))  # 6.58, not clipped


# --- g chart: opportunities between events (qic.g) ----------------------------------------


G_DAYS = [10, 25, 3, 40, 7, 15, 60, 2, 30, 300]


def test_a_g_chart_takes_its_limits_from_the_mean_but_draws_the_median_as_centre():
    chart = control_chart("g", values=G_DAYS)
    mean = 492 / 10  # 49.2
    sigma = math.sqrt(49.2 * (49.2 + 1))  # Montgomery p. 319: √(ḡ(ḡ+1)) = 49.70
    assert chart.upper == pytest.approx([mean + 3 * sigma] * 10)
    assert chart.upper[0] == pytest.approx(198.29, abs=0.01)
    assert chart.lower == [0.0] * 10  # ḡ - 3√(ḡ(ḡ+1)) is always below 0
    # Sorted: 2 3 7 10 15 | 25 30 40 60 300 → median (15 + 25) / 2. A textbook g chart centres
    # on ḡ = 49.2 (or Provost's theoretical median 0.693·ḡ = 34.1); qicharts2 on the data's median.
    assert chart.center == pytest.approx(20.0)
    assert chart.outside == [days == 300 for days in G_DAYS]


def test_a_g_chart_judges_runs_around_the_median():
    chart = control_chart("g", values=G_DAYS)
    # Sides of 20: - + - + - - + - + +  →  8 runs, 7 crossings, longest 2.
    assert (chart.runs.median, chart.runs.n_useful, chart.runs.longest_run, chart.runs.crossings) == (
        20.0, 10, 2, 7)


def test_a_g_chart_point_on_the_median_is_not_useful_for_the_runs():
    chart = control_chart("g", values=[4, 8, 1, 12, 6])
    assert chart.center == 6  # median of 1 4 6 8 12
    assert chart.runs.n_useful == 4


def test_a_g_chart_baseline_sets_both_the_mean_and_the_median():
    chart = control_chart("g", values=[5, 9, 1, 3, 200, 150], baseline=4)
    assert chart.center == pytest.approx(4.0)  # median of 1 3 5 9
    assert chart.upper[5] == pytest.approx(4.5 + 3 * math.sqrt(4.5 * 5.5))  # mean 18 / 4 = 4.5
    assert chart.outside == [False] * 4 + [True, True]


# --- t chart: time between events (qic.t) -------------------------------------------------


def test_a_t_chart_is_an_i_chart_of_times_to_the_power_one_over_3_6_back_transformed():
    days = [5, 12, 30, 8, 20, 45, 3, 15]
    chart = control_chart("t", values=days)
    y = [d ** (1 / 3.6) for d in days]
    mean_y = sum(y) / 8
    ranges = [abs(b - a) for a, b in pairwise(y)]
    assert max(ranges) < 3.267 * (sum(ranges) / 7)  # no moving range is screened out here
    sigma = (sum(ranges) / 7) / 1.128
    assert chart.center == pytest.approx(mean_y ** 3.6)
    assert chart.center == pytest.approx(13.747, abs=0.001)  # not the mean time, 17.25
    assert chart.upper[0] == pytest.approx((mean_y + 3 * sigma) ** 3.6)
    assert chart.upper[0] == pytest.approx(152.42, abs=0.01)
    assert chart.lower[0] == pytest.approx((mean_y - 3 * sigma) ** 3.6)
    assert chart.values == [float(d) for d in days]  # the times themselves are plotted
    assert not any(chart.outside)


def test_a_t_chart_lower_limit_below_zero_on_the_transformed_scale_becomes_zero():
    days = [1, 200, 1, 150, 2, 90]
    chart = control_chart("t", values=days)
    y = [d ** (1 / 3.6) for d in days]
    ranges = [abs(b - a) for a, b in pairwise(y)]
    sigma = statistics.fmean(ranges) / 1.128
    assert statistics.fmean(y) - 3 * sigma < 0  # R: a negative number ** (1/3.6) is NaN → 0
    assert chart.lower == [0.0] * 6
    assert chart.upper[0] == pytest.approx((statistics.fmean(y) + 3 * sigma) ** 3.6)


def test_a_t_chart_screens_moving_ranges_on_the_transformed_scale():
    days = [10, 11, 10, 11, 10, 11, 10, 11, 10, 400]
    chart = control_chart("t", values=days)
    y = [d ** (1 / 3.6) for d in days]
    ranges = [abs(b - a) for a, b in pairwise(y)]
    limit = 3.267 * statistics.fmean(ranges)
    kept = [r for r in ranges if r < limit]
    assert len(kept) == 8  # the jump to 400 is left out before sigma
    sigma = statistics.fmean(kept) / 1.128
    assert chart.upper[0] == pytest.approx((statistics.fmean(y) + 3 * sigma) ** 3.6)
    assert chart.outside[-1] is True


@pytest.mark.parametrize("days", [[3, 0, 5], [3, -1, 5]])
def test_a_t_chart_refuses_a_time_that_is_not_above_zero(days):
    # qic.t: stop('Time between events must be greater than zero')
    with pytest.raises(ValueError, match="greater than zero"):
        control_chart("t", values=days)


def test_a_t_chart_with_one_point_has_no_limits():
    chart = control_chart("t", values=[None, 8])
    assert chart.center == pytest.approx(8)
    assert chart.upper == [None, None]


# --- Laney p' chart (qic.pp) --------------------------------------------------------------

PP_NUMERATORS = [1200, 1350, 1100, 1500, 1250, 1400]


def test_a_p_prime_chart_widens_the_p_chart_limits_by_sigma_z():
    chart = control_chart("pp", numerators=PP_NUMERATORS, denominators=[10_000] * 6)
    p_bar = 7800 / 60_000  # 0.13
    s = math.sqrt(0.13 * 0.87 / 10_000)  # 0.003363
    z = [(n / 10_000 - p_bar) / s for n in PP_NUMERATORS]  # -2.97 1.49 -5.95 5.95 -1.49 2.97
    ranges = [abs(b - a) for a, b in pairwise(z)]  # 4.46 7.43 11.89 7.43 4.46
    assert max(ranges) < 3.267 * statistics.fmean(ranges)
    sigma_z = statistics.fmean(ranges) / 1.128  # 6.33
    assert sigma_z == pytest.approx(6.326, abs=0.001)
    assert chart.center == pytest.approx(0.13)
    assert chart.upper == pytest.approx([p_bar + 3 * s * sigma_z] * 6)  # 0.1938
    assert chart.lower == pytest.approx([p_bar - 3 * s * sigma_z] * 6)  # 0.0662
    assert not any(chart.outside)


def test_the_same_data_on_a_p_chart_signals_over_dispersion():
    p_chart = control_chart("p", numerators=PP_NUMERATORS, denominators=[10_000] * 6)
    spread = 3 * math.sqrt(0.13 * 0.87 / 10_000)  # 0.0101: 11.0% and 15.0% lie beyond it
    assert p_chart.upper[0] == pytest.approx(0.13 + spread)
    assert p_chart.outside == [False, False, True, True, False, False]


def test_a_p_prime_chart_uses_each_months_denominator():
    numerators, denominators = [90, 300, 160, 420], [1000, 2500, 2000, 3500]
    chart = control_chart("pp", numerators=numerators, denominators=denominators)
    p_bar = 970 / 9000
    s = [math.sqrt(p_bar * (1 - p_bar) / n) for n in denominators]
    z = [(num / den - p_bar) / si for num, den, si in zip(numerators, denominators, s, strict=True)]
    sigma_z = statistics.fmean(abs(b - a) for a, b in pairwise(z)) / 1.128
    assert chart.upper == pytest.approx([p_bar + 3 * si * sigma_z for si in s])
    assert chart.lower == pytest.approx([max(p_bar - 3 * si * sigma_z, 0) for si in s])


def test_a_p_prime_chart_screens_large_moving_ranges_of_z():
    # p̄ = 12,000 / 60,000 = 0.2 and s = √(0.2·0.8/10,000) = 0.004, so each 40 children is one z:
    # z = -2 -1 -2 -1 -2 8, moving ranges 1 1 1 1 10 (mean 2.8). 10 ≥ 3.267 x 2.8 = 9.15 is left
    # out (Nelson 1982, as qicharts2 does; Laney's paper does not screen): sigma_z = 1 / 1.128.
    chart = control_chart("pp", numerators=[1920, 1960, 1920, 1960, 1920, 2320], denominators=[10_000] * 6)
    assert chart.center == pytest.approx(0.2)
    assert chart.upper[0] == pytest.approx(0.2 + 3 * 0.004 / 1.128)  # 0.2106
    assert chart.lower[0] == pytest.approx(0.2 - 3 * 0.004 / 1.128)
    assert chart.outside == [False] * 5 + [True]


def test_a_p_prime_chart_clips_its_limits_to_zero_and_one():
    chart = control_chart("pp", numerators=[100, 500, 100, 500], denominators=[10_000] * 4)
    s = math.sqrt(0.03 * 0.97 / 10_000)
    sigma_z = (0.04 / s) / 1.128  # every z moving range is 0.04 / s
    assert chart.upper[0] == pytest.approx(0.03 + 3 * s * sigma_z)
    assert chart.lower == [0.0] * 4  # 0.03 - 0.106 < 0
    high = control_chart("pp", numerators=[9990, 9000, 9990, 9000], denominators=[10_000] * 4)
    assert high.upper == [1.0] * 4


def test_a_p_prime_chart_baseline_sets_the_centre_and_sigma_z():
    numerators = [1200, 1350, 1100, 1500, 2500, 2600]
    chart = control_chart("pp", numerators=numerators, denominators=[10_000] * 6, baseline=4)
    p_bar = 5150 / 40_000
    s = math.sqrt(p_bar * (1 - p_bar) / 10_000)
    z = [(n / 10_000 - p_bar) / s for n in numerators[:4]]
    sigma_z = statistics.fmean(abs(b - a) for a, b in pairwise(z)) / 1.128
    assert chart.center == pytest.approx(p_bar)
    assert chart.upper[5] == pytest.approx(p_bar + 3 * s * sigma_z)
    assert chart.outside == [False] * 4 + [True, True]


def test_a_p_prime_chart_of_all_zero_proportions_has_no_limits():
    # p̄ = 0 makes every z 0 / 0: qicharts2 draws no limits.
    chart = control_chart("pp", numerators=[0, 0, 0], denominators=[5000, 6000, 7000])
    assert chart.center == 0
    assert chart.upper == [None] * 3
    assert not any(chart.outside)


def test_a_p_prime_chart_refuses_a_numerator_above_its_denominator():
    with pytest.raises(ValueError, match="exceeds"):
        control_chart("pp", numerators=[5, 12], denominators=[10, 10])


def test_a_p_prime_chart_runs_analysis_is_around_the_pooled_proportion():
    chart = control_chart("pp", numerators=PP_NUMERATORS, denominators=[10_000] * 6)
    # 12.0 13.5 11.0 15.0 12.5 14.0 % around 13 %: - + - + - +
    assert (chart.runs.n_useful, chart.runs.longest_run, chart.runs.crossings) == (6, 1, 5)


# --- Laney u' chart (qic.up) --------------------------------------------------------------


def test_a_u_prime_chart_widens_the_u_chart_limits_by_sigma_z():
    counts, exposure = [30, 52, 18, 75, 40], [1000, 2000, 800, 2500, 1600]
    chart = control_chart("up", numerators=counts, denominators=exposure)
    u_bar = 215 / 7900
    s = [math.sqrt(u_bar / n) for n in exposure]
    z = [(c / n - u_bar) / si for c, n, si in zip(counts, exposure, s, strict=True)]
    ranges = [abs(b - a) for a, b in pairwise(z)]
    assert max(ranges) < 3.267 * statistics.fmean(ranges)
    sigma_z = statistics.fmean(ranges) / 1.128
    assert chart.center == pytest.approx(u_bar)
    assert chart.upper == pytest.approx([u_bar + 3 * si * sigma_z for si in s])
    assert chart.lower == pytest.approx([u_bar - 3 * si * sigma_z for si in s])
    assert chart.values == pytest.approx([0.03, 0.026, 0.0225, 0.03, 0.025])


def test_a_u_prime_chart_clips_the_lower_limit_at_zero_but_not_the_upper():
    chart = control_chart("up", numerators=[10, 400, 10, 400], denominators=[10_000] * 4)
    u_bar = 820 / 40_000
    s = math.sqrt(u_bar / 10_000)
    sigma_z = (0.039 / s) / 1.128
    assert chart.lower == [0.0] * 4
    assert chart.upper[0] == pytest.approx(u_bar + 3 * s * sigma_z)


def test_a_u_prime_chart_point_without_exposure_is_missing_and_breaks_the_moving_ranges():
    counts, exposure = [30, 5, 52, 18, 75], [1000, 0, 2000, 800, 2500]
    chart = control_chart("up", numerators=counts, denominators=exposure)
    u_bar = 175 / 6300
    z = [(c / n - u_bar) / math.sqrt(u_bar / n) for c, n in ((30, 1000), (52, 2000), (18, 800), (75, 2500))]
    # The gap is not bridged: moving ranges only between the last three present points.
    sigma_z = statistics.fmean([abs(z[2] - z[1]), abs(z[3] - z[2])]) / 1.128
    assert chart.values[1] is None
    assert chart.upper[1] is None
    assert chart.upper[0] == pytest.approx(u_bar + 3 * math.sqrt(u_bar / 1000) * sigma_z)


# --- Arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "inputs", "message"),
    [
        ("c", {"numerators": [1], "denominators": [2]}, "takes values"),
        ("g", {}, "takes values"),
        ("t", {"values": [1], "denominators": [2]}, "takes values"),
        ("pp", {"values": [1, 2]}, "numerators and denominators"),
        ("up", {"numerators": [1, 2]}, "numerators and denominators"),
        ("c", {"values": [1, -2]}, "negative"),
        ("g", {"values": [-1, 2]}, "negative"),
        ("c", {"values": [None, None]}, "at least one point"),
        ("up", {"numerators": [1, 2], "denominators": [3, -1]}, "negative"),
        ("g", {"values": [1, 2], "baseline": 0}, "baseline"),
    ],
)
def test_it_refuses_bad_input_for_the_new_kinds(kind, inputs, message):
    with pytest.raises(ValueError, match=message):
        control_chart(kind, **inputs)
