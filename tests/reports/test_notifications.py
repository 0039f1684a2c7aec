"""Scheduled emails: the reminder three days before a month is due (who gets it, for what),
the weekly digest for advisors and coaches (each section, and nothing in a quiet week), the
Celery jobs that fan them out, at most one email per occasion and person, and the beat
schedule."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bsc_portal.celery import app
from collaboratives.models import ChangeIdea, EmailClaim, NotificationPreferences
from pdsa import services as pdsa_services
from pdsa.models import Cycle, CycleComment
from reports import notifications, tasks
from reports.models import MonthlyReport
from tests import factories

pytestmark = pytest.mark.django_db

# Data and reports are due on the 10th (the collaborative's default): March's on April 10.
FEBRUARY, MARCH = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
REMINDER_DAY = datetime.date(2026, 4, 7)
MONDAY = datetime.date(2026, 4, 13)  # a Monday after March's due day


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def measure(world):
    return factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity")


def data_in(team, measure, month=MARCH):
    factories.MeasureValueFactory(team=team, measure=measure, month=month)


def report(team, month=MARCH, status=MonthlyReport.Status.SUBMITTED, **fields):
    return MonthlyReport.objects.create(team=team, month=month, status=status, **fields)


@pytest.fixture
def team_b_done(world, measure):
    data_in(world.team_b, measure)
    report(world.team_b)


def reminded(today=REMINDER_DAY):
    """Who in the NC collaborative is reminded of what: {username: kinds}."""
    return {r.person.get_username(): r.kinds for r in notifications.due_reminders(today)
            if r.collaborative.name == "Growing Together"}


def prefer(user, **flags):
    NotificationPreferences.objects.update_or_create(user=user, defaults=flags)


# --- Who is reminded ----------------------------------------------------------------------------

def test_it_reminds_the_members_of_a_team_whose_month_is_incomplete(world, measure, team_b_done):
    assert reminded() == {"member-a": ("data", "report"), "lead-a": ("data", "report")}


def test_it_names_the_month_the_due_date_and_what_is_missing(world, measure, team_b_done):
    reminder = next(r for r in notifications.due_reminders(REMINDER_DAY) if r.person == world.member_a)
    assert (reminder.month, reminder.due) == (MARCH, datetime.date(2026, 4, 10))
    assert [(item.team, item.kind, item.measures_missing) for item in reminder.missing] == [
        (world.team_a, "data", 1), (world.team_a, "report", 0)]


def test_it_reminds_only_of_the_report_once_the_data_is_in(world, measure, team_b_done):
    data_in(world.team_a, measure)
    assert reminded() == {"member-a": ("report",), "lead-a": ("report",)}


def test_it_counts_a_report_sent_back_for_changes_as_not_submitted(world, measure, team_b_done):
    data_in(world.team_a, measure)
    report(world.team_a, status=MonthlyReport.Status.CHANGES_REQUESTED)
    assert reminded() == {"member-a": ("report",), "lead-a": ("report",)}


def test_it_does_not_remind_a_team_whose_month_is_complete(world, measure, team_b_done):
    data_in(world.team_a, measure)
    report(world.team_a, status=MonthlyReport.Status.REVIEWED)
    assert reminded() == {}


def test_it_does_not_remind_someone_who_turned_reminders_off(world, measure, team_b_done):
    prefer(world.lead_a, due_reminders=False)
    assert reminded() == {"member-a": ("data", "report")}


def test_it_still_reminds_someone_who_only_turned_the_digest_off(world, measure, team_b_done):
    prefer(world.lead_a, weekly_digest=False)
    assert set(reminded()) == {"member-a", "lead-a"}


def test_it_does_not_remind_an_inactive_person_or_one_without_an_email(world, measure, team_b_done):
    world.member_a.is_active = False
    world.member_a.save()
    world.lead_a.email = ""
    world.lead_a.save()
    assert reminded() == {}


@pytest.mark.parametrize("today", [REMINDER_DAY - datetime.timedelta(days=1),
                                   REMINDER_DAY + datetime.timedelta(days=1), datetime.date(2026, 4, 10)])
def test_it_reminds_only_three_days_before_the_due_date(world, measure, today):
    assert reminded(today) == {}


def test_it_follows_each_kinds_own_due_day(world, measure, team_b_done):
    world.collaborative.report_due_day = 20
    world.collaborative.save()
    assert reminded(datetime.date(2026, 4, 7)) == {"member-a": ("data",), "lead-a": ("data",)}
    assert reminded(datetime.date(2026, 4, 17)) == {"member-a": ("report",), "lead-a": ("report",)}


def test_it_reminds_nobody_in_a_collaborative_that_is_not_active(world, measure):
    world.collaborative.status = "closed"
    world.collaborative.save()
    assert reminded() == {}


def test_it_reminds_nobody_of_a_month_before_the_collaborative_began(world, measure):
    world.collaborative.start_date = datetime.date(2026, 4, 1)
    world.collaborative.save()
    assert reminded() == {}


def test_it_reads_the_same_number_of_rows_however_many_teams_and_people(world, measure):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            notifications.due_reminders(REMINDER_DAY)
        return len(captured)

    few = queries()
    for _n in range(4):
        factories.MembershipFactory(team=factories.TeamFactory(collaborative=world.collaborative))
    assert queries() == few


# --- The weekly digest ------------------------------------------------------------------------------

@pytest.fixture
def idea(world):
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


def make_cycle(world, idea, title="Picture schedule", team=None):
    return pdsa_services.cycle_create(team=team or world.team_a, created_by=world.member_a,
                                      change_idea=idea, title=title)


def last_changed(cycle, day):
    Cycle.objects.filter(pk=cycle.pk).update(updated_at=at(day))


def comment(cycle, author, day):
    made = CycleComment.objects.create(cycle=cycle, author=author, body="How did it go?")
    CycleComment.objects.filter(pk=made.pk).update(created_at=at(day))
    return made


@pytest.fixture
def quiet(world):
    """Every team of both collaboratives has submitted March's report (there are no measures,
    so no data is owed): nothing is late."""
    for team in (world.team_a, world.team_b, world.other_team):
        report(team)


def sections(person, today=MONDAY, name="Growing Together"):
    digest = notifications.weekly_digest(person, today)
    if digest is None:
        return {}
    return next((part.sections for part in digest.collaboratives if part.collaborative.name == name), {})


def test_it_sends_no_digest_in_a_quiet_week(world, quiet):
    assert notifications.weekly_digest(world.advisor, MONDAY) is None


def test_it_lists_teams_late_with_last_months_data_and_report(world, measure):
    data_in(world.team_b, measure)
    report(world.team_b)
    found = sections(world.advisor)
    assert [(row.team, row.month, row.measures_missing) for row in found["late_data"]] == [
        (world.team_a, MARCH, 1)]
    assert [(row.team, row.month) for row in found["late_reports"]] == [(world.team_a, MARCH)]


def test_it_looks_at_the_month_before_until_last_months_due_day(world, measure):
    for team in (world.team_a, world.team_b):
        data_in(team, measure, MARCH)
        report(team, MARCH)
    data_in(world.team_b, measure, FEBRUARY)
    found = sections(world.advisor, datetime.date(2026, 4, 6))
    assert [(row.team, row.month) for row in found["late_data"]] == [(world.team_a, FEBRUARY)]
    assert sections(world.advisor, MONDAY).keys() == set()


def test_it_lists_cycles_not_complete_and_unchanged_for_four_weeks(world, quiet, idea):
    stalled = make_cycle(world, idea, "Stalled")
    last_changed(stalled, MONDAY - datetime.timedelta(days=28))
    last_changed(make_cycle(world, idea, "Recent"), MONDAY - datetime.timedelta(days=27))
    assert sections(world.advisor) == {"stalled_cycles": [stalled]}


def test_it_leaves_complete_cycles_out_of_the_stalled_ones(world, quiet, idea):
    from tests.pdsa.conftest import complete

    done = complete(make_cycle(world, idea))
    last_changed(done, MONDAY - datetime.timedelta(days=60))
    assert notifications.weekly_digest(world.advisor, MONDAY) is None


def test_it_counts_other_peoples_comments_of_the_last_seven_days(world, quiet, idea):
    cycle = make_cycle(world, idea)
    comment(cycle, world.member_a, MONDAY - datetime.timedelta(days=1))
    comment(cycle, world.lead_a, MONDAY - datetime.timedelta(days=7))
    comment(cycle, world.member_a, MONDAY - datetime.timedelta(days=8))
    comment(cycle, world.advisor, MONDAY - datetime.timedelta(days=2))
    [entry] = sections(world.advisor)["new_comments"]
    assert (entry.cycle, entry.comments) == (cycle, 2)
    assert entry.authors == (world.lead_a.get_full_name(), world.member_a.get_full_name())


def test_it_flags_a_team_whose_latest_reviewed_scores_are_a_point_apart(world):
    gap = report(world.team_a, status=MonthlyReport.Status.REVIEWED, self_score=Decimal("3.0"),
                 advisor_score=Decimal("2.0"))
    report(world.team_b, status=MonthlyReport.Status.REVIEWED, self_score=Decimal("3.0"),
           advisor_score=Decimal("2.5"))
    found = sections(world.advisor)["score_gaps"]
    assert [(item.report, item.gap) for item in found] == [(gap, Decimal("1.0"))]


def test_it_looks_only_at_the_latest_reviewed_report(world):
    report(world.team_a, month=FEBRUARY, status=MonthlyReport.Status.REVIEWED,
           self_score=Decimal("4.0"), advisor_score=Decimal("2.0"))
    report(world.team_a, status=MonthlyReport.Status.REVIEWED, self_score=Decimal("2.5"),
           advisor_score=Decimal("2.0"))
    report(world.team_a, month=datetime.date(2026, 4, 1), self_score=Decimal("5.0"))
    assert "score_gaps" not in sections(world.advisor)


def test_it_gives_the_coach_the_same_digest(world, quiet, idea):
    last_changed(make_cycle(world, idea), MONDAY - datetime.timedelta(days=30))
    assert sections(world.coach).keys() == {"stalled_cycles"}


def test_it_shows_a_leader_of_another_collaborative_nothing_of_this_one(world, quiet, idea):
    last_changed(make_cycle(world, idea), MONDAY - datetime.timedelta(days=30))
    comment(make_cycle(world, idea, "Other"), world.member_a, MONDAY - datetime.timedelta(days=1))
    assert notifications.weekly_digest(world.other_advisor, MONDAY) is None


@pytest.mark.parametrize("persona", ["member_a", "state_viewer", "stranger"])
def test_it_gives_no_digest_to_anyone_who_does_not_lead(world, idea, persona):
    last_changed(make_cycle(world, idea), MONDAY - datetime.timedelta(days=30))
    assert notifications.weekly_digest(getattr(world, persona), MONDAY) is None


def test_it_gives_faculty_no_digest(world, idea):
    faculty = factories.CollaborativeRoleFactory(collaborative=world.collaborative, role="faculty").user
    last_changed(make_cycle(world, idea), MONDAY - datetime.timedelta(days=30))
    assert notifications.weekly_digest(faculty, MONDAY) is None
    assert faculty not in notifications.digest_recipients()


# --- The jobs ----------------------------------------------------------------------------------------

def test_it_fans_out_one_reminder_task_per_person(world, measure, team_b_done):
    with mock.patch.object(tasks.send_reminder_email, "delay") as delay:
        queued = tasks.send_due_reminders(day=REMINDER_DAY.isoformat())
    calls = [call.kwargs for call in delay.call_args_list]
    nc = [kwargs for kwargs in calls if kwargs["collaborative_id"] == world.collaborative.pk]
    assert queued == len(calls)
    assert sorted(kwargs["user_id"] for kwargs in nc) == sorted([world.member_a.pk, world.lead_a.pk])
    assert {(kwargs["month"], tuple(kwargs["kinds"])) for kwargs in nc} == {
        ("2026-03-01", ("data", "report"))}


def test_it_fans_out_one_digest_task_per_advisor_and_coach_who_wants_it(world):
    prefer(world.other_advisor, weekly_digest=False)
    with mock.patch.object(tasks.send_digest_email, "delay") as delay:
        assert tasks.send_weekly_digests(week=MONDAY.isoformat()) == 2
    assert sorted(call.kwargs["user_id"] for call in delay.call_args_list) == sorted(
        [world.advisor.pk, world.coach.pk])
    assert {call.kwargs["week"] for call in delay.call_args_list} == {MONDAY.isoformat()}


def send_reminder(world, user, kinds=("data", "report")):
    return tasks.send_reminder_email(user_id=user.pk, collaborative_id=world.collaborative.pk,
                                     month=MARCH.isoformat(), kinds=list(kinds))


def test_it_sends_a_reminder_once_however_often_the_task_runs(world, measure, mailoutbox):
    assert send_reminder(world, world.member_a) == 1
    assert send_reminder(world, world.member_a) == 0
    assert len(mailoutbox) == 1
    assert EmailClaim.objects.filter(recipient=world.member_a).count() == 2  # data and report


def test_it_sends_each_kind_only_once_even_in_a_later_combined_reminder(world, measure, mailoutbox):
    send_reminder(world, world.member_a, kinds=["data"])
    assert send_reminder(world, world.member_a) == 1
    assert "report is not submitted" in mailoutbox[-1].body
    assert "no value for" not in mailoutbox[-1].body


def test_it_writes_a_reminder_with_a_one_line_subject_and_full_links(world, measure, mailoutbox):
    world.collaborative.name = "Growing\nTogether"
    world.collaborative.save()
    send_reminder(world, world.member_a)
    [mail] = mailoutbox
    assert mail.to == [world.member_a.email]
    assert mail.subject == "Due April 10: your team's March 2026 data and report (Growing Together)"
    assert "Team A: 1 measure has no value for March 2026 yet." in mail.body
    assert settings.SITE_URL + reverse("measures:team-data-month", args=[world.team_a.pk, MARCH]) in mail.body
    assert settings.SITE_URL + reverse("reports:team-reports", args=[world.team_a.pk]) in mail.body
    assert settings.SITE_URL + reverse("profile") in mail.body


def test_it_sends_no_reminder_to_a_team_that_finished_after_the_fan_out(world, measure, mailoutbox):
    data_in(world.team_a, measure)
    report(world.team_a)
    assert send_reminder(world, world.member_a) == 0
    assert mailoutbox == []
    assert not EmailClaim.objects.exists()


def test_it_sends_no_reminder_to_someone_who_turned_them_off_after_the_fan_out(world, measure, mailoutbox):
    prefer(world.member_a, due_reminders=False)
    assert send_reminder(world, world.member_a) == 0


def test_it_gives_a_reminders_claims_back_when_the_mail_server_fails(world, measure):
    with mock.patch("collaboratives.emails.send_mail", side_effect=OSError("mail server down")), \
            pytest.raises(OSError, match="mail server down"):
        tasks.send_reminder_email.run(user_id=world.member_a.pk, collaborative_id=world.collaborative.pk,
                                      month=MARCH.isoformat(), kinds=["data", "report"])
    assert not EmailClaim.objects.exists()


@pytest.fixture
def stalled(world, quiet, idea):
    cycle = make_cycle(world, idea, "Stalled")
    last_changed(cycle, MONDAY - datetime.timedelta(days=30))
    return cycle


def test_it_sends_a_digest_once_however_often_the_task_runs(world, stalled, mailoutbox):
    assert tasks.send_digest_email(user_id=world.advisor.pk, week=MONDAY.isoformat()) == 1
    assert tasks.send_digest_email(user_id=world.advisor.pk, week=MONDAY.isoformat()) == 0
    [mail] = mailoutbox
    assert mail.to == [world.advisor.email]
    assert mail.subject == "Your BSC Portal digest for the week of April 13"
    assert "Team A: “Stalled”, in Plan, last changed March 14" in mail.body
    assert settings.SITE_URL + stalled.get_absolute_url() in mail.body
    assert settings.SITE_URL + reverse("profile") in mail.body


def test_it_sends_every_wanted_digest_from_the_monday_job(world, stalled, mailoutbox):
    tasks.send_weekly_digests(week=MONDAY.isoformat())
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([world.advisor.email, world.coach.email])


def test_it_sends_no_digest_email_in_a_quiet_week(world, quiet, mailoutbox):
    assert tasks.send_digest_email(user_id=world.advisor.pk, week=MONDAY.isoformat()) == 0
    assert mailoutbox == []
    assert not EmailClaim.objects.exists()


def test_it_sends_no_digest_to_someone_who_turned_it_off(world, stalled, mailoutbox):
    prefer(world.advisor, weekly_digest=False)
    assert tasks.send_digest_email(user_id=world.advisor.pk, week=MONDAY.isoformat()) == 0


def test_it_gives_a_digests_claim_back_when_the_mail_server_fails(world, stalled):
    with mock.patch("collaboratives.emails.send_mail", side_effect=OSError("mail server down")), \
            pytest.raises(OSError, match="mail server down"):
        tasks.send_digest_email.run(user_id=world.advisor.pk, week=MONDAY.isoformat())
    assert not EmailClaim.objects.exists()


def test_it_retries_the_emails_on_mail_server_errors_with_a_back_off():
    for task in (tasks.send_reminder_email, tasks.send_digest_email):
        assert task.autoretry_for == (OSError,)
        assert task.retry_backoff is True


def test_it_sends_nothing_for_a_person_or_collaborative_that_is_gone(world):
    assert tasks.send_reminder_email(user_id=999_999, collaborative_id=world.collaborative.pk,
                                     month=MARCH.isoformat(), kinds=["data"]) == 0
    assert tasks.send_reminder_email(user_id=world.member_a.pk, collaborative_id=999_999,
                                     month=MARCH.isoformat(), kinds=["data"]) == 0
    assert tasks.send_digest_email(user_id=999_999, week=MONDAY.isoformat()) == 0


# --- The beat schedule -------------------------------------------------------------------------------

def test_it_schedules_the_reminders_daily_and_the_digest_on_mondays():
    by_task = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert by_task["reports.tasks.send_due_reminders"] == crontab(minute=0, hour=7)
    assert by_task["reports.tasks.send_weekly_digests"] == crontab(minute=0, hour=7, day_of_week="mon")


def test_it_schedules_only_tasks_that_are_registered():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
