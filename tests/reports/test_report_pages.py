"""The report pages: a member completes and submits the month, the advisor reviews it, and
the month's list shows who is late."""

from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.months import add_months, month_start
from reports import services, tasks
from reports.models import MonthlyReport, ReportBuild

pytestmark = pytest.mark.django_db
LAST_MONTH = add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def report(world):
    return services.monthly_report_build(team=world.team_a, month=LAST_MONTH)


def test_it_lets_a_member_save_then_submit_the_report(client, world, report):
    client.force_login(world.member_a)
    form = {"successes": "Calmer arrivals", "challenges": "", "next_steps": "", "supports_needed": ""}
    response = client.post(report.get_absolute_url(), {**form, "save": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.successes, report.status) == ("Calmer arrivals", MonthlyReport.Status.GENERATED)
    client.post(report.get_absolute_url(), {**form, "self_score": "2.5", "submit": ""})
    report.refresh_from_db()
    assert (report.status, report.self_score, report.submitted_by) == (
        MonthlyReport.Status.SUBMITTED, Decimal("2.5"), world.member_a)


def test_it_says_a_self_score_is_needed_to_submit_and_saves_nothing(client, world, report):
    client.force_login(world.member_a)
    response = client.post(report.get_absolute_url(), {"successes": "Tried", "submit": ""})
    assert response.status_code == 200
    assert "Choose where the team stands" in response.text
    report.refresh_from_db()
    assert (report.successes, report.status) == ("", MonthlyReport.Status.GENERATED)


def test_it_shows_each_levels_meaning_beside_the_score(client, world, report):
    client.force_login(world.member_a)
    text = client.get(report.get_absolute_url()).text
    assert "Changes tested, but no improvement" in text
    assert "measures graphed with their targets" in text


def submitted(world, report) -> MonthlyReport:
    services.monthly_report_save(report=report, self_score=Decimal("4.0"))
    return services.monthly_report_submit(report=report, submitted_by=world.member_a)


def test_it_lets_the_advisor_score_and_give_feedback(client, world, report):
    submitted(world, report)
    client.force_login(world.advisor)
    client.post(report.get_absolute_url(), {"advisor_score": "2.5", "feedback": "Let's talk.", "review": ""})
    report.refresh_from_db()
    assert (report.status, report.advisor_score, report.reviewed_by) == (
        MonthlyReport.Status.REVIEWED, Decimal("2.5"), world.advisor)
    client.force_login(world.member_a)
    text = client.get(report.get_absolute_url()).text
    assert "Let&#x27;s talk." in text
    assert "differ by 1.0 or more" in text


def test_it_sends_the_report_back_with_what_to_change(client, world, report):
    submitted(world, report)
    client.force_login(world.advisor)
    client.post(report.get_absolute_url(), {"feedback": "Add the family's view.", "changes": ""})
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.CHANGES_REQUESTED
    client.force_login(world.member_a)
    text = client.get(report.get_absolute_url()).text
    assert "Your advisor asks for changes" in text
    assert "Save and submit to the advisor" in text


def test_it_keeps_the_advisor_out_of_the_teams_narrative(client, world, report):
    client.force_login(world.advisor)
    response = client.post(report.get_absolute_url(), {"successes": "Not mine to write", "save": ""})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.successes == ""


def test_it_lists_the_months_reports_with_the_late_ones_flagged(client, world, report):
    client.force_login(world.advisor)
    after_due = add_months(LAST_MONTH, 1).replace(day=world.collaborative.report_due_day + 1)
    with mock.patch("reports.selectors.timezone.localdate", return_value=after_due):
        response = client.get(reverse("reports:collaborative-reports", args=[world.collaborative.pk]),
                              {"month": LAST_MONTH.strftime("%Y-%m")})
    rows = {row.team.name: row for row in response.context["rows"]}
    assert rows["Team A"].report == report
    assert rows["Team B"].report is None
    assert response.context["late_reports"] == 2
    assert response.text.count(">late<") == 2


def test_it_queues_a_month_for_the_worker(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:collaborative-reports-build", args=[world.collaborative.pk]),
            {"month": LAST_MONTH.strftime("%Y-%m")})
    assert response.status_code == 302
    built = MonthlyReport.objects.filter(month=LAST_MONTH, team__collaborative=world.collaborative)
    assert built.count() == 2


def test_it_answers_404_for_a_month_it_cannot_read(client, world):
    client.force_login(world.advisor)
    response = client.get(reverse("reports:collaborative-reports", args=[world.collaborative.pk]),
                          {"month": "2026-13"})
    assert response.status_code == 404


def test_it_lists_a_teams_reports_for_its_members(client, world, report):
    client.force_login(world.member_a)
    response = client.get(reverse("reports:team-reports", args=[world.team_a.pk]))
    assert [row["report"] for row in response.context["rows"]] == [report]


def test_it_shows_a_report_submitted_by_someone_since_removed(client, world, report):
    submitted(world, report)
    MonthlyReport.objects.filter(pk=report.pk).update(submitted_by=None)
    client.force_login(world.advisor)
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    assert "Submitted on" in response.text


def test_it_counts_a_builds_progress_as_the_worker_builds(client, world):
    client.force_login(world.advisor)
    build_url = reverse("reports:collaborative-reports-build", args=[world.collaborative.pk])
    with mock.patch.object(tasks.build_team_report, "apply_async") as publish:
        response = client.post(build_url, {"month": LAST_MONTH.strftime("%Y-%m")})
    build = ReportBuild.objects.get()
    assert response["Location"].endswith(f"?month={LAST_MONTH:%Y-%m}&build={build.pk}")
    status_url = reverse("reports:report-build-status", args=[world.collaborative.pk, build.pk])
    assert client.get(status_url).json() == {"done": 0, "total": 2, "percent": 0, "finished": False,
                                             "text": "0 of 2 reports built"}
    services.monthly_report_build(team=world.team_a, month=LAST_MONTH)
    assert client.get(status_url).json()["percent"] == 50
    services.monthly_report_build(team=world.team_b, month=LAST_MONTH)
    assert client.get(status_url).json()["finished"] is True
    assert publish.call_count == 0  # queued only once the request's transaction commits


def test_it_shows_the_progress_bar_after_a_build_is_asked_for(client, world):
    build = ReportBuild.objects.create(collaborative=world.collaborative, month=LAST_MONTH, total=2)
    client.force_login(world.advisor)
    response = client.get(reverse("reports:collaborative-reports", args=[world.collaborative.pk]),
                          {"month": LAST_MONTH.strftime("%Y-%m"), "build": build.pk})
    assert 'data-status-url="' + reverse("reports:report-build-status",
                                         args=[world.collaborative.pk, build.pk]) in response.text
    assert "/static/js/progress.js" in response.text


def test_it_keeps_another_collaboratives_build_unknown(client, world):
    build = ReportBuild.objects.create(collaborative=world.other_collaborative, month=LAST_MONTH, total=1)
    client.force_login(world.advisor)
    url = reverse("reports:report-build-status", args=[world.collaborative.pk, build.pk])
    assert client.get(url).status_code == 404


def test_it_charts_the_scores_over_time_and_flags_a_gap(client, world, report):
    services.monthly_report_review(report=submitted(world, report), reviewed_by=world.advisor,
                                   advisor_score=Decimal("2.5"), feedback="")
    client.force_login(world.advisor)
    response = client.get(reverse("reports:team-reports", args=[world.team_a.pk]))
    figure = response.context["score_figure"]
    assert [trace["y"] for trace in figure["data"][:2]] == [[4.0], [2.5]]
    assert figure["data"][2]["name"] == "Scores 1.0 or more apart"
    assert "1.0 or more apart" in response.context["score_summary"]
    assert response.context["rows"][0]["gap"] is True


def test_it_lists_only_the_late_teams_or_the_reports_to_review(client, world, report):
    submitted(world, report)  # team A's is in; team B's was never built
    client.force_login(world.advisor)
    url = reverse("reports:collaborative-reports", args=[world.collaborative.pk])
    after_due = add_months(LAST_MONTH, 1).replace(day=world.collaborative.report_due_day + 1)
    with mock.patch("reports.selectors.timezone.localdate", return_value=after_due):
        late = client.get(url, {"month": LAST_MONTH.strftime("%Y-%m"), "show": "late"})
    assert [row.team.name for row in late.context["rows"]] == ["Team B"]
    to_review = client.get(url, {"month": LAST_MONTH.strftime("%Y-%m"), "show": "to_review"})
    assert [row.team.name for row in to_review.context["rows"]] == ["Team A"]
    assert to_review.context["to_review"] == 1


def test_it_pages_a_large_collaboratives_reports(client, world):
    from tests import factories

    for index in range(55):
        factories.TeamFactory(collaborative=world.collaborative, name=f"Program {index:02}")
    client.force_login(world.advisor)
    url = reverse("reports:collaborative-reports", args=[world.collaborative.pk])
    response = client.get(url, {"month": LAST_MONTH.strftime("%Y-%m"), "page": 2})
    assert len(response.context["rows"]) == 7
    assert 'aria-current="page">2<' in response.text


def test_it_shows_on_the_team_page_that_last_months_data_and_report_are_late(client, world, report):
    from tests import factories

    factories.MeasureFactory(collaborative=world.collaborative, name="Fidelity")  # nothing entered
    client.force_login(world.member_a)
    after_due = add_months(LAST_MONTH, 1).replace(day=world.collaborative.report_due_day + 1)
    with mock.patch("reports.selectors.timezone.localdate", return_value=after_due), \
            mock.patch("reports.panels.timezone.localdate", return_value=after_due):
        response = client.get(world.team_a.get_absolute_url())
    text = response.text
    assert f"0 of 1 measure entered for {LAST_MONTH:%B}" in text
    assert text.count("was due") == 2
    assert report.get_absolute_url() in text
    assert reverse("measures:team-data-month", args=[world.team_a.pk, LAST_MONTH]) in text


def test_it_keeps_the_month_panel_for_the_team_and_its_leaders(client, world, report):
    client.force_login(world.advisor)
    assert "This month: where the team stands" in client.get(world.team_a.get_absolute_url()).text
