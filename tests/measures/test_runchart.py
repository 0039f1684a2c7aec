"""Run-chart rules: the Anhøj rules as in qicharts2, and the IHI shift and trend rules."""

import itertools
import math
import random
from fractions import Fraction

import pytest

from measures.runchart import (
    analyze_around,
    analyze_run_chart,
    max_longest_run,
    median,
    min_crossings,
)

NAN = float("nan")


def qbinom_05_by_definition(trials: int) -> int:
    """Smallest k with P(X <= k) >= 0.05 for X ~ Binomial(trials, 1/2), in exact fractions."""
    cumulative = Fraction(0)
    for k in range(trials + 1):
        cumulative += Fraction(math.comb(trials, k), 2**trials)
        if cumulative >= Fraction(1, 20):
            return k
    raise AssertionError("unreachable")


# Anhøj & Olesen 2014, Table 1 (N useful points: max longest run, min crossings). Every row was
# checked against round(log2(N)) + 3 and qbinom(0.05, N - 1, 0.5) computed exactly; all agree.
ANHOEJ_TABLE = [
    (10, 6, 2), (11, 6, 2), (12, 7, 3), (13, 7, 3), (14, 7, 4), (15, 7, 4), (16, 7, 4),
    (17, 7, 5), (18, 7, 5), (19, 7, 6), (20, 7, 6), (22, 7, 7), (23, 8, 7), (24, 8, 8),
    (30, 8, 10), (40, 8, 14), (50, 9, 19), (100, 10, 41),
]


@pytest.mark.parametrize(("n_useful", "longest_run_max", "crossings_min"), ANHOEJ_TABLE)
def test_it_reproduces_the_anhoej_table(n_useful, longest_run_max, crossings_min):
    assert max_longest_run(n_useful) == longest_run_max
    assert min_crossings(n_useful) == crossings_min


def test_it_computes_crossings_min_as_rs_qbinom():
    # Known R values: qbinom(0.05, 9, 0.5) == 2, qbinom(0.05, 23, 0.5) == 8, qbinom(0.05, 0, 0.5) == 0.
    assert min_crossings(10) == 2
    assert min_crossings(24) == 8
    assert min_crossings(1) == 0
    assert [min_crossings(n) for n in range(1, 121)] == [
        qbinom_05_by_definition(n - 1) for n in range(1, 121)
    ]


def test_it_reads_the_limits_for_24_useful_points():
    result = analyze_run_chart([1, 9] * 12)  # median 5, every point useful, every point a crossing
    assert (result.n_useful, result.longest_run, result.crossings) == (24, 1, 23)
    assert (result.longest_run_max, result.crossings_min) == (8, 8)
    assert result.runs_signal is False


def test_it_finds_a_shift_of_seven_above_after_six_below():
    values = [2, 1, 2, 1, 2, 1, 12, 11, 12, 11, 12, 11, 12, 1]
    result = analyze_run_chart(values)
    assert result.median == 6.5
    assert result.shifts == [(0, 5), (6, 12)]
    assert result.trends == []
    assert (result.n_obs, result.n_useful, result.longest_run, result.crossings) == (14, 14, 7, 2)
    assert (result.longest_run_max, result.crossings_min) == (7, 4)
    assert result.runs_signal is True  # too few crossings; the longest run (7) is just allowed


def test_it_signals_on_the_longest_run_alone():
    result = analyze_around([9, 1, 1, 1, 1, 1, 1, 1, 9, 9], 5)
    assert (result.longest_run, result.longest_run_max) == (7, 6)
    assert (result.crossings, result.crossings_min) == (2, 2)
    assert result.runs_signal is True


def test_it_signals_on_too_few_crossings_alone():
    result = analyze_around([9] * 5 + [1] * 4 + [9] * 5, 5)
    assert (result.longest_run, result.longest_run_max) == (5, 7)
    assert (result.crossings, result.crossings_min) == (2, 4)
    assert result.runs_signal is True


def test_it_does_not_signal_random_looking_data():
    result = analyze_around([6, 4, 7, 3, 3, 8, 6, 2, 9, 4], 5)
    assert (result.longest_run, result.crossings) == (2, 7)
    assert result.runs_signal is False


def test_points_on_the_median_neither_break_nor_count_in_a_shift():
    values = [4, 5, 6, 7, 5, 8, 6, 5, 7, 9]
    result = analyze_run_chart(values, baseline=3)  # median of 4, 5, 6
    assert result.median == 5
    assert result.shifts == [(2, 9)]
    assert (result.n_obs, result.n_useful, result.longest_run) == (10, 7, 6)


def test_missing_points_neither_break_nor_count_in_a_shift():
    values = [3, None, 4, NAN, 3, 4, 3, 4, 10, 11, 10, 11, 10, 11]
    result = analyze_run_chart(values)
    assert result.median == 7
    assert result.shifts == [(0, 7), (8, 13)]
    assert (result.n_obs, result.n_useful, result.crossings) == (14, 12, 1)


@pytest.mark.parametrize(
    ("values", "trends"),
    [
        ([1, 2, 3, 4, 5, 6], [(0, 5)]),
        ([1, 2, 3, 4, 5, 6, 7], [(0, 6)]),  # maximal: one trend, not three
        ([9, 7, 5, 3, 1], [(0, 4)]),
        ([1, 2, 3, 4], []),
        ([1, 2, 2, 3, 4, 5], [(0, 5)]),  # the repeated 2 is skipped: five counted points
        ([1, 2, 2, 3, 4], []),  # only four counted points
        ([1, 1, 2, 3, 4, 5, 5], [(0, 5)]),  # first and last are points that count
        ([1, None, 2, NAN, 3, 4, 5], [(0, 6)]),
        ([5, 4, 1, 2, 3, 4, 5], [(2, 6)]),
        ([1, 2, 3, 4, 5, 4, 3, 2, 1], [(0, 4), (4, 8)]),  # the peak ends one trend, starts the next
        ([1, 2, 3, 4, 3, 4, 5, 6], []),
    ],
)
def test_it_finds_trends(values, trends):
    assert analyze_run_chart(values).trends == trends


@pytest.mark.parametrize("values", [[], [None], [None, NAN, None]])
def test_it_reports_nothing_without_data(values):
    result = analyze_run_chart(values)
    assert result.median is None
    assert (result.n_obs, result.n_useful) == (len(values), 0)
    assert (result.longest_run, result.longest_run_max, result.crossings, result.crossings_min) == (
        None, None, None, None,
    )
    assert result.runs_signal is False
    assert (result.shifts, result.trends) == ([], [])


def test_all_equal_values_leave_no_useful_point():
    result = analyze_run_chart([5, 5.0, None, 5, 5, 5, 5, 5])
    assert result.median == 5
    assert (result.n_obs, result.n_useful) == (8, 0)
    assert (result.longest_run, result.longest_run_max, result.crossings, result.crossings_min) == (
        None, None, None, None,
    )
    assert result.runs_signal is False
    assert (result.shifts, result.trends) == ([], [])


def test_a_single_useful_point_is_one_run_without_a_signal():
    result = analyze_around([None, 7, 5], 5)
    assert (result.n_useful, result.longest_run, result.longest_run_max) == (1, 1, 3)
    assert (result.crossings, result.crossings_min, result.runs_signal) == (0, 0, False)


def test_the_baseline_median_uses_the_first_k_non_missing_points():
    values = [None, 1, NAN, 2, 3, 100, 200]
    assert analyze_run_chart(values, baseline=3).median == 2
    assert analyze_run_chart(values, baseline=4).median == 2.5
    assert analyze_run_chart(values).median == 3


def test_a_baseline_longer_than_the_data_uses_all_of_it():
    assert analyze_run_chart([1, None, 3, 10], baseline=50).median == 3


@pytest.mark.parametrize("baseline", [0, -1, 1.5, True, "3"])
def test_it_refuses_a_baseline_that_is_not_a_positive_whole_number(baseline):
    with pytest.raises(ValueError, match="baseline"):
        analyze_run_chart([1, 2, 3], baseline=baseline)


def test_the_median_helper_skips_missing_values():
    assert median([3, None, 1, NAN, 2]) == 2
    assert median([None, NAN]) is None


def test_it_agrees_with_a_plain_reference_on_random_series():
    # No hypothesis in the venv: a seeded random search instead, against a direct transcription of
    # qicharts2's runs.analysis (sign, drop 0/NA, rle).
    rng = random.Random(20240601)
    for _ in range(500):
        values = [rng.choice([None, NAN, *range(6)]) for _ in range(rng.randint(0, 30))]
        result = analyze_run_chart(values)
        center = result.median
        signs = [] if center is None else [
            (v > center) - (v < center) for v in values if v is not None and not math.isnan(v)
        ]
        lengths = [len(list(group)) for _, group in itertools.groupby(s for s in signs if s)]
        assert result.n_useful == sum(lengths)
        if lengths:
            assert result.longest_run == max(lengths)
            assert result.crossings == len(lengths) - 1
            assert result.runs_signal == (
                max(lengths) > round(math.log2(sum(lengths))) + 3
                or len(lengths) - 1 < qbinom_05_by_definition(sum(lengths) - 1)
            )
        assert len(result.shifts) == sum(length >= 6 for length in lengths)
