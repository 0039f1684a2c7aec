"""Making Data Count status, checked against NHSRplotthedots 0.2.2 (tag 0.2.2, commit 050b07d).

"R test" comments name the package's file under tests/testthat/ and its test_that() block; the
other expected numbers are worked by hand from the package's formulas (mean ± 2.66 x mean moving
range, moving ranges screened once at 3.267 x their mean).
"""

import pytest

from measures.mdc import status

NAN = float("nan")

# R: set.seed(123); rnorm(24), printed to 8 decimals (as in the package's snapshots), then the
# next 12 standard normal draws twice (the package adds 5 and -5 to them).
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499,
    0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383,
    0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716,
    0.70135590, -0.47279141, -1.06782371, -0.21797491, -1.02600445, -0.72889123,
]  # fmt: skip
RNORM_123_NEXT = [
    -0.62503927, -1.68669331, 0.83778704, 0.15337312, -1.13813694, 1.25381492,
    0.42646422, -0.29507148, 0.89512566, 0.87813349, 0.82158108, 0.68864025,
]  # fmt: skip
RNORM_123_THEN = [
    0.55391765, -0.06191171, -0.30596266, -0.38047100, -0.69470698, -0.20791728,
    -1.26539635, 2.16895597, 1.20796200, -1.12310858, -0.40288484, -0.46665535,
]  # fmt: skip
# test-geom_ptd_icon.R: the first 12 draws, then the last 12 replaced by rnorm(12, 5) ...
SHIFTED_UP = RNORM_123[:12] + [5 + z for z in RNORM_123_NEXT]
# ... and then by rnorm(12, -5).
SHIFTED_DOWN = RNORM_123[:12] + [-5 + z for z in RNORM_123_THEN]

# Vignette "Deviations from Excel defaults", section 1 (18 daily points).
VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
# Mean 1.5 and every moving range 1: limits 1.5 ± 2.66 = -1.16 and 4.16.
STEADY = [1, 2] * 8
# Mean 2, moving ranges fifteen 1s and an 8 (screened: 8 ≥ 3.267 x 23/16), limits 2 ± 2.66.
LAST_HIGH = [1, 2] * 8 + [10]
# Mean 1, moving ranges fifteen 1s and a 9 (screened), limits 1 ± 2.66.
LAST_LOW = [1, 2] * 8 + [-7]
# Mean 144/13, mean moving range 62/12 (limits -2.67 and 24.82): 9 to 15 rise seven times.
RISING = [5, 15, 5, 15, 5, 15, 9, 10, 11, 12, 13, 14, 15]
# Mean 156/14 = 11.14, limits 3.98 and 18.30: the last seven points are above the mean.
SEVEN_ABOVE = [8, 12, 8, 12, 8, 12, 8, 13, 12, 13, 12, 13, 12, 13]


def _rules(result):
    return [point.rule for point in result.points]


def _types(result):
    return [point.point_type for point in result.points]


def _limits(point):
    return (point.mean, point.lpl, point.upl)


# Limits ----------------------------------------------------------------------------------------


def test_it_matches_the_package_limits_for_twenty_random_points():
    # R test: test-ptd_spc_standard.R, "it returns expected values" (snapshot r1).
    result = status(RNORM_123[:20], improvement_direction="increase")
    assert _limits(result.points[0]) == pytest.approx((0.1416238, -3.01138, 3.294627), abs=1e-6)
    assert _limits(result.points[19]) == _limits(result.points[0])


def test_it_screens_the_moving_ranges_of_an_outlier_out_of_the_limits():
    # R test: test-ptd_spc_standard.R, "it returns expected values" (snapshot r2: y[15] <- 10).
    values = [*RNORM_123[:14], 10, *RNORM_123[15:20]]
    result = status(values, improvement_direction="increase")
    assert _limits(result.points[0]) == pytest.approx((0.6694159, -2.383666, 3.722497), abs=1e-6)


def test_it_keeps_every_moving_range_when_screening_is_off():
    # R test: test-ptd_spc_standard.R, "it returns expected values" (snapshot r3).
    values = [*RNORM_123[:14], 10, *RNORM_123[15:20]]
    result = status(values, improvement_direction="increase", screen_outliers=False)
    assert _limits(result.points[0]) == pytest.approx((0.6694159, -4.596625, 5.935457), abs=1e-6)


def test_it_matches_the_vignette_limits_with_screening():
    # Moving ranges average 32/17; the 8 and 9 reach 3.267 times that, leaving fifteen 1s.
    result = status(VIGNETTE, improvement_direction="increase")
    assert _limits(result.points[0]) == pytest.approx((35 / 18, 35 / 18 - 2.66, 35 / 18 + 2.66))
    assert (round(result.points[0].upl, 2), round(result.points[0].lpl, 2)) == (4.6, -0.72)


def test_it_matches_the_vignette_limits_without_screening():
    # The vignette's "replicate the Excel tools" chart: UPL 6.95, LPL -3.06.
    result = status(VIGNETTE, improvement_direction="increase", screen_outliers=False)
    spread = 2.66 * 32 / 17
    assert _limits(result.points[0]) == pytest.approx((35 / 18, 35 / 18 - spread, 35 / 18 + spread))
    assert (round(result.points[0].upl, 2), round(result.points[0].lpl, 2)) == (6.95, -3.06)


def test_it_screens_moving_ranges_once_only():
    # Moving ranges ten 1s, 5 and 20 average 35/12: only the 20 reaches 3.267 x 35/12 = 9.5.
    # The 5 stays in although it exceeds 3.267 x 15/11 = 4.5, the screened mean.
    result = status([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 5, -15], improvement_direction="increase")
    mean = -5 / 13
    assert _limits(result.points[0]) == pytest.approx((mean, mean - 2.66 * 15 / 11, mean + 2.66 * 15 / 11))


def test_it_puts_the_limits_of_two_points_at_2_66_moving_ranges_from_their_mean():
    result = status([4, 6], improvement_direction="increase")
    assert [_limits(point) for point in result.points] == [pytest.approx((5, -0.32, 10.32))] * 2


def test_it_gives_a_single_point_a_mean_but_no_limits():
    result = status([5], improvement_direction="increase")
    assert [_limits(point) for point in result.points] == [(5, None, None)]
    assert _types(result) == ["common_cause"]


def test_it_has_no_limits_for_a_flat_series_when_screening():
    # Every moving range is 0, and 0 is not below 3.267 x 0: none is left, so R gets NaN limits.
    result = status([3, 3, 3], improvement_direction="increase")
    assert [_limits(point) for point in result.points] == [(3, None, None)] * 3


def test_it_puts_the_limits_of_a_flat_series_on_the_mean_without_screening():
    result = status([3, 3, 3], improvement_direction="increase", screen_outliers=False)
    assert [_limits(point) for point in result.points] == [(3, 3, 3)] * 3
    assert _types(result) == ["common_cause"] * 3


# Rules -----------------------------------------------------------------------------------------


def test_it_finds_no_special_cause_in_twenty_random_points():
    # R test: test-ptd_spc.R, "it outputs expected content" (summary s1: common_cause = 20).
    result = status(RNORM_123[:20], improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 20


def test_it_flags_only_the_point_beyond_the_limits_in_the_vignette():
    # Vignette: "four grey common cause points followed by a single blue special cause
    # improvement point followed by a further 12 grey common cause points" (18 in all).
    result = status(VIGNETTE, improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 4 + ["special_cause_improvement"] + ["common_cause"] * 13
    assert result.points[4].rule == "outside_limits"


@pytest.mark.parametrize(
    ("direction", "point_type", "icon"),
    [
        ("increase", "special_cause_improvement", "improvement_high"),
        ("decrease", "special_cause_concern", "concern_high"),
        ("neutral", "special_cause_neutral_high", "neutral_high"),
    ],
)
def test_it_orients_a_last_point_above_the_upper_limit_by_direction(direction, point_type, icon):
    result = status(LAST_HIGH, improvement_direction=direction)
    assert result.points[-1].upl == pytest.approx(4.66)
    assert (result.points[-1].point_type, result.variation_icon) == (point_type, icon)
    assert _types(result)[:-1] == ["common_cause"] * 16


@pytest.mark.parametrize(
    ("direction", "point_type", "icon"),
    [
        ("increase", "special_cause_concern", "concern_low"),
        ("decrease", "special_cause_improvement", "improvement_low"),
        ("neutral", "special_cause_neutral_low", "neutral_low"),
    ],
)
def test_it_orients_a_last_point_below_the_lower_limit_by_direction(direction, point_type, icon):
    result = status(LAST_LOW, improvement_direction=direction)
    assert result.points[-1].lpl == pytest.approx(-1.66)
    assert (result.points[-1].point_type, result.variation_icon) == (point_type, icon)


@pytest.mark.parametrize(
    ("direction", "icon"),
    [("increase", "improvement_high"), ("decrease", "concern_high"), ("neutral", "neutral_high")],
)
def test_it_flags_seven_points_each_higher_than_the_last_as_a_trend(direction, icon):
    # R test: test-ptd_calculate_point_type.R, "ptd_seven_point_trend works as expected" (1:7).
    result = status(RISING, improvement_direction=direction)
    assert _rules(result) == [None] * 6 + ["trend"] * 7
    assert result.variation_icon == icon


def test_it_flags_a_falling_trend_low():
    # R test: test-ptd_calculate_point_type.R, "ptd_seven_point_trend works as expected" (7:1).
    result = status([-v for v in RISING], improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 6 + ["special_cause_concern"] * 7
    assert result.variation_icon == "concern_low"


def test_it_needs_seven_points_not_six_for_a_trend():
    # 15 → 10 falls, then 10 to 15 rise only five times (six points).
    result = status([5, 15, 5, 15, 5, 15, 10, 11, 12, 13, 14, 15], improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 12


def test_it_lets_a_repeated_value_break_a_trend():
    # R test: test-ptd_calculate_point_type.R, "ptd_seven_point_trend works as expected"
    # (c(1:3, 3:6) is no trend).
    result = status([5, 15, 5, 15, 5, 15, 9, 10, 11, 11, 12, 13, 14], improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 13


def test_it_credits_the_peak_of_a_rise_and_fall_to_the_fall():
    # The package takes a trend point's direction from the step to the next point when both
    # are in trends, so 14 (the end of the rise) reads as "decreasing".
    values = [0, 20, 0, 20, 0, 20, 8, 9, 10, 11, 12, 13, 14, 13, 12, 11, 10, 9, 8]
    result = status(values, improvement_direction="increase")
    assert _rules(result) == [None] * 6 + ["trend"] * 13
    assert _types(result)[6:] == ["special_cause_improvement"] * 6 + ["special_cause_concern"] * 7


def test_it_reads_the_last_rising_point_before_a_flat_step_into_another_trend_as_falling():
    # Two rises joined by a repeated 7: the first 7 takes the flat step (0), which the package
    # labels "7 Point Trend (Decreasing)". Mean 7, limits 7 ± 2.66 x 12/13 (4.54 and 9.46).
    values = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    result = status(values, improvement_direction="increase")
    assert _rules(result)[4:10] == ["trend"] * 6
    assert (
        _types(result)[4:10]
        == ["special_cause_improvement"] * 2 + ["special_cause_concern"] + ["special_cause_improvement"] * 3
    )


def test_it_ranks_points_beyond_the_limits_above_trends():
    # Same series: 1 to 4 and 10 to 13 are in trends too but lie beyond the limits.
    values = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    result = status(values, improvement_direction="increase")
    assert _rules(result)[:4] == ["outside_limits"] * 4
    assert _rules(result)[10:] == ["outside_limits"] * 4


@pytest.mark.parametrize(
    ("direction", "icon"),
    [("increase", "improvement_high"), ("decrease", "concern_high"), ("neutral", "neutral_high")],
)
def test_it_flags_seven_points_above_the_mean_as_a_shift(direction, icon):
    # R test: test-ptd_calculate_point_type.R, "ptd_seven_point_one_side_mean works as expected".
    result = status(SEVEN_ABOVE, improvement_direction=direction)
    assert _rules(result) == [None] * 7 + ["shift"] * 7
    assert result.variation_icon == icon


def test_it_needs_seven_points_not_six_for_a_shift():
    # R test: test-ptd_calculate_point_type.R, "ptd_seven_point_one_side_mean works as expected"
    # (rep(1, 6) gives nothing). Mean 151/14 = 10.79: only the last six are above it.
    result = status([8, 12, 8, 12, 8, 12, 8, 8, 12, 13, 12, 13, 12, 13], improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 14


def test_it_lets_a_point_on_the_mean_break_a_shift():
    # Mean exactly 0. Eight points below are a shift; after them 1, 2, 1, 2, 0, 2, 1, 2, 1 would
    # be eight above if the 0 were skipped, but the package needs seven in a row off the mean.
    values = [-1, -2] * 4 + [1, 2, 1, 2, 0, 2, 1, 2, 1]
    result = status(values, improvement_direction="increase")
    assert result.points[0].mean == 0
    assert _rules(result) == ["shift"] * 8 + [None] * 9


def test_it_flags_two_of_three_points_beyond_two_sigma_on_one_side():
    # R test: test-ptd_calculate_point_type.R, "ptd_part_of_two_in_three works as expected"
    # (c(1, 0, 1) on one side flags the two near points only). Mean 34.4/19 = 1.81, mean moving
    # range 1.2: the 2-sigma line is 3.94, the limit 5.00, so each 4.2 is near the limit.
    result = status([*STEADY, 4.2, 2, 4.2], improvement_direction="increase")
    assert _rules(result) == [None] * 16 + ["two_in_three", None, "two_in_three"]
    assert result.variation_icon == "improvement_high"


def test_it_ignores_two_of_three_when_the_middle_point_is_across_the_mean():
    # R test: test-ptd_calculate_point_type.R, "ptd_two_in_three works as expected when points
    # are on opposite sides of the mean". Mean 1.76, 2-sigma line 4.08: both 4.2s are near the
    # limit, but the 1 between them is below the mean, and the package wants all three on a side.
    result = status([*STEADY, 4.2, 1, 4.2], improvement_direction="increase")
    assert _types(result) == ["common_cause"] * 19


def test_it_ignores_two_near_points_on_opposite_sides_of_the_mean():
    # R test: test-ptd_spc_standard.R, "it only reports special cause for 2of3 points close to
    # limits when they are on the same side of the mean".
    values = [1, -1] * 7 + [5.5, -5.5]
    result = status(values, improvement_direction="increase")
    assert _types(result)[-2:] == ["common_cause", "common_cause"]


def test_it_does_not_count_a_point_beyond_the_limits_towards_two_in_three():
    # Mean 1.92, 2-sigma line 4.26, limit 5.43: the 4.4 is near the limit and the 6 beyond it.
    result = status([*STEADY, 4.4, 2, 6], improvement_direction="increase")
    assert _rules(result)[-3:] == [None, None, "outside_limits"]


def test_it_ranks_two_in_three_above_a_shift():
    # Baseline of 12 fixes mean 1.5, 2-sigma line 3.27, limit 4.16; the 4s are near the limit
    # and every point from the last 2 of the baseline on is above the mean.
    values = [1, 2] * 6 + [3, 4] * 4
    result = status(values, improvement_direction="increase", fix_after_n_points=12)
    assert _rules(result)[11:] == ["shift", *["shift", "two_in_three"] * 4]


# Icons and assurance ---------------------------------------------------------------------------


def test_it_takes_the_variation_icon_from_the_last_point_only():
    # The vignette's special cause is the fifth point; the last point is common cause.
    assert status(VIGNETTE, improvement_direction="increase").variation_icon == "common_cause"


def test_it_shows_common_cause_and_inconsistent_for_random_points():
    # R test: test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly" (s2).
    result = status(RNORM_123, improvement_direction="increase", target=0.5)
    assert (result.variation_icon, result.assurance_icon) == ("common_cause", "inconsistent")


def test_it_shows_improvement_high_and_pass_for_a_rise_when_increase_is_better():
    # R test: test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly" (s5).
    result = status(SHIFTED_UP, improvement_direction="increase", target=-3)
    assert (result.variation_icon, result.assurance_icon) == ("improvement_high", "pass")


def test_it_shows_concern_high_and_fail_for_a_rise_when_decrease_is_better():
    # R test: test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly" (s6).
    result = status(SHIFTED_UP, improvement_direction="decrease", target=-3)
    assert (result.variation_icon, result.assurance_icon) == ("concern_high", "fail")


def test_it_shows_concern_low_and_fail_for_a_fall_when_increase_is_better():
    # R test: test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly" (s7).
    result = status(SHIFTED_DOWN, improvement_direction="increase", target=3)
    assert (result.variation_icon, result.assurance_icon) == ("concern_low", "fail")


def test_it_shows_improvement_low_and_pass_for_a_fall_when_decrease_is_better():
    # R test: test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly" (s8).
    result = status(SHIFTED_DOWN, improvement_direction="decrease", target=3)
    assert (result.variation_icon, result.assurance_icon) == ("improvement_low", "pass")


def test_it_shows_neutral_low_and_no_assurance_for_a_fall_with_a_neutral_direction():
    # R test: test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly" (s9).
    result = status(SHIFTED_DOWN, improvement_direction="neutral", target=3)
    assert (result.variation_icon, result.assurance_icon) == ("neutral_low", None)


@pytest.mark.parametrize(
    ("direction", "target", "icon"),
    [
        ("increase", 5, "fail"),
        ("increase", -2, "pass"),
        ("increase", 3, "inconsistent"),
        ("decrease", 5, "pass"),
        ("decrease", -2, "fail"),
        ("decrease", 3, "inconsistent"),
    ],
)
def test_it_compares_the_target_with_the_limits(direction, target, icon):
    # R test: test-ptd_calculate_assurance_type.R, "it returns correct values for assurance when
    # improvement_direction is increase" / "... is decrease": target above the upper limit,
    # below the lower limit, and between them. Here the limits are -1.16 and 4.16.
    assert status(STEADY, improvement_direction=direction, target=target).assurance_icon == icon


def test_it_gives_no_assurance_with_a_neutral_direction():
    # R test: test-ptd_calculate_assurance_type.R, "... when improvement_direction is neutral".
    assert status(STEADY, improvement_direction="neutral", target=5).assurance_icon is None


def test_it_gives_no_assurance_without_a_target():
    # R test: test-ptd_calculate_assurance_type.R, "it returns a column of NA's if there is no target".
    assert status(STEADY, improvement_direction="increase").assurance_icon is None


def test_it_treats_a_nan_target_as_no_target():
    assert status(STEADY, improvement_direction="increase", target=NAN).assurance_icon is None


def test_it_calls_a_target_on_a_limit_inconsistent():
    # The package compares strictly: target > upl fails (for increase), target == upl does not.
    assert (
        status(STEADY, improvement_direction="increase", target=1.5 + 2.66).assurance_icon == "inconsistent"
    )


def test_it_calls_assurance_inconsistent_when_there_are_no_limits():
    # One point: R's limits are NaN, both comparisons are NA, and case_when falls through.
    assert status([5], improvement_direction="increase", target=4).assurance_icon == "inconsistent"


def test_it_compares_a_target_with_limits_on_the_mean():
    # Flat series without screening: limits 3 and 3, so a target of 4 is above the upper limit.
    result = status([3, 3, 3], improvement_direction="increase", target=4, screen_outliers=False)
    assert result.assurance_icon == "fail"


# Rebase ----------------------------------------------------------------------------------------


def test_it_gives_each_segment_its_own_mean_and_limits():
    # Mean 1.5 and mean moving range 1, then mean 11 and mean moving range 2.
    result = status([1, 2] * 6 + [10, 12] * 6, improvement_direction="increase", rebase=[12])
    assert [_limits(p) for p in result.points[:12]] == [pytest.approx((1.5, -1.16, 4.16))] * 12
    assert [_limits(p) for p in result.points[12:]] == [pytest.approx((11, 5.68, 16.32))] * 12
    assert [p.segment for p in result.points] == [0] * 12 + [1] * 12


def test_it_matches_the_package_limits_of_two_ten_point_groups():
    # R test: test-ptd_spc.R, "it outputs expected content" (summary s3: the same 20 points split
    # 10/10 into facets, computed group by group exactly as rebase groups are).
    result = status(RNORM_123[:20], improvement_direction="increase", rebase=[10])
    assert _limits(result.points[0]) == pytest.approx((0.0746, -2.60, 2.75), abs=0.005)
    assert _limits(result.points[10]) == pytest.approx((0.209, -3.28, 3.70), abs=0.005)


def test_it_ignores_a_rebase_at_the_start_or_beyond_the_end():
    # R test: test-ptd_spc.R, "it outputs expected content" (summary s2: a rebase date that is not
    # in the data leaves the limits as they were).
    plain = status(RNORM_123[:20], improvement_direction="increase")
    rebased = status(RNORM_123[:20], improvement_direction="increase", rebase=[0, 20, 99])
    assert rebased == plain


def test_it_starts_the_rules_afresh_in_each_segment():
    # Unsplit, the eight points 2, 1.5 x 7 are above the overall mean (1.15), a shift; split
    # after the twelfth point they are five above one mean and three above the other.
    first = [0, 2, 0, 2, 0, 2, 0, 2, 1.5, 1.5, 1.5, 1.5]
    second = [1.5, 1.5, 1.5, 0, 2, 0, 2, 0, 2, 0, 2]
    assert "shift" in _rules(status(first + second, improvement_direction="increase"))
    result = status(first + second, improvement_direction="increase", rebase=[12])
    assert _types(result) == ["common_cause"] * 23


def test_it_judges_assurance_against_the_last_segment():
    # R test: test-ptd_calculate_assurance_type.R, "it returns correct values for assurance when
    # rebase" (the last row's limits decide). The last segment's limits are 5.68 and 16.32.
    result = status([1, 2] * 6 + [10, 12] * 6, improvement_direction="increase", rebase=[12], target=5)
    assert result.assurance_icon == "pass"


def test_it_refuses_a_negative_rebase_index():
    with pytest.raises(ValueError, match="rebase"):
        status(STEADY, improvement_direction="increase", rebase=[-1])


# fix_after_n_points ----------------------------------------------------------------------------


def test_it_fixes_the_limits_on_the_first_points():
    # R test: test-ptd_spc_standard.R, "setting fix_after_n_points changes the calculations".
    # The first 12 points (mean 1.5, moving ranges 1) set the limits; later ones are judged on them.
    values = [1, 2] * 6 + [2.5, 3] * 4
    result = status(values, improvement_direction="increase", fix_after_n_points=12)
    assert [_limits(p) for p in result.points] == [pytest.approx((1.5, -1.16, 4.16))] * 20
    assert _limits(status(values, improvement_direction="increase").points[0]) != _limits(result.points[0])


def test_it_judges_the_points_after_the_baseline_against_it():
    values = [1, 2] * 6 + [2.5, 3] * 4
    result = status(values, improvement_direction="increase", fix_after_n_points=12)
    assert _rules(result) == [None] * 11 + ["shift"] * 9


def test_it_fixes_each_segment_on_its_own_first_points():
    values = [1, 2] * 6 + [2.5, 3] * 4 + [10, 12] * 6 + [30, 30]
    result = status(values, improvement_direction="increase", fix_after_n_points=12, rebase=[20])
    assert [_limits(p) for p in result.points[20:]] == [pytest.approx((11, 5.68, 16.32))] * 14
    assert _rules(result)[-2:] == ["outside_limits", "outside_limits"]


def test_it_uses_every_point_when_the_baseline_is_longer_than_the_series():
    values = RNORM_123[:20]
    fixed = status(values, improvement_direction="increase", fix_after_n_points=30)
    assert fixed == status(values, improvement_direction="increase")


def test_it_refuses_a_baseline_shorter_than_twelve_points():
    # The package's ptd_spc_options() asserts fix_after_n_points >= 12.
    with pytest.raises(ValueError, match="fix_after_n_points"):
        status(STEADY, improvement_direction="increase", fix_after_n_points=11)


# Missing months and short series ---------------------------------------------------------------


def test_it_computes_on_the_months_with_data_and_keeps_gaps_in_place():
    gappy = [None, *VIGNETTE[:3], None, *VIGNETTE[3:], NAN]
    result = status(gappy, improvement_direction="increase")
    complete = status(VIGNETTE, improvement_direction="increase")
    assert [p for p in result.points if p.value is not None] == complete.points
    assert len(result.points) == len(gappy)


def test_it_leaves_every_field_of_a_missing_month_empty_but_its_segment():
    result = status([1, None, 2, 1], improvement_direction="increase", rebase=[1])
    missing = result.points[1]
    assert (missing.value, missing.mean, missing.lpl, missing.upl, missing.point_type, missing.rule) == (
        None,
    ) * 6
    assert missing.segment == 1


def test_it_counts_a_shift_across_a_missing_month():
    # After NA removal the seven points above the mean are consecutive.
    values = [*SEVEN_ABOVE[:10], None, *SEVEN_ABOVE[10:]]
    result = status(values, improvement_direction="increase")
    assert _rules(result) == [None] * 7 + ["shift"] * 3 + [None] + ["shift"] * 4


def test_it_counts_the_baseline_in_months_with_data():
    values = [None] * 3 + [1, 2] * 6 + [2.5, 3] * 4
    result = status(values, improvement_direction="increase", fix_after_n_points=12)
    assert _limits(result.points[-1]) == pytest.approx((1.5, -1.16, 4.16))


def test_it_starts_a_segment_at_a_rebase_on_a_missing_month():
    values = [1, 2] * 6 + [None] + [10, 12] * 6
    result = status(values, improvement_direction="increase", rebase=[12])
    assert _limits(result.points[13]) == pytest.approx((11, 5.68, 16.32))
    assert [p.segment for p in result.points[12:]] == [1] * 13


def test_it_takes_the_icons_from_the_last_month_with_data():
    result = status([*LAST_HIGH, None, None], improvement_direction="increase", target=10)
    assert (result.variation_icon, result.assurance_icon) == ("improvement_high", "fail")


def test_it_has_no_icons_without_data():
    result = status([None, NAN], improvement_direction="increase", target=3)
    assert (result.variation_icon, result.assurance_icon, result.trial_limits) == (None, None, False)
    assert _types(result) == [None, None]


def test_it_accepts_an_empty_series():
    result = status([], improvement_direction="decrease", target=3)
    assert (result.points, result.variation_icon, result.assurance_icon) == ([], None, None)


def test_it_shows_common_cause_for_a_single_point():
    assert status([5], improvement_direction="increase").variation_icon == "common_cause"


def test_it_warns_of_trial_limits_below_thirteen_points():
    # The package warns for groups with n < 13 (getOption("ptd_spc.warning_threshold", 13)).
    assert status(RNORM_123[:12], improvement_direction="increase").trial_limits
    assert not status(RNORM_123[:13], improvement_direction="increase").trial_limits


def test_it_warns_of_trial_limits_in_any_segment():
    result = status(RNORM_123[:20], improvement_direction="increase", rebase=[14])
    assert result.trial_limits


# Arguments -------------------------------------------------------------------------------------


def test_it_refuses_an_unknown_improvement_direction():
    with pytest.raises(ValueError, match="improvement_direction"):
        status(STEADY, improvement_direction="up")
