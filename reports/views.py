"""Pages that bring several layers together: they sit here, at the top, so that imports
keep running one way (a team's run charts carry its PDSA decisions; a monthly report
reads cycles, measures and members)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from collaboratives.forms import add_service_errors, posted
from measures.chart_views import team_chart_context
from measures.csvio import write_table
from measures.months import FIRST_MONTH, LAST_MONTH, MonthOutOfRange, add_months, month_start, parse_month
from pdsa.selectors import decision_markers
from reports import charts, collaborative_report, scale, selectors, services
from reports.forms import NarrativeForm, ReviewForm
from reports.models import MonthlyReport
from teams import access


@login_required
def team_charts(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's run charts, each marked with the learning sessions and with the PDSA cycles
    that adopted or adapted a change linked to the measure."""
    team = access.team_work_for(request.user, pk)
    context = team_chart_context(team, markers=lambda measure_ids: decision_markers(team, measure_ids))
    return render(request, "measures/team_charts.html", context)


@login_required
def team_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's monthly reports, newest first, with what is late."""
    team = access.team_work_for(request.user, pk)
    reports = list(team.monthly_reports.order_by("-month"))
    standing = {row.month: row for row in selectors.team_months_of(team, [r.month for r in reports])}
    rows = [{"report": report, "standing": standing.get(report.month),
             "gap": report.score_gap is not None and report.score_gap >= scale.GAP} for report in reports]
    return render(request, "reports/team_reports.html", {
        "team": team, "rows": rows, "can_write": access.can_write_team_work(request.user, team),
        "score_figure": charts.score_chart(reports), "score_summary": charts.score_summary(reports)})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: the month as the job found it, the team's narrative and self-score (its
    members edit and submit), and the advisor's review (the collaborative's leaders)."""
    report = selectors.report_for(request.user, pk)
    can_write = access.can_write_team_work(request.user, report.team)
    can_review = access.can_manage_team(request.user, report.team)
    narrative = review = None
    if can_write and report.team_can_edit:
        narrative = NarrativeForm(posted(request), instance=report)
    if can_review and report.status in (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.REVIEWED):
        review = ReviewForm(posted(request), initial={
            "advisor_score": None if report.advisor_score is None else str(report.advisor_score),
            "feedback": report.feedback})
    if request.method == "POST":
        done = (_save_narrative(request, report, narrative) if narrative is not None
                else _save_review(request, report, review) if review is not None else None)
        if done is None:
            raise PermissionDenied  # readable, but nothing on it is this person's to change now
        if done:
            return redirect(report)
    return render(request, "reports/report_detail.html", {
        "report": report, "team": report.team, "snapshot": report.snapshot,
        "narrative": narrative, "review": review, "levels": scale.LEVELS,
        "self_level": scale.level_of(report.self_score),
        "advisor_level": scale.level_of(report.advisor_score),
        "gap": report.score_gap is not None and report.score_gap >= scale.GAP,
        "standing": selectors.team_months_of(report.team, [report.month])[0],
        "submitted_by": report.submitted_by_name,
    })


def _save_narrative(request: HttpRequest, report: MonthlyReport, form: NarrativeForm) -> bool:
    if not form.is_valid():
        return False
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        with transaction.atomic():  # saving and submitting together, or neither
            report = services.monthly_report_save(report=report, **fields)
            if "submit" in request.POST:
                services.monthly_report_submit(report=report, submitted_by=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("Report submitted to your advisor.") if "submit" in request.POST
                     else _("Report saved. Submit it when the team is ready."))
    return True


def _save_review(request: HttpRequest, report: MonthlyReport, form: ReviewForm) -> bool:
    if not form.is_valid():
        return False
    changes = "changes" in request.POST
    try:
        services.monthly_report_review(report=report, reviewed_by=request.user,
                                       advisor_score=form.cleaned_data["advisor_score"],
                                       feedback=form.cleaned_data["feedback"], changes_requested=changes)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("Sent back to the team with your feedback.") if changes
                     else _("Review saved; the team has been told."))
    return True


@login_required
def collaborative_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """Every team's report and data for one month, late ones flagged: for the leaders."""
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    month = month_asked(request)
    teams = list(collaborative.teams.select_related("collaborative").order_by("name"))
    all_rows = selectors.team_months(teams, month)
    shown = request.GET.get("show", "")
    rows = [row for row in all_rows if _shown(row, shown)]
    page = Paginator(rows, REPORT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    build_pk = request.GET.get("build", "")
    build = (selectors.report_build_for(collaborative, int(build_pk))
             if build_pk.isascii() and build_pk.isdigit() else None)
    return render(request, "reports/collaborative_reports.html", {
        "build": build,
        "collaborative": collaborative, "month": month, "rows": page.object_list, "page": page,
        "shown": shown, "matching": len(rows),
        "previous": add_months(month, -1), "next": add_months(month, 1),
        "late_reports": sum(1 for row in all_rows if row.report_late),
        "late_data": sum(1 for row in all_rows if row.data_late),
        "to_review": sum(1 for row in all_rows if _shown(row, "to_review")),
        "gap": scale.GAP,
    })


REPORT_ROWS_PER_PAGE = 50


def _shown(row: selectors.TeamMonth, shown: str) -> bool:
    if shown == "late":
        return row.report_late or row.data_late
    if shown == "to_review":
        return row.awaits_review
    return True


@login_required
@require_POST
def collaborative_reports_build(request: HttpRequest, pk: int) -> HttpResponse:
    """Build (or refresh) a month's reports: queued for the worker after this request; the
    list then shows a progress bar."""
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    month = month_asked(request, source=request.POST)
    build = services.report_build_request(collaborative=collaborative, month=month,
                                          requested_by=request.user)
    messages.success(request, ngettext("Building the %(month)s report of %(count)s team.",
                                       "Building the %(month)s reports of %(count)s teams.", build.total) % {
        "month": date_format(month, "YEAR_MONTH_FORMAT"), "count": build.total})
    page = reverse("reports:collaborative-reports", args=[collaborative.pk])
    return redirect(f"{page}?month={month:%Y-%m}&build={build.pk}")


@login_required
def report_build_status(request: HttpRequest, pk: int, build_pk: int) -> JsonResponse:
    """How far a build has got, for the progress bar to poll."""
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    build = selectors.report_build_for(collaborative, build_pk)
    done = min(selectors.report_build_progress(build), build.total)
    percent = 100 if not build.total else round(100 * done / build.total)
    text = _("%(done)s of %(total)s reports built") % {"done": done, "total": build.total}
    return JsonResponse({"done": done, "total": build.total, "percent": percent,
                         "finished": done >= build.total, "text": text})


@login_required
def collaborative_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The collaborative's month in aggregates, for funders and the state (anyone who reads
    the collaborative; the same figures whoever asks)."""
    collaborative = access.collaborative_for(request.user, pk)
    month = month_asked(request)
    return render(request, "reports/collaborative_summary.html", {
        "collaborative": collaborative,
        "report": collaborative_report.collaborative_month(collaborative, month),
        "previous": add_months(month, -1), "next": add_months(month, 1),
    })


@login_required
def collaborative_summary_csv(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    month = month_asked(request)
    report = collaborative_report.collaborative_month(collaborative, month)
    header, rows = collaborative_report.csv_rows(report)
    response = HttpResponse(write_table(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="bsc-collaborative-{collaborative.pk}-'
                                       f'{month:%Y-%m}.csv"')
    return response


def month_asked(request: HttpRequest, source: QueryDict | None = None) -> datetime.date:
    raw = (source if source is not None else request.GET).get("month", "")
    try:
        return parse_month(raw) if raw else add_months(month_start(timezone.localdate()), -1)
    except MonthOutOfRange:
        # A 400, not the 500 that month arithmetic on year 1 or 9999 would give.
        raise BadRequest(_("Months run from %(first)s to %(last)s.") % {
            "first": f"{FIRST_MONTH:%Y-%m}", "last": f"{LAST_MONTH:%Y-%m}"}) from None
    except ValueError:
        raise Http404("No such month.") from None
