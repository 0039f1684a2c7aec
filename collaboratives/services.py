"""Writes that carry the collaboratives' business rules."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative, CollaborativeRole, Period

UserModel = get_user_model()

COLLABORATIVE_FIELDS = (
    "name", "topic", "state", "start_date", "end_date", "status", "aim_statement",
    "aim_target_date",
)
PERIOD_FIELDS = ("kind", "number", "start_date", "end_date", "hours", "location", "notes")


@transaction.atomic
def collaborative_create(*, created_by: AbstractBaseUser, **fields: Any) -> Collaborative:
    """Create a collaborative; whoever starts it becomes its improvement advisor."""
    collaborative = Collaborative(**_only(fields, COLLABORATIVE_FIELDS))
    collaborative.full_clean()
    collaborative.save()
    CollaborativeRole.objects.create(
        user=created_by, collaborative=collaborative, role=CollaborativeRole.Role.ADVISOR
    )
    return collaborative


@transaction.atomic
def collaborative_update(*, collaborative: Collaborative, **fields: Any) -> Collaborative:
    for name, value in _only(fields, COLLABORATIVE_FIELDS).items():
        setattr(collaborative, name, value)
    collaborative.full_clean()
    # Shortening the collaborative must not strand periods outside it.
    timeline_validate(collaborative, list(collaborative.periods.all()))
    collaborative.save()
    return collaborative


@transaction.atomic
def period_save(*, period: Period, **fields: Any) -> Period:
    """Create or update one period of the timeline, keeping the timeline in order."""
    for name, value in _only(fields, PERIOD_FIELDS).items():
        setattr(period, name, value)
    if period.kind in (Period.Kind.PREWORK, Period.Kind.CLOSING):
        period.number = None
    if period.kind != Period.Kind.LEARNING_SESSION:
        period.hours = None
    period.full_clean()
    others = list(period.collaborative.periods.select_for_update().exclude(pk=period.pk))
    timeline_validate(period.collaborative, [*others, period], changed=period)
    period.save()
    return period


@transaction.atomic
def period_delete(*, period: Period) -> None:
    period.delete()


def timeline_validate(
    collaborative: Collaborative, periods: list[Period], *, changed: Period | None = None
) -> None:
    """Periods lie within the collaborative, do not overlap, and follow the BSC order:
    pre-work, LS1, AP1, LS2, AP2, …, closing."""
    start_field = "start_date" if changed is not None else NON_FIELD_ERRORS
    for period in periods:
        if period.start_date < collaborative.start_date or period.end_date > collaborative.end_date:
            raise ValidationError({start_field: ValidationError(
                _(
                    "%(period)s (%(start)s – %(end)s) falls outside the collaborative's dates "
                    "(%(cstart)s – %(cend)s)."
                ) % {
                    "period": period.label, "start": _date(period.start_date),
                    "end": _date(period.end_date), "cstart": _date(collaborative.start_date),
                    "cend": _date(collaborative.end_date),
                },
                code="outside_collaborative",
            )})
    by_sequence = sorted(periods, key=lambda period: period.sequence_key)
    for earlier, later in itertools.pairwise(by_sequence):
        if later.start_date <= earlier.end_date:
            code = "overlap" if later.start_date >= earlier.start_date else "out_of_order"
            message = (
                _("%(later)s overlaps %(earlier)s, which ends %(end)s.")
                if code == "overlap"
                else _("%(later)s must come after %(earlier)s, which ends %(end)s.")
            )
            raise ValidationError({start_field: ValidationError(
                message % {
                    "later": later.label, "earlier": earlier.label, "end": _date(earlier.end_date),
                },
                code=code,
            )})


@transaction.atomic
def collaborative_role_assign(
    *, collaborative: Collaborative, user: AbstractBaseUser, role: str
) -> CollaborativeRole:
    assignment = CollaborativeRole(collaborative=collaborative, user=user, role=role)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def collaborative_role_remove(*, assignment: CollaborativeRole) -> None:
    remaining_advisors = assignment.collaborative.roles.filter(
        role=CollaborativeRole.Role.ADVISOR
    ).exclude(pk=assignment.pk)
    if assignment.role == CollaborativeRole.Role.ADVISOR and not remaining_advisors.exists():
        raise ValidationError(
            _("A collaborative needs at least one improvement advisor."), code="last_advisor"
        )
    assignment.delete()


@transaction.atomic
def user_find_or_invite(
    *, email: str, first_name: str, last_name: str, invited_by: AbstractBaseUser, place: str
) -> tuple[AbstractBaseUser, bool]:
    """The account with this email, or a new one that sets its password through an
    emailed invitation. Either way the person is told by email where they were added."""
    from collaboratives.tasks import send_invitation_email

    email = UserModel.objects.normalize_email(email).strip()
    user = UserModel.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = UserModel(
            username=_free_username(email), email=email,
            first_name=first_name.strip(), last_name=last_name.strip(),
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    transaction.on_commit(
        lambda: send_invitation_email.delay(user_id=user.pk, invited_by_id=invited_by.pk, place=place)
    )
    return user, created


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "member"
    candidate, suffix = base, 1
    while UserModel.objects.filter(username__iexact=candidate).exists():
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    return fields


def _date(value: datetime.date) -> str:
    return date_format(value)


ADVISOR_GROUP = "Improvement advisors"


def advisor_group_ensure() -> Group:
    """The group whose members may start collaboratives (give it to advisors in the admin)."""
    group, _created = Group.objects.get_or_create(name=ADVISOR_GROUP)
    permission = Permission.objects.filter(
        content_type__app_label="collaboratives", codename="add_collaborative"
    ).first()
    if permission is not None:
        group.permissions.add(permission)
    return group
