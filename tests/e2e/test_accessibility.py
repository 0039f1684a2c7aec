"""The axe check itself: it must be able to fail, or its silence means nothing.

Every page the other browser tests visit is scanned (``PageWatcher`` fails a test that
leaves a page unscanned); this proves a real violation would be caught."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.support import assert_accessible, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_it_fails_a_page_with_an_image_without_alt_text(page: Page, server_url):
    visit(page, f"{server_url}/accounts/login/")
    page.evaluate("""() => {
        const image = document.createElement("img");
        image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
        document.querySelector("main").append(image);
    }""")

    with pytest.raises(AssertionError, match=r"\[critical\] image-alt"):
        assert_accessible(page)
