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
from collaboratives.outbox import outbox_enqueue
from collaboratives.services import invitation_send, user_find_or_invite
from teams.models import Membership, Organization, Team

logger = logging.getLogger(__name__)

# How long an invitation that has not gone out is still worth sending (the password link
# it carries lasts PASSWORD_RESET_TIMEOUT anyway).
PENDING_INVITATIONS_WITHIN = datetime.timedelta(days=14)

ORGANIZATION_FIELDS = ("name", "kind", "funding_streams", "city", "state")


@transaction.atomic
def organization_create(*, created_by: AbstractBaseUser | None = None, **fields: Any) -> Organization:
    organization = Organization(**{k: v for k, v in fields.items() if k in ORGANIZATION_FIELDS})
    organization.created_by = created_by
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
    created_by: AbstractBaseUser | None = None,
) -> Team:
    """A team for an existing organization, or for one described in ``new_organization``
    (created in the same transaction, so a refused team leaves no orphan organization, and
    recorded as described by ``created_by``).

    A description matching a program already known (same name and city, in any case) takes
    that program rather than failing on its uniqueness: it is the same center joining
    another collaborative. It is then shared, so nobody changes it from a team page any more
    (``access.can_edit_organization``)."""
    if (organization is None) == (new_organization is None):
        raise ValidationError(
            _("Choose an existing organization or describe a new one, not both."),
            code="organization_choice",
        )
    if organization is None:
        organization = Organization.objects.filter(
            name__iexact=new_organization["name"].strip(),
            city__iexact=new_organization["city"].strip(), state=new_organization["state"],
        ).first() or organization_create(created_by=created_by, **new_organization)
    if collaborative.teams.filter(organization=organization).exists():
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
    """Invite a person to a team with a role, by email. The membership waits for them to
    accept (``accepted_at`` empty, granting nothing) and keeps the email and name typed
    here: whether the email already had an account changes nothing the advisor sees, and
    an existing account's name is not shown before its owner accepts. A new address gets an
    account with no password (set through the emailed link). The email goes out from a task
    once the membership is committed; until it has gone out, ``invitation_pending`` is set
    and the team page says so."""
    typed_email = get_user_model().objects.normalize_email(email).strip()
    user, _created = user_find_or_invite(
        email=typed_email, first_name=first_name, last_name=last_name, invited_by=invited_by,
        place=str(team), notify=False,
    )
    membership = Membership(team=team, user=user, role=role, is_lead=is_lead,
                            invitation_pending=True, accepted_at=None, invited_email=typed_email,
                            invited_name=f"{first_name.strip()} {last_name.strip()}".strip())
    try:
        membership.full_clean()
    except ValidationError as exc:
        # The person is named by email in the form; say which field is wrong there, with
        # the address as typed (never the account's own spelling of it).
        if "__all__" in exc.message_dict:
            raise ValidationError(
                {"email": _("%(email)s is already on this team or invited to it.")
                 % {"email": typed_email}},
                code="duplicate_member",
            ) from exc
        raise
    membership.save()
    # In the outbox, with the membership: published once this commits, or by the relay once
    # a broker that is down is back; never a 500 for a membership already saved.
    outbox_enqueue("teams.tasks.send_membership_invitation", membership_id=membership.pk,
                   invited_by_id=invited_by.pk)
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
    # An inactive person or one without an email: nothing went out. Not shown as pending
    # for an invitation not yet accepted: "not sent yet" would tell the advisor that the
    # address belongs to a deactivated account.
    if not sent and membership.is_accepted:
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
def membership_accept(*, membership: Membership) -> Membership:
    """The invited person joins the team: from now on the membership grants its access
    and the team sees the person's own name."""
    if membership.accepted_at is None:
        membership.accepted_at = timezone.now()
        membership.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership) -> None:
    """The invited person says no: the invitation goes, their account stays as it was."""
    if membership.accepted_at is not None:
        raise ValidationError(_("You are already on this team."), code="already_accepted")
    membership.delete()


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
