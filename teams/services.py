"""Writes that carry the teams' business rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative
from collaboratives.services import user_find_or_invite
from teams.models import Membership, Organization, Team

ORGANIZATION_FIELDS = ("name", "kind", "funding_streams", "city", "state")


@transaction.atomic
def organization_create(**fields: Any) -> Organization:
    organization = Organization(**{k: v for k, v in fields.items() if k in ORGANIZATION_FIELDS})
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, **fields: Any) -> Organization:
    for name in ORGANIZATION_FIELDS:
        if name in fields:
            setattr(organization, name, fields[name])
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def team_create(
    *,
    collaborative: Collaborative,
    name: str,
    organization: Organization | None = None,
    new_organization: dict[str, Any] | None = None,
) -> Team:
    """A team for an existing organization, or for one described in ``new_organization``
    (created in the same transaction, so a refused team leaves no orphan organization)."""
    if (organization is None) == (new_organization is None):
        raise ValidationError(
            _("Choose an existing organization or describe a new one, not both."),
            code="organization_choice",
        )
    if organization is None:
        organization = organization_create(**new_organization)
    elif collaborative.teams.filter(organization=organization).exists():
        raise ValidationError({"organization": ValidationError(
            _("%(organization)s already has a team in this collaborative.")
            % {"organization": organization}, code="duplicate_organization",
        )})
    team = Team(collaborative=collaborative, organization=organization, name=name.strip())
    _check_name_is_free(team)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_update(*, team: Team, name: str) -> Team:
    team.name = name.strip()
    _check_name_is_free(team)
    team.full_clean()
    team.save()
    return team


def _check_name_is_free(team: Team) -> None:
    # The database constraint has the last word; this names the field for the person.
    taken = Team.objects.filter(collaborative=team.collaborative_id, name__iexact=team.name)
    if taken.exclude(pk=team.pk).exists():
        raise ValidationError({"name": ValidationError(
            _("A team with this name is already in this collaborative."), code="duplicate_name",
        )})


@transaction.atomic
def membership_add(
    *,
    team: Team,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    is_lead: bool,
    invited_by: AbstractBaseUser,
) -> Membership:
    """Add a person to a team with a role, inviting them by email if they are new."""
    user, _created = user_find_or_invite(
        email=email, first_name=first_name, last_name=last_name, invited_by=invited_by,
        place=str(team),
    )
    membership = Membership(team=team, user=user, role=role, is_lead=is_lead)
    try:
        membership.full_clean()
    except ValidationError as exc:
        # The person is named by email in the form; say which field is wrong there.
        if "__all__" in exc.message_dict:
            raise ValidationError(
                {"email": _("%(email)s is already on this team.") % {"email": user.email}},
                code="duplicate_member",
            ) from exc
        raise
    membership.save()
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, role: str, is_lead: bool) -> Membership:
    membership.role = role
    membership.is_lead = is_lead
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership.delete()
