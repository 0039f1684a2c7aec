"""Pages for learning-session evaluations: the leaders set forms up, open and close them and
read the results; the members of the collaborative's teams answer them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collaboratives.csvfiles import csv_text
from collaboratives.forms import add_service_errors, posted
from collaboratives.models import Collaborative
from teams import access
from teams import evaluations as services
from teams.evaluation_forms import AnswerForm, EvaluationForm, question_formset
from teams.models import Evaluation

# A text cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).


def _list_url(collaborative: Collaborative) -> str:
    return reverse("evaluations:list", args=[collaborative.pk])


def _may_answer(user: object, evaluation: Evaluation) -> bool:
    """Whether the user answers this evaluation (open, and they are on one of its teams);
    leaders who are not on a team only preview it."""
    return access.evaluations_to_answer(user).filter(pk=evaluation.pk).exists()


@login_required
def evaluation_list(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    member_count = services.collaborative_member_count(collaborative)
    rows = [{"evaluation": evaluation,
             "percent": round(100 * evaluation.answer_count / member_count) if member_count else 0}
            for evaluation in services.evaluations_with_counts(collaborative)]
    return render(request, "teams/evaluations/list.html", {
        "collaborative": collaborative, "rows": rows, "member_count": member_count,
        "has_sessions": collaborative.periods.filter(kind="learning_session").exists(),
    })


def _edit(request: HttpRequest, collaborative: Collaborative, evaluation: Evaluation) -> HttpResponse:
    """The create and edit pages: the form's settings and its questions, saved together."""
    creating = evaluation.pk is None
    locked = services.evaluation_has_answers(evaluation)
    initial = {"period": request.GET.get("period")} if creating else None
    form = EvaluationForm(posted(request), instance=evaluation, collaborative=collaborative,
                          locked=locked, initial=initial)
    offered = None
    if creating and request.method != "POST":
        offered = [{**question, "order": index} for index, question in
                   enumerate(services.DEFAULT_QUESTIONS, start=1)]
    formset = question_formset(posted(request), evaluation=evaluation, locked=locked, initial=offered)
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        data = {**form.cleaned_data, "questions": formset.question_inputs()}
        try:
            if creating:
                evaluation = services.evaluation_create(
                    collaborative=collaborative, created_by=request.user, **data)
            else:
                services.evaluation_update(evaluation=evaluation, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Evaluation “%(title)s” saved.") % {"title": evaluation.title})
            if "add_more" in request.POST:
                return redirect("evaluations:update", pk=evaluation.pk)
            return redirect(_list_url(collaborative))
    return render(request, "teams/evaluations/form.html", {
        "collaborative": collaborative, "evaluation": evaluation, "form": form,
        "formset": formset, "locked": locked, "creating": creating,
    })


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    return _edit(request, collaborative, Evaluation())


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_update(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = access.evaluation_for(request.user, pk, manage=True)
    return _edit(request, evaluation.period.collaborative, evaluation)


@login_required
@require_POST
def evaluation_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = access.evaluation_for(request.user, pk, manage=True)
    wanted = request.POST.get("open")
    if wanted not in ("0", "1"):
        messages.error(request, _("Nothing changed: say whether to open or close the evaluation."))
    else:
        try:
            services.evaluation_set_open(evaluation=evaluation, is_open=wanted == "1")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            message = (_("“%(title)s” is open: team members can answer it now.") if wanted == "1"
                       else _("“%(title)s” is closed: nobody can answer it any more."))
            messages.success(request, message % {"title": evaluation.title})
    return redirect(_list_url(evaluation.period.collaborative))


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = access.evaluation_for(request.user, pk)
    may_answer = _may_answer(request.user, evaluation)
    if request.method == "POST" and not may_answer:
        raise PermissionDenied  # a leader's preview is read-only
    answered = may_answer and services.evaluation_answered_by(evaluation, request.user)
    questions = list(evaluation.questions.all())
    form = AnswerForm(None if answered else posted(request), questions=questions)
    if not may_answer:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and answered:
        messages.error(request, _("You have already answered this evaluation."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.evaluation_answer(evaluation=evaluation, user=request.user, answers=form.answers())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("evaluations:answer", pk=evaluation.pk)
    form.describe_errors()
    membership = services.membership_answering(request.user, evaluation) if may_answer else None
    return render(request, "teams/evaluations/answer.html", {
        "evaluation": evaluation, "title": services.evaluation_title(evaluation), "form": form,
        "preview": not may_answer, "answered": answered,
        "team": membership.team if membership else None,
    })


@login_required
def evaluation_results(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = access.evaluation_for(request.user, pk, manage=True)
    results = services.evaluation_results(evaluation)
    return render(request, "teams/evaluations/results.html", {
        "evaluation": evaluation, "collaborative": evaluation.period.collaborative,
        "results": results, "min_role_answers": services.MIN_ROLE_ANSWERS,
    })


@login_required
def evaluation_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = access.evaluation_for(request.user, pk, manage=True)
    header, rows = services.results_csv_rows(services.evaluation_results(evaluation))
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{evaluation.pk}-results.csv"'
    return response

