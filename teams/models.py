"""ECE programs, their teams in a collaborative, and who is on each team."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collaboratives.models import Collaborative, USState


class Organization(models.Model):
    """An early care and education program that sends a team."""

    class Kind(models.TextChoices):
        CHILD_CARE_CENTER = "child_care_center", _("Child care center")
        HEAD_START = "head_start", _("Head Start / Early Head Start")
        STATE_PRE_K = "state_pre_k", _("State pre-K")
        FAMILY_CHILD_CARE = "family_child_care", _("Family child care network")

    class FundingStream(models.TextChoices):
        CCDF = "ccdf", _("Child care subsidy (CCDF)")
        HEAD_START = "head_start", _("Head Start / Early Head Start")
        STATE_PRE_K = "state_pre_k", _("State pre-K")
        IDEA = "idea", _("IDEA Part B/C")
        PRIVATE_TUITION = "private_tuition", _("Private tuition")
        CACFP = "cacfp", _("CACFP")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of program"), max_length=30, choices=Kind.choices)
    funding_streams = models.JSONField(_("funding streams"), default=list, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "city", "state"],
                name="organization_unique_name_place",
                violation_error_message=_("An organization with this name is already in that city."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = set(self.FundingStream.values)
        if not isinstance(self.funding_streams, list) or not set(self.funding_streams) <= allowed:
            raise ValidationError(
                {"funding_streams": _("Choose funding streams from the list.")}, code="invalid"
            )

    def get_funding_streams_display(self) -> list[str]:
        labels = dict(self.FundingStream.choices)
        return [str(labels.get(value, value)) for value in self.funding_streams]


class Team(models.Model):
    """One organization's cross-role team in one collaborative."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.PROTECT, related_name="teams"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("team name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "organization"],
                name="team_one_per_organization",
                violation_error_message=_(
                    "This organization already has a team in this collaborative."
                ),
            ),
            models.UniqueConstraint(
                fields=["collaborative", "name"],
                name="team_unique_name",
                violation_error_message=_(
                    "A team with this name is already in this collaborative."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:detail", args=[self.pk])


class MemberRole(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    EDUCATOR = "educator", _("Educator")
    OTHER_STAFF = "other_staff", _("Other staff")
    FAMILY = "family", _("Family member")


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role on the team"), max_length=20, choices=MemberRole.choices)
    is_lead = models.BooleanField(_("team lead"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_lead", "role", "user__last_name", "user__first_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                name="membership_unique_person",
                violation_error_message=_("This person is already on the team."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.team}"
