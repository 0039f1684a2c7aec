"""Learning sessions, attendance, affinity groups, dosage and evaluations in the browser: the
advisor's pages at desktop width, a family member's (the session, their affinity group, an
evaluation to answer) on a phone. axe runs on every page; the watcher fails on CSP reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from collaboratives.models import Period
from teams.evaluations import QuestionInput, evaluation_create, evaluation_set_open
from teams.models import AffinityGroup, AffinityMeeting, MemberRole
from tests.e2e.support import assert_accessible, log_in, visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def session(world) -> Period:
    return Period.objects.create(collaborative=world.collaborative, kind=Period.Kind.LEARNING_SESSION,
                                 number=1, start_date=datetime.date(2026, 3, 5),
                                 end_date=datetime.date(2026, 3, 5), hours=Decimal(6),
                                 agenda="9:00 Welcome\n10:00 Testing changes with PDSA")


@pytest.fixture
def group(world) -> AffinityGroup:
    group = AffinityGroup.objects.create(collaborative=world.collaborative, name="Family voices",
                                         role=MemberRole.FAMILY, coach=world.coach)
    AffinityMeeting.objects.create(group=group, date=datetime.date(2026, 4, 2), hours=Decimal("1.5"),
                                   topic="Welcoming families at drop-off")
    return group


@pytest.fixture
def evaluation(world, session):
    evaluation = evaluation_create(
        collaborative=world.collaborative, created_by=world.advisor, period=session,
        title="Learning Session 1 evaluation",
        questions=[QuestionInput(kind="rating", text="The session was useful.", required=True),
                   QuestionInput(kind="text", text="What will you try first?")])
    evaluation_set_open(evaluation=evaluation, is_open=True)
    return evaluation


def test_the_advisors_participation_pages_are_accessible(page: Page, server_url, world, session, group,
                                                          evaluation):
    log_in(page, server_url, world.advisor.username)
    collaborative = world.collaborative.pk
    for path, heading in (
        (f"/collaboratives/{collaborative}/sessions/", "Learning sessions"),
        (f"/collaboratives/{collaborative}/sessions/{session.pk}/", "Learning session 1"),
        (f"/collaboratives/{collaborative}/sessions/{session.pk}/attendance/", None),
        (f"/collaboratives/{collaborative}/sessions/{session.pk}/attendance/import/", None),
        (f"/collaboratives/{collaborative}/dosage/", "Dosage"),
        (f"/collaboratives/{collaborative}/affinity-groups/", "Affinity groups"),
        (f"/affinity-groups/{group.pk}/", "Family voices"),
        (f"/affinity-groups/{group.pk}/meetings/new/", None),
        (f"/collaboratives/{collaborative}/evaluations/", None),
        (f"/evaluations/{evaluation.pk}/edit/", None),
        (f"/evaluations/{evaluation.pk}/results/", None),
    ):
        visit(page, f"{server_url}{path}")
        heading_locator = page.get_by_role("heading", level=1)
        expect(heading_locator).to_be_visible()
        if heading:
            expect(heading_locator).to_contain_text(heading)
        assert_accessible(page)


def test_a_family_member_answers_an_evaluation_on_a_phone(phone_page: Page, server_url, world, session,
                                                          group, evaluation):
    phone = phone_page
    log_in(phone, server_url, world.member_b.username)  # a family member on team B
    for path in (f"/collaboratives/{world.collaborative.pk}/sessions/{session.pk}/",
                 f"/affinity-groups/{group.pk}/"):
        visit(phone, f"{server_url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
        assert_accessible(phone)
    visit(phone, f"{server_url}/evaluations/{evaluation.pk}/answer/")
    expect(phone.get_by_text("Your answers are anonymous")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_text("4", exact=True).first.click()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("main")).to_contain_text("Thank")
    assert_accessible(phone)
    assert evaluation.responses.count() == 1
