"""Browser tests: real Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's ORM would refuse
to run there (SynchronousOnlyOperation) without DJANGO_ALLOW_ASYNC_UNSAFE.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.support import DESKTOP, NARROW, PHONE, PageWatcher, watch

CHROMIUM = "/usr/bin/chromium"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        # call.excinfo, not report.failed: an xfailed test's report is "skipped".
        item.e2e_call_failed = call.excinfo is not None  # type: ignore[attr-defined]
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-US"}


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    """The manifest storage needs collectstatic; the live server serves from the finders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def server_url(live_server) -> str:
    return live_server.url.rstrip("/")


def _watched(page: Page, server_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    watcher = watch(page, server_url)
    yield page
    watcher.assert_clean(test_finished=not getattr(request.node, "e2e_call_failed", False))


@pytest.fixture
def page(page: Page, server_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A desktop-width page whose CSP reports, foreign requests, JS errors and pages left
    unscanned by axe fail the test at teardown."""
    yield from _watched(page, server_url, request)


@pytest.fixture
def phone_page(browser: Browser, server_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The same, on a 390x844 touch phone."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-US")
    try:
        yield from _watched(context.new_page(), server_url, request)
    finally:
        context.close()


@pytest.fixture
def narrow_page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A 360 px touch phone (the narrowest common Android width), watched like the others."""
    context = browser.new_context(viewport=NARROW, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    watcher = watch(page, server_url)
    try:
        yield page
        watcher.assert_clean()
    finally:
        context.close()


@pytest.fixture
def watcher(page: Page) -> PageWatcher:
    return page._e2e_watcher  # type: ignore[attr-defined]
