"""Page query counts stay flat as a collaborative grows (counts, not seconds)."""

import pytest

from reports.benchmarks import page_query_counts

pytestmark = pytest.mark.django_db


def test_it_runs_the_same_number_of_queries_for_3_and_15_teams():
    small = page_query_counts(teams=3)
    large = page_query_counts(teams=15)
    assert small == large
    assert all(count <= 16 for count in small.values()), small
