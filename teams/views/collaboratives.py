"""Pages for collaboratives: list, detail with timeline, setup and leaders.

They live in ``teams`` rather than ``collaboratives`` because who may see a collaborative
depends on team memberships, and imports run one way (collaboratives <- teams)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives import selectors, services
from collaboratives.forms import (
    CollaborativeForm,
    PeriodForm,
    StaffAddForm,
    add_service_errors,
    posted,
)
from collaboratives.models import CollaborativeRole, Period
from teams import access
from teams.selectors import team_counts
from teams.views.teams import team_table


@login_required
def collaborative_list(request: HttpRequest) -> HttpResponse:
    collaboratives = selectors.collaboratives_with_counts(access.collaboratives_visible_to(request.user))
    return render(request, "collaboratives/collaborative_list.html", {
        "collaboratives": collaboratives,
        "can_create": access.can_create_collaborative(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def collaborative_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_collaborative(request.user):
        raise PermissionDenied
    form = CollaborativeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            collaborative = services.collaborative_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Collaborative created. Next: add its timeline and teams."))
            return redirect(collaborative)
    return render(request, "collaboratives/collaborative_form.html", {"form": form})


@login_required
def collaborative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    periods = selectors.collaborative_timeline(collaborative)
    # Members and state viewers see every team's name but open only the teams they may read.
    teams = access.teams_listed_in(request.user, collaborative)
    counts = team_counts(teams)  # of the whole collaborative, not of the page
    can_manage = access.can_manage_collaborative(request.user, collaborative)
    return render(request, "collaboratives/collaborative_detail.html", {
        "collaborative": collaborative,
        "periods": periods,
        "current_period": selectors.current_period(periods),
        **team_table(request, teams, with_gaps=can_manage, may_filter_gaps=can_manage,
                     total=counts.total),
        "incomplete_count": counts.not_cross_role if can_manage else 0,
        "staff": selectors.collaborative_staff(collaborative),
        "can_manage": can_manage,
        "can_manage_staff": access.can_manage_collaborative_staff(request.user, collaborative),
        "learning_hours": sum(p.hours or 0 for p in periods),
        "diagram": selectors.driver_diagram(collaborative),
    })


@login_required
@require_http_methods(["GET", "POST"])
def collaborative_update(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    form = CollaborativeForm(posted(request), instance=collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            services.collaborative_update(collaborative=collaborative, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Collaborative saved."))
            return redirect(collaborative)
    return render(request, "collaboratives/collaborative_form.html",
                  {"form": form, "collaborative": collaborative})


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: HttpRequest, pk: int, period_pk: int | None = None) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    if period_pk is None:
        period = Period(collaborative=collaborative)
    else:
        period = get_object_or_404(collaborative.periods, pk=period_pk)
    form = PeriodForm(posted(request), instance=period)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_save(period=period, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(period)s saved.") % {"period": period.label})
            return redirect(f"{collaborative.get_absolute_url()}#timeline")
    return render(request, "collaboratives/period_form.html", {
        "form": form, "collaborative": collaborative, "period": period,
        "periods": selectors.collaborative_timeline(collaborative),
    })


@login_required
@require_http_methods(["GET", "POST"])
def period_delete(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    period = get_object_or_404(collaborative.periods, pk=period_pk)
    if request.method == "POST":
        services.period_delete(period=period)
        messages.success(request, _("%(period)s removed from the timeline.") % {"period": period.label})
        return redirect(f"{collaborative.get_absolute_url()}#timeline")
    return render(request, "confirm_delete.html", {
        "object_label": period.label, "cancel_url": collaborative.get_absolute_url(),
        "title": _("Remove %(period)s?") % {"period": period.label},
        "explanation": _("The period is removed from the collaborative's timeline."),
    })


@login_required
@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    if not access.can_manage_collaborative_staff(request.user, collaborative):
        raise PermissionDenied
    form = StaffAddForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _created = services.user_find_or_invite(
                email=data["email"], first_name=data["first_name"], last_name=data["last_name"],
                invited_by=request.user, place=str(collaborative),
            )
            services.collaborative_role_assign(collaborative=collaborative, user=user, role=data["role"])
        except ValidationError as exc:
            add_service_errors(form, ValidationError(
                {"email": exc.messages} if "__all__" in getattr(exc, "error_dict", {}) else exc
            ))
        else:
            messages.success(request, _("%(name)s added as %(role)s.") % {
                "name": user.get_full_name() or user.email,
                "role": CollaborativeRole.Role(data["role"]).label,
            })
            return redirect(f"{collaborative.get_absolute_url()}#leaders")
    return render(request, "collaboratives/staff_form.html",
                  {"form": form, "collaborative": collaborative})


@login_required
@require_http_methods(["GET", "POST"])
def staff_remove(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    if not access.can_manage_collaborative_staff(request.user, collaborative):
        raise PermissionDenied
    assignment = get_object_or_404(collaborative.roles.select_related("user"), pk=role_pk)
    name = assignment.user.get_full_name() or assignment.user.username
    if request.method == "POST":
        try:
            services.collaborative_role_remove(assignment=assignment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s no longer leads this collaborative.") % {"name": name})
        return redirect(f"{collaborative.get_absolute_url()}#leaders")
    return render(request, "confirm_delete.html", {
        "object_label": name, "cancel_url": collaborative.get_absolute_url(),
        "title": _("Remove %(name)s from the collaborative's leaders?") % {"name": name},
        "explanation": _("They keep their account but lose access to this collaborative."),
    })
