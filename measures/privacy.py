"""The small-cell rules for figures about more than one team, as pure functions.

Only the aggregate layer (``measures.aggregates``) calls these, and only for people who do
not lead the collaborative; ``tests/test_layers.py`` keeps it that way, so the rules are
decided in one place. They are the usual rules of public-health statistics offices:

- a figure is shown only when at least ``min_teams`` teams contributed to it, so a
  "collaborative" figure is never one or two teams' own numbers;
- a count from 1 to ``SMALL_CELL - 1`` (a numerator, a denominator, a pooled sum or a count
  measure's total) is hidden; 0 is shown, because "none" identifies nobody;
- within a group of cells that add up to a shown total (the strata of one month), a single
  hidden cell takes the next smallest with it, so subtraction cannot reveal it.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL_CELL = 10

FEW_TEAMS = "few_teams"
SMALL_COUNT = "small_count"
COMPLEMENT = "complement"


@dataclass(frozen=True)
class Cell:
    """One figure before the rules: its counts and how many teams contributed."""

    numerator: float | None
    denominator: float | None
    teams: int


def is_small(count: float | None) -> bool:
    return count is not None and 0 < count < SMALL_CELL


def cell_reason(cell: Cell, *, min_teams: int) -> str | None:
    """Why one figure may not be shown on its own, or ``None`` when it may."""
    if cell.numerator is None:
        return None  # nothing reported: a gap already
    if cell.teams < min_teams:
        return FEW_TEAMS
    if is_small(cell.numerator) or is_small(cell.denominator):
        return SMALL_COUNT
    return None


def group_reasons(cells: dict[str, Cell], *, min_teams: int) -> dict[str, str | None]:
    """The reason each cell of a group (one month's strata) is hidden, or ``None``.

    When exactly one cell is hidden and the others would add up with it to a total that is
    shown, the smallest non-zero one of the others (by numerator) is hidden as its
    complement. Not a zero: the two hidden cells would then add up to the small count. (When
    every other cell is zero, the total is the small count itself, and hidden by its own rule.)
    """
    reasons = {label: cell_reason(cell, min_teams=min_teams) for label, cell in cells.items()}
    hidden = [label for label, reason in reasons.items() if reason]
    if len(hidden) == 1:
        others = sorted((cell.numerator, label) for label, cell in cells.items()
                        if reasons[label] is None and cell.numerator)
        if others:
            reasons[others[0][1]] = COMPLEMENT
    return reasons
