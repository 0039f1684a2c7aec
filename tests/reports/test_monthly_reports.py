"""Monthly team reports: the snapshot the job builds, the never-overwrite rule, submission
and review, due dates, the jobs and their emails (at most once per event and person)."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from measures.months import add_months, month_start
from pdsa import services as pdsa_services
from reports import selectors, services, tasks
from reports.models import MonthlyReport, ReportNotice
from tests import factories
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db
THIS_MONTH = month_start(timezone.localdate())


@pytest.fixture
def idea(world):
    from collaboratives.models import ChangeIdea

    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


@pytest.fixture
def fidelity(world):
    measure = factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity", goal=80)
    for back, numerator in enumerate([3, 4, 3, 4, 6, 7]):
        factories.MeasureValueFactory(team=world.team_a, measure=measure, numerator=numerator,
                                      denominator=10, month=add_months(THIS_MONTH, back - 5))
    return measure


@pytest.fixture
def staff_well_being(world):
    return factories.MeasureFactory(collaborative=world.collaborative, name="Staff well-being")


def cycle(world, idea, title="Picture schedule", **fields):
    return pdsa_services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                      title=title, prediction="Calmer arrivals.", **fields)


def build(world, month=THIS_MONTH):
    return services.monthly_report_build(team=world.team_a, month=month)


# --- The snapshot ------------------------------------------------------------------------------

def test_it_counts_the_months_cycles_with_decisions_and_the_roles_that_led_them(world, idea):
    complete(cycle(world, idea), decision="adopt")
    cycle(world, idea, title="Second test")
    snapshot = build(world).snapshot["cycles"]
    assert (snapshot["started"], snapshot["completed"]) == (2, 1)
    assert snapshot["decisions"] == {"adopt": 1}
    assert snapshot["led_by_role"] == {"educator": 2}
    assert [row["title"] for row in snapshot["list"]] == ["Picture schedule", "Second test"]


def test_it_leaves_out_cycles_of_other_months_and_teams(world, idea):
    cycle(world, idea)
    assert build(world, add_months(THIS_MONTH, -1)).snapshot["cycles"]["list"] == []
    assert services.monthly_report_build(team=world.team_b, month=THIS_MONTH).snapshot["cycles"]["list"] == []


def test_it_gives_each_measures_value_signal_and_status_for_the_month(world, fidelity, staff_well_being):
    measures = {row["name"]: row for row in build(world).snapshot["measures"]}
    assert measures["Fidelity"]["display"] == "70%"
    assert measures["Fidelity"]["numerator"] == 7.0
    assert measures["Fidelity"]["variation"] is not None
    assert measures["Fidelity"]["summary"].startswith("Fidelity: 6 months of data")
    assert measures["Staff well-being"]["missing"] is True


def test_it_records_the_teams_composition(world):
    composition = build(world).snapshot["composition"]
    assert composition["members"] == 2
    assert composition["missing"] == ["Family member"]


# --- Building: idempotent, never overwriting people's words ------------------------------------

def test_it_refreshes_the_snapshot_and_never_touches_what_people_wrote(world, fidelity):
    report = build(world)
    services.monthly_report_save(report=report, successes="Calmer mornings", self_score=Decimal("2.5"))
    factories.MeasureValueFactory(team=world.team_a, measure=factories.MeasureFactory(
        collaborative=world.collaborative, name="Contacts"), month=THIS_MONTH, numerator=5, denominator=10)
    again = build(world)
    assert again.pk == report.pk
    assert {row["name"] for row in again.snapshot["measures"]} == {"Fidelity", "Contacts"}
    again.refresh_from_db()
    assert (again.successes, again.self_score) == ("Calmer mornings", Decimal("2.5"))


def test_it_keeps_one_report_per_team_and_month_however_often_it_runs(world):
    for _ in range(3):
        build(world)
    assert MonthlyReport.objects.filter(team=world.team_a, month=THIS_MONTH).count() == 1


def test_it_tells_the_team_once_that_the_report_is_ready(world, django_capture_on_commit_callbacks):
    # Through the outbox (collaboratives.outbox), which runs the task in place when eager.
    with mock.patch.object(tasks.send_report_email, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            report = build(world)
        with django_capture_on_commit_callbacks(execute=True):
            build(world)
    publish.assert_called_once_with(kwargs={"report_id": report.pk, "event": "ready"})


def test_it_enqueues_the_email_only_after_the_transaction_commits(world, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.send_report_email, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            build(world)
        assert publish.call_count == 0
        assert len(callbacks) == 1


# --- Submit and review -----------------------------------------------------------------------------

def test_it_asks_for_a_self_score_before_submitting(world):
    with pytest.raises(ValidationError) as error:
        services.monthly_report_submit(report=build(world), submitted_by=world.member_a)
    assert "self_score" in error.value.message_dict


def test_it_locks_the_report_for_the_team_once_submitted(world):
    report = services.monthly_report_save(report=build(world), self_score=Decimal("2.0"))
    services.monthly_report_submit(report=report, submitted_by=world.member_a)
    with pytest.raises(ValidationError):
        services.monthly_report_save(report=report, successes="late edit")


def test_it_refuses_a_score_off_the_scale(world):
    with pytest.raises(ValidationError) as error:
        services.monthly_report_save(report=build(world), self_score=Decimal("4.2"))
    assert "self_score" in error.value.message_dict


def submitted(world) -> MonthlyReport:
    report = services.monthly_report_save(report=build(world), self_score=Decimal("3.0"))
    return services.monthly_report_submit(report=report, submitted_by=world.member_a)


def test_it_records_the_advisors_score_and_feedback(world):
    report = services.monthly_report_review(report=submitted(world), reviewed_by=world.advisor,
                                            advisor_score=Decimal("2.0"), feedback="Good tests.")
    assert (report.status, report.advisor_score, report.score_gap) == (
        MonthlyReport.Status.REVIEWED, Decimal("2.0"), Decimal("1.0"))


def test_it_sends_a_report_back_when_the_advisor_asks_for_changes(world):
    report = services.monthly_report_review(report=submitted(world), reviewed_by=world.advisor,
                                            advisor_score=None, feedback="Add the data.",
                                            changes_requested=True)
    assert report.team_can_edit
    services.monthly_report_save(report=report, successes="Data added")


def test_it_asks_what_to_change_when_changes_are_requested(world):
    with pytest.raises(ValidationError) as error:
        services.monthly_report_review(report=submitted(world), reviewed_by=world.advisor,
                                       advisor_score=None, feedback=" ", changes_requested=True)
    assert "feedback" in error.value.message_dict


def test_it_cannot_review_a_report_the_team_has_not_submitted(world):
    with pytest.raises(ValidationError):
        services.monthly_report_review(report=build(world), reviewed_by=world.advisor,
                                       advisor_score=Decimal("2.0"), feedback="")


# --- Who reads what ---------------------------------------------------------------------------------

def test_it_shows_a_report_to_its_team_and_its_leaders_only(world):
    report = build(world)
    for person in (world.member_a, world.lead_a, world.advisor, world.coach):
        assert selectors.reports_visible_to(person).filter(pk=report.pk).exists()
    for person in (world.member_b, world.state_viewer, world.other_advisor, world.stranger):
        with pytest.raises(Http404):
            selectors.report_for(person, report.pk)


def test_it_lets_the_team_write_and_the_leaders_review(world):
    from django.core.exceptions import PermissionDenied

    report = build(world)
    with pytest.raises(PermissionDenied):
        selectors.report_for(world.advisor, report.pk, write=True)
    with pytest.raises(PermissionDenied):
        selectors.report_for(world.member_a, report.pk, review=True)
    assert selectors.report_for(world.coach, report.pk, review=True) == report


# --- Due dates ------------------------------------------------------------------------------------

def test_it_flags_a_report_and_data_still_missing_after_their_due_day(world, fidelity):
    month = add_months(THIS_MONTH, -1)
    world.collaborative.report_due_day = 10
    world.collaborative.save()
    on_time, late = (add_months(THIS_MONTH, 0).replace(day=day) for day in (10, 11))
    standing = selectors.team_months([world.team_a, world.team_b], month, today=late)
    assert [(row.report_late, row.data_late) for row in standing] == [(True, False), (True, True)]
    assert not selectors.team_months([world.team_a], month, today=on_time)[0].report_late


def test_it_stops_calling_a_submitted_report_late(world):
    month = add_months(THIS_MONTH, -1)
    report = services.monthly_report_save(report=build(world, month), self_score=Decimal("2.0"))
    services.monthly_report_submit(report=report, submitted_by=world.member_a)
    standing = selectors.team_months([world.team_a], month, today=THIS_MONTH.replace(day=25))
    assert standing[0].report_late is False


# --- The jobs -------------------------------------------------------------------------------------

def test_it_fans_out_one_task_per_team_of_an_active_collaborative(world):
    world.other_collaborative.status = "planning"
    world.other_collaborative.save()
    with mock.patch.object(tasks.build_team_report, "delay") as delay:
        assert tasks.build_monthly_reports(month=THIS_MONTH.isoformat()) == 2
    assert sorted(call.kwargs["team_id"] for call in delay.call_args_list) == sorted(
        [world.team_a.pk, world.team_b.pk])
    assert {call.kwargs["month"] for call in delay.call_args_list} == {THIS_MONTH.isoformat()}


def test_it_skips_a_team_that_is_gone(world):
    assert tasks.build_team_report(team_id=999_999, month=THIS_MONTH.isoformat()) is None


def test_it_builds_a_month_from_the_command(world):
    call_command("build_monthly_reports", month=THIS_MONTH.strftime("%Y-%m"))
    assert set(MonthlyReport.objects.values_list("team__name", flat=True)) == {"Team A", "Team B", "Team V"}


def test_it_builds_last_month_on_the_first_of_the_month(world):
    with mock.patch.object(tasks, "build_monthly_reports") as fan_out:
        tasks.build_previous_month_reports()
    fan_out.assert_called_once_with(month=add_months(THIS_MONTH, -1).isoformat())


def test_it_refuses_a_month_it_cannot_read():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("build_monthly_reports", month="2026-13")


# --- Emails: at most once per event and person -----------------------------------------------------

def with_emails(world):
    for user in (world.member_a, world.lead_a):
        user.email = f"{user.username}@example.org"
        user.save()


def test_it_emails_the_team_once_however_often_the_task_runs(world, mailoutbox):
    with_emails(world)
    report = build(world)
    assert tasks.send_report_email(report_id=report.pk, event="ready") == 2
    assert tasks.send_report_email(report_id=report.pk, event="ready") == 0
    assert len(mailoutbox) == 2
    assert ReportNotice.objects.filter(report=report, event="ready").count() == 2


def test_it_emails_the_advisor_and_coaches_when_a_report_is_submitted(world, mailoutbox):
    report = submitted(world)
    mailoutbox.clear()
    assert tasks.send_report_email(report_id=report.pk, event="submitted") == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([world.advisor.email, world.coach.email])
    assert "submitted its" in mailoutbox[-1].subject


def test_it_gives_a_failed_send_back_to_the_retry(world):
    with_emails(world)
    report = build(world)
    with mock.patch("collaboratives.emails.send_mail", side_effect=OSError("mail server down")), \
            pytest.raises(OSError, match="mail server down"):
        tasks.send_report_email.run(report_id=report.pk, event="ready")
    assert not ReportNotice.objects.filter(report=report).exists()


def test_it_sends_nothing_for_a_report_that_is_gone(world):
    assert tasks.send_report_email(report_id=999_999, event="ready") == 0


def test_it_knows_the_report_was_due_on_the_collaboratives_day(world):
    world.collaborative.data_due_day = 5
    assert selectors.due_date(world.collaborative, datetime.date(2026, 12, 1), kind="data") == \
        datetime.date(2027, 1, 5)
