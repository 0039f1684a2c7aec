"""Writes on PDSA cycles: creating one (quick entry or full), saving the worksheet or one
stage of it without overwriting someone else's save, moving its status, sharing it, deleting
it, commenting.

Every rule that must hold is checked here, so the pages and the API refuse the same things.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from collaboratives.models import ChangeIdea
from collaboratives.outbox import outbox_enqueue
from measures.models import Measure
from pdsa.models import Cycle, CycleComment, CycleParticipant
from teams.models import Membership, Team

# The worksheet: what the full edit form and the API may change directly. Status, sharing,
# the team and the version have services of their own.
WORKSHEET_FIELDS = (
    "title", "change_idea", "follows", "scale", "objective", "questions", "prediction",
    "plan_who", "plan_what", "plan_when", "plan_where", "planned_start", "data_collection_plan",
    "do_what_happened", "do_problems", "do_unexpected", "done_on", "study_summary",
    "study_learned", "decision", "next_step",
)
_UNSET: Any = object()

# The four stages, the worksheet fields each one asks, and the answers a cycle needs before it
# moves on from a stage (a stage it has passed keeps them). The stage pages and the API
# refuse the same things; the forms reuse these messages.
STAGES = (Cycle.Status.PLAN, Cycle.Status.DO, Cycle.Status.STUDY, Cycle.Status.ACT)
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    Cycle.Status.PLAN: ("plan_what", "scale", "prediction", "plan_who", "plan_when",
                        "plan_where", "data_collection_plan", "planned_start", "objective",
                        "questions"),
    Cycle.Status.DO: ("do_what_happened", "do_problems", "do_unexpected", "done_on"),
    Cycle.Status.STUDY: ("study_summary", "study_learned"),
    Cycle.Status.ACT: ("decision", "next_step"),
}
STAGE_REQUIREMENTS: dict[str, tuple[tuple[str, str, Any], ...]] = {
    Cycle.Status.PLAN: (
        ("plan_what", "plan_what_required", gettext_lazy("Plan needs what you will try.")),
        ("scale", "scale_required", gettext_lazy(
            "Plan needs the scale of the test: choose how many children, families or "
            "classrooms it involves.")),
        ("prediction", "prediction_required", gettext_lazy(
            "Plan needs your prediction: what do you think will happen?")),
    ),
    Cycle.Status.DO: (
        ("do_what_happened", "do_required", gettext_lazy(
            "Do needs what happened: write it before you move on to Study.")),
    ),
    Cycle.Status.STUDY: (
        ("study_summary", "study_required", gettext_lazy(
            "Study needs how the results compare with your prediction.")),
        ("study_learned", "learned_required", gettext_lazy("Study needs what you learned.")),
    ),
    Cycle.Status.ACT: (
        ("decision", "decision_required", gettext_lazy(
            "Act needs your decision: keep it as it is (adopt), change it and test again "
            "(adapt), or drop it (abandon).")),
    ),
}


class CycleConflict(Exception):
    """Someone else saved the cycle after the version the caller started from."""

    def __init__(self, current: Cycle, version: int) -> None:
        super().__init__(f"Cycle {current.pk} is at version {current.version}, not {version}.")
        self.current = current
        self.version = version


def _roles_on(team: Team) -> dict[int, str]:
    return dict(Membership.objects.accepted().filter(team=team).values_list("user_id", "role"))


def _not_on_team(field: str, person: AbstractBaseUser) -> ValidationError:
    return ValidationError({field: ValidationError(
        _("%(name)s is not on this team; choose one of the team's members.")
        % {"name": person.get_full_name() or person.get_username()}, code="not_on_team")})


def _check(cycle: Cycle, measures: Iterable[Measure] | None) -> None:
    """The rules that span relations: the same collaborative, the same ramp, dates in order,
    and what a complete cycle needs."""
    errors: dict[str, list[ValidationError]] = {}
    team = cycle.team
    if cycle.change_idea_id and cycle.change_idea.collaborative_id != team.collaborative_id:
        errors.setdefault("change_idea", []).append(ValidationError(
            _("This change idea belongs to another collaborative; choose one from your "
              "collaborative's change framework."), code="foreign_change_idea"))
    if cycle.follows_id:
        _check_follows(cycle, errors)
    if measures is not None and any(m.collaborative_id != team.collaborative_id for m in measures):
        errors.setdefault("measures", []).append(ValidationError(
            _("Link only measures of your collaborative."), code="foreign_measure"))
    if cycle.planned_start and cycle.done_on and cycle.done_on < cycle.planned_start:
        errors.setdefault("done_on", []).append(ValidationError(
            _("The date done (%(done)s) is before the planned start (%(start)s).")
            % {"done": cycle.done_on.isoformat(), "start": cycle.planned_start.isoformat()},
            code="done_before_start"))
    errors.update(_passed_stage_errors(cycle))
    if errors:
        raise ValidationError(errors)


def _check_follows(cycle: Cycle, errors: dict) -> None:
    previous = cycle.follows
    if previous.team_id != cycle.team_id or previous.change_idea_id != cycle.change_idea_id:
        errors.setdefault("follows", []).append(ValidationError(
            _("A cycle can follow only an earlier cycle of the same team on the same change "
              "idea."), code="foreign_ramp"))
        return
    step = previous
    while step is not None:
        if cycle.pk and step.pk == cycle.pk:
            errors.setdefault("follows", []).append(ValidationError(
                _("A cycle cannot follow itself or one of its own later cycles."),
                code="ramp_loop"))
            return
        step = step.follows
    taken = Cycle.objects.filter(follows=previous).exclude(pk=cycle.pk).first()
    if taken is not None:
        errors.setdefault("follows", []).append(ValidationError(
            _("Cycle “%(previous)s” is already followed by “%(next)s”; a ramp goes one cycle "
              "after another.") % {"previous": previous.title, "next": taken.title},
            code="ramp_taken"))


def _passed_stage_errors(cycle: Cycle) -> dict[str, list[ValidationError]]:
    """The required answers missing from the stages the cycle has moved on from."""
    passed = STAGES[:Cycle.Status.values.index(cycle.status)]
    errors = {}
    for stage in passed:
        for field, code, message in STAGE_REQUIREMENTS[stage]:
            value = getattr(cycle, field)
            if not (value.strip() if isinstance(value, str) else value):
                errors[field] = [ValidationError(message, code=code)]
    return errors


def _set_people(cycle: Cycle, *, lead: AbstractBaseUser | Any | None,
                participants: Iterable[AbstractBaseUser] | None) -> None:
    """Record the lead and participants with their roles on the team now; people already
    recorded keep the role they had when they took part."""
    roles = _roles_on(cycle.team)
    if lead is not _UNSET:
        if lead is not None and lead.pk != cycle.lead_id and lead.pk not in roles:
            raise _not_on_team("lead", lead)
        if lead is None:
            cycle.lead, cycle.lead_role = None, ""
        elif lead.pk != cycle.lead_id:
            cycle.lead, cycle.lead_role = lead, roles[lead.pk]
    if participants is None:
        return
    kept = {p.user_id: p for p in cycle.participations.all()} if cycle.pk else {}
    wanted = {person.pk: person for person in participants}
    for person in wanted.values():
        if person.pk not in kept and person.pk not in roles:
            raise _not_on_team("participants", person)
    cycle._pending_participants = [  # written after the cycle is saved
        (person, kept[pk].role if pk in kept else roles[pk]) for pk, person in wanted.items()
    ]


def _save_people(cycle: Cycle) -> None:
    pending = getattr(cycle, "_pending_participants", None)
    if pending is None:
        return
    cycle.participations.exclude(user__in=[person for person, _role in pending]).delete()
    existing = set(cycle.participations.values_list("user_id", flat=True))
    added = [CycleParticipant(cycle=cycle, user=person, role=role)
             for person, role in pending if person.pk not in existing]
    if added:  # bulk_create alone would skip the history of who took part
        bulk_create_with_history(added, CycleParticipant)
    del cycle._pending_participants


def _renumber_from(cycle: Cycle) -> None:
    """Number a cycle and every later cycle of its ramp by their position."""
    number = cycle.follows.number + 1 if cycle.follows_id else 1
    step: Cycle | None = cycle
    while step is not None:
        if step.number != number:
            # A save rather than a queryset update, so the ramp's history shows the new
            # number; a ramp is a handful of cycles. Only the number: no new version, and
            # ``updated_at`` stays as it was, as with the update this replaces.
            step.number = number
            step.save(update_fields=["number"])
        number += 1
        step = Cycle.objects.filter(follows=step).first()


@transaction.atomic
def cycle_create(
    *, team: Team, created_by: AbstractBaseUser | None, change_idea: ChangeIdea, title: str,
    lead: AbstractBaseUser | None = _UNSET, participants: Iterable[AbstractBaseUser] = (),
    measures: Iterable[Measure] = (), **fields: Any,
) -> Cycle:
    """Start a cycle in Plan. The lead defaults to the person entering it when they are on
    the team (quick entry: a teacher or parent logs their own test)."""
    unknown = set(fields) - set(WORKSHEET_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {sorted(unknown)}")
    cycle = Cycle(team=team, created_by=created_by, change_idea=change_idea, title=title, **fields)
    if lead is _UNSET:
        on_team = created_by is not None and created_by.pk in _roles_on(team)
        lead = created_by if on_team else None
    measures = list(measures)
    _set_people(cycle, lead=lead, participants=list(participants))
    cycle.number = cycle.follows.number + 1 if cycle.follows_id else 1
    _check(cycle, measures)
    cycle.full_clean()
    cycle.save()
    cycle.measures.set(measures)
    _save_people(cycle)
    return cycle


def _claim(cycle: Cycle, version: int) -> Cycle:
    """Take the next version if nobody saved since ``version`` (one conditional UPDATE, so
    two concurrent saves cannot both succeed), and return the row as it is now. The UPDATE
    leaves no history row by itself; every caller saves the returned row in the same
    transaction, and that save records the new version (or the transaction rolls back)."""
    claimed = Cycle.objects.filter(pk=cycle.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        current = Cycle.objects.filter(pk=cycle.pk).first()
        if current is None:
            raise Cycle.DoesNotExist
        raise CycleConflict(current, version)
    return Cycle.objects.select_related("team", "change_idea", "follows").get(pk=cycle.pk)


@transaction.atomic
def cycle_update(
    *, cycle: Cycle, version: int, lead: AbstractBaseUser | Any | None = _UNSET,
    participants: Iterable[AbstractBaseUser] | None = None,
    measures: Iterable[Measure] | None = None, **fields: Any,
) -> Cycle:
    """Save the worksheet, refusing with CycleConflict if someone saved it since
    ``version``. Fields left out keep their value."""
    unknown = set(fields) - set(WORKSHEET_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {sorted(unknown)}")
    fresh = _claim(cycle, version)
    had_followers = Cycle.objects.filter(follows=fresh).exists()
    old_idea, old_follows = fresh.change_idea_id, fresh.follows_id
    for name, value in fields.items():
        setattr(fresh, name, value)
    if had_followers and fresh.change_idea_id != old_idea:
        raise ValidationError({"change_idea": ValidationError(
            _("Later cycles of this ramp test the same change idea; it cannot change here."),
            code="ramp_change_idea")})
    measures = list(measures) if measures is not None else None
    _set_people(fresh, lead=lead, participants=list(participants) if participants is not None
                else None)
    _check(fresh, measures)
    fresh.full_clean()
    fresh.save()
    if measures is not None:
        fresh.measures.set(measures)
    _save_people(fresh)
    if fresh.follows_id != old_follows:
        _renumber_from(fresh)
    return fresh


@transaction.atomic
def cycle_status_move(*, cycle: Cycle, status: str, version: int) -> Cycle:
    """Move one step along plan → do → study → act → complete, or one step back. Moving on
    from a stage needs its required answers (STAGE_REQUIREMENTS)."""
    fresh = _claim(cycle, version)
    if status not in (fresh.next_status, fresh.previous_status):
        raise ValidationError({"status": ValidationError(
            _("A cycle moves one step at a time: from %(current)s to %(next)s, or back to "
              "%(previous)s.") % {
                "current": fresh.get_status_display(),
                "next": Cycle.Status(fresh.next_status).label if fresh.next_status else "—",
                "previous": (Cycle.Status(fresh.previous_status).label
                             if fresh.previous_status else "—")},
            code="status_step")})
    fresh.status = status
    errors = _passed_stage_errors(fresh)
    if errors:
        raise ValidationError(errors)
    fresh.completed_at = timezone.now() if status == Cycle.Status.COMPLETE else None
    fresh.full_clean()
    fresh.save()
    return fresh


@transaction.atomic
def cycle_stage_save(
    *, cycle: Cycle, stage: str, version: int, move_on: bool = False,
    measures: Iterable[Measure] | None = None, **fields: Any,
) -> Cycle:
    """Save one stage's answers (``STAGE_FIELDS[stage]``; ``measures`` on Plan only) and,
    with ``move_on``, move the cycle on from that stage, its current one (Act moves on to
    Complete). A stage the cycle has not reached cannot be written, and a stage it has passed
    keeps its required answers. Refuses with CycleConflict as cycle_update does."""
    if stage not in STAGES:
        raise ValueError(f"Unknown stage: {stage!r}")
    unknown = set(fields) - set(STAGE_FIELDS[stage])
    if unknown or (measures is not None and stage != Cycle.Status.PLAN):
        raise TypeError(f"Unexpected fields for {stage}: {sorted(unknown) or ['measures']}")
    fresh = _claim(cycle, version)
    order = Cycle.Status.values
    if order.index(stage) > order.index(fresh.status):
        raise ValidationError(_(
            "The cycle is at %(current)s; finish that stage before %(stage)s.") % {
            "current": fresh.get_status_display(), "stage": Cycle.Status(stage).label},
            code="stage_not_reached")
    if move_on and stage != fresh.status:
        raise ValidationError(_("The cycle has already moved on from %(stage)s.")
                              % {"stage": Cycle.Status(stage).label}, code="stage_passed")
    for name, value in fields.items():
        setattr(fresh, name, value)
    if move_on:
        fresh.status = fresh.next_status
        if fresh.status == Cycle.Status.COMPLETE:
            fresh.completed_at = timezone.now()
    measures = list(measures) if measures is not None else None
    _check(fresh, measures)
    fresh.full_clean()
    fresh.save()
    if measures is not None:
        fresh.measures.set(measures)
    return fresh


@transaction.atomic
def cycle_share(*, cycle: Cycle, shared: bool) -> Cycle:
    """Share the cycle with the collaborative (other teams read it once it is complete), or
    take it back. Sharing changes no worksheet text, so it does not take a version."""
    fresh = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if fresh.is_shared != shared:
        fresh.is_shared = shared
        fresh.save()
    return fresh


@transaction.atomic
def cycle_delete(*, cycle: Cycle) -> None:
    """Remove a cycle; a later cycle of its ramp now follows the one before it."""
    following = Cycle.objects.filter(follows=cycle).first()
    previous_id = cycle.follows_id
    if following is not None:
        # Unhooked for a moment (a cycle with a next cycle is protected); no history row for
        # this state, which never outlives the transaction: the save below records the
        # change that does, the later cycle now following the one before.
        Cycle.objects.filter(pk=following.pk).update(follows=None)
    cycle.delete()
    if following is not None:
        following.refresh_from_db()
        following.follows_id = previous_id
        following.save()
        _renumber_from(following)


@transaction.atomic
def comment_create(*, cycle: Cycle, author: AbstractBaseUser, body: str) -> CycleComment:
    """Add to the cycle's thread; its lead and the team lead(s) are emailed once the comment
    is committed."""
    comment = CycleComment(cycle=cycle, author=author, body=body.strip())
    if not comment.body:
        raise ValidationError({"body": ValidationError(_("Write a comment."), code="required")})
    comment.full_clean()
    comment.save()
    outbox_enqueue("pdsa.tasks.send_comment_notification", comment_id=comment.pk)
    return comment
