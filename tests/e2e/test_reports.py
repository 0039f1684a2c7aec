"""Monthly reports in the browser: a family member completes and submits the team's report
on a phone, the advisor reviews it, and a month's rebuild fills its progress bar. axe runs
on every page; the watcher fails on CSP reports."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from collaboratives.models import NotificationPreferences
from measures.months import add_months, month_start
from reports import services
from reports.models import MonthlyReport
from tests.e2e.support import PageWatcher, assert_accessible, field, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
LAST_MONTH = add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def report(world) -> MonthlyReport:
    return services.monthly_report_build(team=world.team_b, month=LAST_MONTH)


def test_it_takes_a_report_from_a_phone_to_the_advisors_review(phone_page: Page, page: Page,
                                                               server_url, world, report):
    phone = phone_page
    log_in(phone, server_url, "member-b")  # a family member on team B
    visit(phone, f"{server_url}{world.team_b.get_absolute_url()}")
    phone.get_by_role("link", name="Monthly reports").click()
    assert_accessible(phone)
    phone.get_by_role("link", name=LAST_MONTH.strftime("%B %Y")).click()
    assert_accessible(phone)
    field(phone, "Successes").fill("Parents joined the feelings check-in at pick-up.")
    field(phone, "Supports needed").fill("Spanish handouts for families.")
    phone.get_by_label("2.5 Changes tested, but no improvement").check()
    phone.get_by_role("button", name="Save and submit to the advisor").click()
    expect(phone.get_by_text("Report submitted to your advisor.")).to_be_visible()
    assert_accessible(phone)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED

    log_in(page, server_url, "advisor")
    visit(page, f"{server_url}{report.get_absolute_url()}")
    expect(page.get_by_text("Parents joined the feelings check-in at pick-up.")).to_be_visible()
    page.get_by_label("3.0 Modest improvement").check()
    field(page, "Feedback to the team").fill("Great to see families leading this.")
    page.get_by_role("button", name="Finish the review").click()
    expect(page.get_by_text("Review saved; the team has been told.")).to_be_visible()
    assert_accessible(page)
    report.refresh_from_db()
    assert (report.status, str(report.advisor_score)) == (MonthlyReport.Status.REVIEWED, "3.0")


def test_it_fills_the_progress_bar_as_a_month_is_built(page: Page, watcher: PageWatcher,
                                                        server_url, world):
    log_in(page, server_url, "advisor")
    visit(page, f"{server_url}/collaboratives/{world.collaborative.pk}/reports/"
                f"?month={LAST_MONTH:%Y-%m}")
    page.get_by_role("button", name=f"Build or refresh the {LAST_MONTH:%B %Y} reports").click()
    bar = page.locator("progress")
    # Celery runs eagerly in the browser tests: the reports exist when the page comes back,
    # and the bar's first poll fills it.
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#build-text")).to_have_text("2 of 2 reports built")
    expect(page.get_by_role("link", name="All built: show the updated list")).to_be_visible()
    assert_accessible(page)
    assert watcher.csp_messages == []
    built = MonthlyReport.objects.filter(month=LAST_MONTH, team__collaborative=world.collaborative)
    assert built.count() == 2


def test_it_shows_a_state_viewer_the_monthly_summary_on_a_phone(phone_page: Page, server_url, world):
    phone = phone_page
    log_in(phone, server_url, world.state_viewer.username)
    visit(phone, f"{server_url}{world.collaborative.get_absolute_url()}")
    phone.get_by_role("link", name="Monthly summary").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Monthly summary")
    expect(phone.get_by_role("link", name="Download as PDF")).to_be_visible()
    assert_accessible(phone)


def test_it_lets_a_family_member_turn_the_reminders_off(phone_page: Page, server_url, world):
    phone = phone_page
    log_in(phone, server_url, world.member_b.username)
    visit(phone, f"{server_url}/accounts/profile/")
    assert_accessible(phone)
    reminders = phone.get_by_role("checkbox").first
    reminders.uncheck()
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("status").or_(phone.get_by_role("alert")).first).to_be_visible()
    assert_accessible(phone)
    assert NotificationPreferences.objects.get(user=world.member_b).due_reminders is False
