"""Pages for PDSA cycles: a team's cycles, quick entry, the cycle stage by stage (Plan, Do,
Study, Act), the full worksheet, its status, sharing, comments, and the spread of change
ideas across the collaborative."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collaboratives.forms import add_service_errors, posted
from pdsa import selectors, services
from pdsa.forms import (
    DECISION_WORDS,
    STAGE_FORMS,
    CommentForm,
    CycleForm,
    QuickCycleForm,
    ShareForm,
    StageForm,
    StatusForm,
)
from pdsa.models import Cycle
from teams import access


@login_required
def cycle_list(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk)
    return render(request, "pdsa/cycle_list.html", {
        "team": team, "ramps": selectors.team_ramps(team),
        "can_write": access.can_write_team_work(request.user, team),
    })


@login_required
@require_http_methods(["GET", "POST"])
def cycle_quick_create(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.team_work_for(request.user, pk, write=True)
    initial = {}
    follows_pk = request.GET.get("follows", "")
    # isdigit() alone accepts "²", which int() refuses; a malformed link just starts afresh.
    is_id = follows_pk.isascii() and follows_pk.isdigit()
    follows = team.pdsa_cycles.filter(pk=follows_pk).first() if is_id else None
    if follows is not None:
        initial = {"follows": follows.pk, "change_idea": follows.change_idea_id}
    form = QuickCycleForm(posted(request), team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(team=team, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan saved. Add anything else to the plan, then move "
                                        "on to Do when you try it."))
            return redirect(cycle)
    return render(request, "pdsa/cycle_quick_form.html", {"team": team, "form": form})


def _detail_context(request: HttpRequest, cycle: Cycle, comment_form: CommentForm | None = None) -> dict:
    can_write = selectors.can_write_cycle(request.user, cycle)
    can_comment = selectors.can_comment_on_cycle(request.user, cycle)
    ramp = selectors.ramp_of(cycle)
    readable = set(selectors.cycles_visible_to(request.user).filter(
        pk__in=[step.pk for step in ramp]).values_list("pk", flat=True))
    return {
        "cycle": cycle, "team": cycle.team,
        # Steps the viewer may not read are left out: even a placeholder would tell another
        # team that a private cycle exists.
        "ramp": [step for step in ramp if step.pk in readable],
        "ramp_has_next": ramp[-1].pk != cycle.pk,
        "participants": selectors.cycle_participants(cycle),
        "measures": cycle.measures.all(),
        # The thread is the team's talk with its coaches, not part of what is shared.
        "comments": selectors.cycle_comments(cycle) if can_comment else [],
        "can_write": can_write, "can_comment": can_comment,
        "can_delete": access.can_delete_team_work(request.user, cycle.team),
        "can_read_team": access.can_read_team(request.user, cycle.team),
        "comment_form": comment_form or (CommentForm() if can_comment else None),
        "next_status": Cycle.Status(cycle.next_status) if cycle.next_status else None,
        "previous_status": Cycle.Status(cycle.previous_status) if cycle.previous_status else None,
        "stepper": _stepper(cycle, shown=None, can_write=can_write),
        "stage": None,
        "decision_words": dict(DECISION_WORDS).get(cycle.decision, ""),
    }


def _stepper(cycle: Cycle, *, shown: str | None, can_write: bool) -> list[dict]:
    """The four stages for the stepper: done, the cycle's current one, or not reached yet;
    a writer gets a link to each stage reached but the one on screen."""
    order = Cycle.Status.values
    current = order.index(cycle.status)
    steps = []
    for number, stage in enumerate(services.STAGES, start=1):
        index = order.index(stage)
        link = None
        if can_write and index <= current and stage != shown:
            link = (cycle.get_absolute_url() if index == current
                    else reverse("pdsa:cycle-stage", args=[cycle.pk, stage]))
        steps.append({"number": number, "stage": stage, "label": Cycle.Status(stage).label,
                      "done": index < current, "current": index == current,
                      "shown": stage == shown, "link": link})
    return steps


def _stage_page(request: HttpRequest, cycle: Cycle, stage: str, form: StageForm, *,
                changes: list | None = None, status: int = 200,
                comment_form: CommentForm | None = None) -> HttpResponse:
    """The cycle page showing one stage's questions (the current stage unless the person
    went back to an earlier one)."""
    context = _detail_context(request, cycle, comment_form)
    context.update({
        "stage": stage, "stage_label": Cycle.Status(stage).label,
        "stage_number": services.STAGES.index(stage) + 1,
        "stage_form": form, "changes": changes or [],
        "stepper": _stepper(cycle, shown=stage, can_write=True),
        "moves_on": stage == cycle.status,
        "next_label": Cycle.Status(cycle.next_status).label if cycle.next_status else None,
    })
    return render(request, "pdsa/cycle_detail.html", context, status=status)


def _shows_stage(request: HttpRequest, cycle: Cycle, can_write: bool) -> bool:
    # The team's writers work on the current stage; readers, finished cycles and anyone who
    # asks for the whole worksheet (?view=worksheet, also for printing) see every stage.
    return can_write and not cycle.is_complete and request.GET.get("view") != "worksheet"


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk)
    if _shows_stage(request, cycle, selectors.can_write_cycle(request.user, cycle)):
        form = STAGE_FORMS[cycle.status](instance=cycle, team=cycle.team)
        return _stage_page(request, cycle, cycle.status, form)
    return render(request, "pdsa/cycle_detail.html", _detail_context(request, cycle))


def _stage_saved_message(saved: Cycle, stage: str, moved: bool) -> str:
    if not moved:
        return _("%(stage)s saved.") % {"stage": Cycle.Status(stage).label}
    return {
        Cycle.Status.DO: _("Plan saved. Next, Do: try it, then write what happened."),
        Cycle.Status.STUDY: _("Do saved. Next, Study: compare what happened with your "
                              "prediction."),
        Cycle.Status.ACT: _("Study saved. Next, Act: decide what to do with the change."),
        Cycle.Status.COMPLETE: _("Cycle finished. Your decision: %(decision)s.")
        % {"decision": dict(DECISION_WORDS).get(saved.decision, "")},
    }[saved.status]


@login_required
@require_http_methods(["GET", "POST"])
def cycle_stage(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk, write=True)
    if stage not in services.STAGES:
        raise Http404("No such stage.")
    order = Cycle.Status.values
    if order.index(stage) > order.index(cycle.status):
        messages.info(request, _("This cycle is at %(current)s: finish that stage first.")
                      % {"current": cycle.get_status_display()})
        return redirect(cycle)
    form_class = STAGE_FORMS[stage]
    form = form_class(posted(request), instance=cycle, team=cycle.team)
    changes, status = [], 200
    if request.method == "POST" and form.is_valid():
        move_on = request.POST.get("move_on") == "yes"
        try:
            saved = services.cycle_stage_save(cycle=cycle, stage=stage, move_on=move_on,
                                              version=form.cleaned_data["version"],
                                              **form.stage_data())
        except services.CycleConflict as conflict:
            form, changes = _conflict_form(request, conflict, cycle, form_class)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _stage_saved_message(saved, stage, move_on))
            return redirect(saved)
    return _stage_page(request, cycle, stage, form, changes=changes, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_update(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk, write=True)
    form = CycleForm(posted(request), instance=cycle, team=cycle.team)
    changes, status = [], 200
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_update(cycle=cycle, version=form.cleaned_data["version"],
                                  **form.worksheet_data())
        except services.CycleConflict as conflict:
            form, changes = _conflict_form(request, conflict, cycle)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Worksheet saved."))
            return redirect(cycle)
    return render(request, "pdsa/cycle_form.html",
                  {"form": form, "cycle": cycle, "team": cycle.team, "changes": changes},
                  status=status)


def _conflict_form(request: HttpRequest, conflict: services.CycleConflict, cycle: Cycle,
                   form_class: type[CycleForm] | type[StageForm] = CycleForm,
                   ) -> tuple[CycleForm | StageForm, list]:
    """The person's typed values kept, the version moved on to the one now saved (so saving
    again, after reading what changed, is a deliberate overwrite), and what the other save
    changed."""
    data = request.POST.copy()
    data["version"] = str(conflict.current.version)
    form = form_class(data, instance=cycle, team=cycle.team)
    form.is_valid()
    form.add_error(None, ValidationError(
        _("Someone else saved this worksheet while you were editing it, so your changes were "
          "not saved yet. Your text is still below. Check what they changed, then save again "
          "to keep your version."), code="conflict"))
    return form, selectors.cycle_changes_since(conflict.current, conflict.version)


@login_required
@require_POST
def cycle_status(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk, write=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the status to move the cycle to."))
        return redirect(cycle)
    try:
        moved = services.cycle_status_move(cycle=cycle, **form.cleaned_data)
    except services.CycleConflict:
        messages.error(request, _("Someone else changed this cycle a moment ago; here it is as "
                                  "it is now. Try again if the move still makes sense."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The cycle is now at: %(status)s.")
                         % {"status": moved.get_status_display()})
    return redirect(cycle)


@login_required
@require_POST
def cycle_share(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk, write=True)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to share the cycle."))
        return redirect(cycle)
    shared = services.cycle_share(cycle=cycle, shared=form.cleaned_data["shared"]).is_shared
    if shared:
        messages.success(request, _("Shared with the collaborative: the other teams can read it "
                                    "once it is complete."))
    else:
        messages.success(request, _("No longer shared: only your team and its coaches read it."))
    return redirect(cycle)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk, delete=True)
    if request.method == "POST":
        services.cycle_delete(cycle=cycle)
        messages.success(request, _("Cycle “%(title)s” deleted.") % {"title": cycle.title})
        return redirect("pdsa:cycle-list", pk=cycle.team_id)
    return render(request, "confirm_delete.html", {
        "cancel_url": cycle.get_absolute_url(),
        "title": _("Delete the cycle “%(title)s”?") % {"title": cycle.title},
        "explanation": _("The worksheet and its comments are deleted. A later cycle of the "
                         "same ramp then follows the one before this one."),
    })


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for(request.user, pk)
    if not selectors.can_comment_on_cycle(request.user, cycle):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(cycle=cycle, author=request.user,
                                              body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Comment posted."))
            return redirect(reverse("pdsa:cycle-detail", args=[cycle.pk]) + f"#comment-{comment.pk}")
    if _shows_stage(request, cycle, selectors.can_write_cycle(request.user, cycle)):
        stage_form = STAGE_FORMS[cycle.status](instance=cycle, team=cycle.team)
        return _stage_page(request, cycle, cycle.status, stage_form, comment_form=form)
    return render(request, "pdsa/cycle_detail.html", _detail_context(request, cycle, form))


@login_required
def spread(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    return render(request, "pdsa/spread.html", {
        "collaborative": collaborative, "rows": selectors.spread(collaborative, request.user),
        "counts_every_cycle": selectors.counts_every_cycle(request.user, collaborative),
        "counts_own_team": selectors.counts_own_team_cycles(request.user, collaborative),
    })
