"""Writes of chart phases: starting a new phase of a measure's chart after a change, and
removing one."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collaboratives.models import ChangeIdea
from measures.models import Measure, MeasurePhase
from measures.phase_selectors import months_with_data
from teams.models import Team

# Months with data a phase must keep before a new one may start: one point has no moving
# range (no limits) and a median of one point says nothing.
MIN_PHASE_POINTS = 2
# Making Data Count calls limits from fewer points "trial limits" (NHSRplotthedots warns
# below 13 points); a phase shorter than this is allowed but labelled so.
FULL_PHASE_POINTS = 12


def _month_error(message: str, code: str) -> ValidationError:
    return ValidationError({"start_month": ValidationError(message, code=code)})


def _check_start(measure: Measure, team: Team | None, month: datetime.date) -> None:
    months = months_with_data(measure, team)
    if month not in months:
        raise _month_error(_("Choose a month that has data."), "no_data")
    earlier = list(MeasurePhase.objects.filter(measure=measure, team=team)
                   .values_list("start_month", flat=True))
    if month in earlier:
        raise _month_error(_("A phase already starts in this month."), "taken")
    previous = max((start for start in earlier if start < month), default=None)
    following = min((start for start in earlier if start > month), default=None)
    before = [m for m in months if m < month and (previous is None or m >= previous)]
    if len(before) < MIN_PHASE_POINTS:
        raise _month_error(_(
            "The phase before it needs at least %(count)s months with data: choose a later month.")
            % {"count": MIN_PHASE_POINTS}, "too_early")
    if following is not None:
        inside = [m for m in months if month <= m < following]
        if len(inside) < MIN_PHASE_POINTS:
            raise _month_error(_(
                "The next phase starts too soon: this one would have fewer than %(count)s months "
                "with data.") % {"count": MIN_PHASE_POINTS}, "too_short")


@transaction.atomic
def phase_create(*, measure: Measure, team: Team | None, start_month: datetime.date, reason: str,
                 change_idea: ChangeIdea | None = None,
                 created_by: AbstractBaseUser | None = None) -> MeasurePhase:
    """Start a new phase of a chart at ``start_month``: a month with data, leaving at least
    ``MIN_PHASE_POINTS`` months with data in the phase before it (and in itself, when a later
    phase follows). The change idea must be one of the measure's collaborative."""
    if team is not None and team.collaborative_id != measure.collaborative_id:
        raise ValidationError(_("That team is not in this measure's collaborative."), code="team")
    if change_idea is not None and change_idea.collaborative_id != measure.collaborative_id:
        raise ValidationError({"change_idea": ValidationError(
            _("Choose a change idea of this collaborative."), code="change_idea")})
    _check_start(measure, team, start_month)
    phase = MeasurePhase(measure=measure, team=team, start_month=start_month,
                         reason=" ".join(reason.split()), change_idea=change_idea, created_by=created_by)
    phase.full_clean()
    phase.save()  # measures.signals forgets the cached figures
    return phase


@transaction.atomic
def phase_delete(*, phase: MeasurePhase) -> None:
    """Remove a phase: its months join the phase before it again."""
    phase.delete()  # measures.signals forgets the cached figures
