"""Writes that carry the teams' business rules."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative
from collaboratives.services import invitation_send, user_find_or_invite
from teams.models import Membership, Organization, Team

logger = logging.getLogger(__name__)

# How long an invitation that has not gone out is still worth sending (the password link
# it carries lasts PASSWORD_RESET_TIMEOUT anyway).
PENDING_INVITATIONS_WITHIN = datetime.timedelta(days=14)

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
    """Add a person to a team with a role, inviting them by email if they are new. The
    email goes out from a task once the membership is committed; until it has gone out,
    ``invitation_pending`` is set and the team page says so."""
    from teams.tasks import send_membership_invitation

    user, _created = user_find_or_invite(
        email=email, first_name=first_name, last_name=last_name, invited_by=invited_by,
        place=str(team), notify=False,
    )
    membership = Membership(team=team, user=user, role=role, is_lead=is_lead,
                            invitation_pending=True)
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
    # robust: a broker that is down is logged, never a 500 for a membership already
    # saved; the invitation stays pending and send_pending_invitations picks it up.
    transaction.on_commit(
        lambda: send_membership_invitation.delay(membership_id=membership.pk, invited_by_id=invited_by.pk),
        robust=True,
    )
    return membership


def membership_invitation_send(*, membership_id: int, invited_by_id: int | None = None) -> bool:
    """Email the person that they were added to the team, at most once: the membership
    is claimed by clearing ``invitation_pending`` in one conditional UPDATE, so a task run
    twice (a retry, a redelivery, the sweep) finds it taken and sends nothing. When sending
    fails the flag is set again, so the page shows it pending and the retry may send it;
    the error is raised for that retry. Returns whether this call sent it."""
    pending = Membership.objects.filter(pk=membership_id, invitation_pending=True)
    if not pending.update(invitation_pending=False):
        return False
    give_back = Membership.objects.filter(pk=membership_id)
    membership = Membership.objects.select_related("team", "user").get(pk=membership_id)
    inviter = get_user_model().objects.filter(pk=invited_by_id).first() if invited_by_id else None
    try:
        sent = invitation_send(user=membership.user, inviter=inviter, place=str(membership.team))
    except Exception:
        give_back.update(invitation_pending=True)
        raise
    if not sent:  # an inactive person or one without an email: nothing went out
        give_back.update(invitation_pending=True)
    return sent


def pending_invitation_ids(now: datetime.datetime | None = None) -> list[int]:
    """Memberships of the last two weeks whose invitation has not gone out (the broker was
    down, or every retry failed), for people who can still receive it."""
    since = (now or timezone.now()) - PENDING_INVITATIONS_WITHIN
    return list(Membership.objects.filter(invitation_pending=True, joined_at__gte=since,
                                          user__is_active=True).exclude(user__email="")
                .order_by("pk").values_list("pk", flat=True))


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
