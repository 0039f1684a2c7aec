"""Page query counts stay flat as a collaborative grows (counts, not seconds)."""

import pytest

from reports.benchmarks import page_query_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    # A cache of this process alone: under pytest -n, another worker's tests clear the
    # shared Redis database between a page's two visits, and a warm visit would count cold.
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "query-counts"}}


def test_every_page_runs_the_same_queries_for_more_teams_and_months_within_its_budget():
    # One test, because seeding and walking every page is most of its cost.
    small = page_query_counts(teams=3, months=16)
    large = page_query_counts(teams=15, months=30)
    # The activity pages read names once per kind of object on the page (memberships,
    # cycles, values…): which kinds the newest 50 changes hold differs between two demos,
    # never the bound (one query per kind); the budget below still holds them.
    by_kind = {"activity (team)", "activity (collaborative)"}
    assert {page: n for page, n in small.items() if page not in by_kind} == {
        page: n for page, n in large.items() if page not in by_kind}
    assert set(small) == set(large)
    # Session, user, grants and the page's own reads, with the aggregate layer's figures
    # cached as a second visit finds them; a budget catches a new per-row query even on a
    # demo too small for it to grow. (A cold dashboard also reads each measure once.)
    over = {page: warm for counts in (small, large) for page, (_cold, warm) in counts.items()
            if warm > (30 if page.startswith("api") else 20)}
    assert over == {}
