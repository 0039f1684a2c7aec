"""Page query counts stay flat as a collaborative grows (counts, not seconds)."""

import pytest

from reports.benchmarks import page_query_counts

pytestmark = pytest.mark.django_db


def test_it_runs_the_same_number_of_queries_for_more_teams_and_more_months():
    small = page_query_counts(teams=3, months=16)
    large = page_query_counts(teams=15, months=30)
    assert small == large


def test_it_keeps_every_page_within_its_query_budget():
    # Session, user, grants and the page's own reads, with the aggregate layer's figures
    # cached as a second visit finds them; a budget catches a new per-row query even on a
    # demo too small for it to grow. (A cold dashboard also reads each measure once.)
    counts = page_query_counts(teams=3)
    over = {page: warm for page, (_cold, warm) in counts.items()
            if warm > (30 if page.startswith("api") else 20)}
    assert over == {}
