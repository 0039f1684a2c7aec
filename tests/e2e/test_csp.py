"""The Content Security Policy holds: nothing refused, nothing fetched from elsewhere.

Every browser test fails at teardown on a CSP report, a JavaScript error, a request to
another origin or a broken static file (see ``PageWatcher``); this walk makes the check
explicit over the portal's main pages, and the last test proves the watcher can see."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import PageWatcher, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_it_loads_the_main_pages_without_csp_violations_or_requests_elsewhere(
    page: Page, watcher: PageWatcher, server_url, world
):
    log_in(page, server_url, world.advisor.username)
    collaborative = world.collaborative.pk
    for path in (
        "/",  # one collaborative: redirected to its dashboard
        "/collaboratives/",
        f"/collaboratives/{collaborative}/edit/",
        f"/collaboratives/{collaborative}/timeline/new/",
        f"/collaboratives/{collaborative}/leaders/add/",
        f"/collaboratives/{collaborative}/teams/new/",
        "/teams/",
        world.team_a.get_absolute_url(),
        f"/teams/{world.team_a.pk}/edit/",
        f"/teams/{world.team_a.pk}/members/add/",
        "/accounts/password_change/",
        f"/collaboratives/{collaborative}/cycles/",
        f"/collaboratives/{collaborative}/leadership/",
        f"/collaboratives/{collaborative}/sessions/",
        f"/collaboratives/{collaborative}/dosage/",
        f"/collaboratives/{collaborative}/affinity-groups/",
        f"/collaboratives/{collaborative}/evaluations/",
    ):
        visit(page, f"{server_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert len(watcher.visited) >= 12
    assert watcher.csp_messages == []
    assert watcher.foreign_requests == []
    assert watcher.page_errors == []
    assert watcher.broken_resources == []


def test_it_notices_a_script_the_csp_refuses(page: Page, watcher: PageWatcher, server_url):
    visit(page, f"{server_url}/accounts/login/")

    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")

    for _ in range(20):  # console messages arrive asynchronously
        if watcher.csp_messages:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.injected === undefined")
    assert any("script-src" in message for message in watcher.csp_messages)
    watcher.csp_messages.clear()
