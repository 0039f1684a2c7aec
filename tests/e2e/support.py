"""Helpers for the browser tests: signing in, the page watcher and the axe check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Request,
    Response,
    expect,
)

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 780}  # the narrowest common Android width
DESKTOP = {"width": 1280, "height": 800}

# Impacts that fail the build; "moderate" and "minor" are reported by hand.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_axe = Axe()

# Schemes that never leave the page: Bootstrap's icons are inline data: SVGs.
_LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-error"})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class PageWatcher:
    """Everything a page did that the tests forbid, plus whether each page was scanned.

    - console messages about the Content Security Policy (a refused script, style or image);
    - uncaught JavaScript errors;
    - requests to any origin other than the live server's;
    - same-origin sub-resources (CSS, JS, images) that failed or answered 4xx/5xx;
    - pages the browser landed on that no ``assert_accessible`` call looked at.
    """

    page: Page
    origin: str
    csp_messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    broken_resources: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    unscanned: list[str] = field(default_factory=list)
    _pending: str | None = None

    def attach(self) -> PageWatcher:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("request", self._on_request)
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.on("framenavigated", self._on_navigated)
        return self

    # --- listeners ---------------------------------------------------------------------
    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_messages.append(f"{self.page.url}: {message.text}")

    def _on_request(self, request: Request) -> None:
        if urlsplit(request.url).scheme in _LOCAL_SCHEMES:
            return
        if origin_of(request.url) != self.origin:
            self.foreign_requests.append(f"{request.method} {request.url}")

    def _on_request_failed(self, request: Request) -> None:
        if origin_of(request.url) == self.origin and request.resource_type != "document":
            self.broken_resources.append(f"{request.url}: {request.failure}")

    def _on_response(self, response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.broken_resources.append(f"{response.url}: HTTP {response.status}")

    def _on_navigated(self, frame: Frame) -> None:
        if frame != self.page.main_frame:
            return
        if self._pending is not None:
            self.unscanned.append(self._pending)
        self._pending = frame.url
        self.visited.append(frame.url)

    def scanned(self) -> None:
        self._pending = None

    # --- assertions --------------------------------------------------------------------
    def problems(self, *, test_finished: bool = True) -> list[str]:
        # A test that failed half-way leaves the page it failed on unscanned: not news.
        pending = [self._pending] if self._pending and test_finished else []
        unscanned = [*self.unscanned, *pending]
        return [
            *(f"CSP: {text}" for text in self.csp_messages),
            *(f"JavaScript error: {text}" for text in self.page_errors),
            *(f"request to another origin: {text}" for text in self.foreign_requests),
            *(f"broken resource: {text}" for text in self.broken_resources),
            *(f"page not scanned by axe: {url}" for url in unscanned),
        ]

    def assert_clean(self, *, test_finished: bool = True) -> None:
        problems = self.problems(test_finished=test_finished)
        assert not problems, "The browser saw:\n  " + "\n  ".join(problems)


def _watcher_of(page: Page) -> PageWatcher | None:
    return getattr(page, "_e2e_watcher", None)


def watch(page: Page, origin: str) -> PageWatcher:
    watcher = PageWatcher(page=page, origin=origin).attach()
    page._e2e_watcher = watcher  # type: ignore[attr-defined]
    return watcher


def axe_violations(page: Page) -> list[dict]:
    page.wait_for_load_state("load")
    violations = _axe.run(page).response["violations"]
    watcher = _watcher_of(page)
    if watcher is not None:
        watcher.scanned()
    return violations


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}"
                     f" ({violation.get('helpUrl', '')})")
        for node in violation["nodes"]:
            lines.append(f"    target: {node['target']}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> list[dict]:
    """Run axe on the page as it is now; fail on any serious or critical violation.

    Returns the remaining (moderate/minor) violations so a test may look at them."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        report = format_violations(blocking)
        print(f"axe violations on {page.url}:\n{report}")
        raise AssertionError(f"axe found serious/critical violations on {page.url}:\n{report}")
    return violations


def visit(page: Page, url: str) -> None:
    """Open a page and check it with axe."""
    page.goto(url)
    assert_accessible(page)


def field(page: Page | Locator, label: str) -> Locator:
    """The form control labelled exactly ``label`` (crispy adds a "*" to required ones)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def log_in(page: Page, live_server_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form; the login page is checked with axe on the way."""
    visit(page, f"{live_server_url}/accounts/login/")
    field(page, "Email or username").fill(username)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(f"{live_server_url}/accounts/login/")
    assert_accessible(page)
