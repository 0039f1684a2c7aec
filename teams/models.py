"""ECE programs, their teams in a collaborative, and who is on each team."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collaboratives.models import Collaborative, Period, USState
from collaboratives.validators import validate_one_line


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

    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    kind = models.CharField(_("kind of program"), max_length=30, choices=Kind.choices)
    funding_streams = models.JSONField(_("funding streams"), default=list, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    # Who described it first. With the teams attached to it, this decides who may change
    # it (teams.access.can_edit_organization) and whose team form offers it.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, editable=False, related_name="+")

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
    name = models.CharField(_("team name"), max_length=200, validators=[validate_one_line])
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


class MembershipQuerySet(models.QuerySet):
    def accepted(self) -> MembershipQuerySet:
        """The members: an invitation not yet accepted grants nothing, counts for nothing
        and names no one."""
        return self.filter(accepted_at__isnull=False)


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role on the team"), max_length=20, choices=MemberRole.choices)
    is_lead = models.BooleanField(_("team lead"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    # True from the moment a person is added until the email telling them has gone out
    # (queued, retrying, or failed for good); the team page shows it to the advisor.
    invitation_pending = models.BooleanField(_("invitation not sent yet"), default=False,
                                             editable=False)
    # An advisor adds someone by typing an email; the person joins when they accept. Until
    # then (``accepted_at`` empty) the membership grants nothing, and the team shows only
    # what the advisor typed, so adding an email never tells whether it has an account.
    # Memberships made any other way (seed data, admin, tests) count as accepted.
    invited_email = models.EmailField(_("invited email"), blank=True, editable=False)
    invited_name = models.CharField(_("invited name"), max_length=301, blank=True,
                                    editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True,
                                       default=timezone.now, editable=False)

    # Bookkeeping of the mail queue, not an edit anyone made: kept out of the history.
    history = HistoricalRecords(excluded_fields=["invitation_pending"])
    objects = MembershipQuerySet.as_manager()

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

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def display_name(self) -> str:
        """The name others see: what the advisor typed until the person has accepted, then
        the person's own."""
        if not self.is_accepted:
            return self.invited_name or self.invited_email
        return self.user.get_full_name() or self.user.get_username()


# --- Participation: learning-session attendance, affinity groups, evaluations ---------------
# Dosage (hours per person, team and role) is read from these rows. Each row copies the
# person's team and role at the time, so a later change of role or team does not rewrite
# who took part.

HOURS = [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))]


class SessionAttendance(models.Model):
    """Hours one team member spent at one learning session, recorded by the advisor."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="attendance",
                               verbose_name=_("learning session"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="session_attendance")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="session_attendance")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, validators=HOURS)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period__start_date", "team__name", "user__last_name", "user__first_name"]
        verbose_name = _("learning-session attendance")
        verbose_name_plural = _("learning-session attendance")
        constraints = [
            models.UniqueConstraint(fields=["period", "user"], name="session_attendance_once",
                                    violation_error_message=_("This person is already recorded.")),
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_attendance_hours_positive",
                                   violation_error_message=_("Hours must be more than 0.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.period}"


class AffinityGroup(models.Model):
    """People of one role across the collaborative's teams (all family members, all
    administrators…), meeting with a coach."""

    collaborative = models.ForeignKey(Collaborative, on_delete=models.CASCADE,
                                      related_name="affinity_groups")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices,
                            help_text=_("Who the group is for."))
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="coached_affinity_groups",
                              verbose_name=_("coach"))
    description = models.TextField(_("purpose"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("affinity group")
        verbose_name_plural = _("affinity groups")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "name"], name="affinity_group_unique_name",
                violation_error_message=_("This collaborative already has a group with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AffinityMeeting(models.Model):
    group = models.ForeignKey(AffinityGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("length in hours"), max_digits=4, decimal_places=1,
                                validators=HOURS)
    topic = models.CharField(_("topic"), max_length=200)
    notes = models.TextField(_("notes"), blank=True,
                             help_text=_("Seen by the collaborative's leaders and the group's members."))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("affinity-group meeting")
        verbose_name_plural = _("affinity-group meetings")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="affinity_meeting_hours_positive",
                                   violation_error_message=_("Hours must be more than 0.")),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.date}"


class AffinityAttendance(models.Model):
    """One person at one affinity-group meeting, for the meeting's hours unless told otherwise."""

    meeting = models.ForeignKey(AffinityMeeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="affinity_attendance")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="affinity_attendance")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, validators=HOURS)

    history = HistoricalRecords()

    class Meta:
        ordering = ["team__name", "user__last_name", "user__first_name"]
        verbose_name = _("affinity-group attendance")
        verbose_name_plural = _("affinity-group attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="affinity_attendance_once",
                                    violation_error_message=_("This person is already recorded.")),
            models.CheckConstraint(condition=Q(hours__gt=0), name="affinity_attendance_hours_positive",
                                   violation_error_message=_("Hours must be more than 0.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class Evaluation(models.Model):
    """A short evaluation form for one learning session, set by the advisor."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="evaluations",
                               verbose_name=_("learning session"))
    title = models.CharField(_("title"), max_length=200)
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous answers"), default=True,
        help_text=_("Answers are kept apart from who gave them; only each person's role is kept."),
    )
    is_open = models.BooleanField(_("open for answers"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period__start_date", "title"]
        verbose_name = _("learning-session evaluation")
        verbose_name_plural = _("learning-session evaluations")

    def __str__(self) -> str:
        return self.title


class EvaluationQuestion(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating from 1 to 5")
        TEXT = "text", _("Open question")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    text_es = models.CharField(_("question in Spanish"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("evaluation question")
        verbose_name_plural = _("evaluation questions")

    def __str__(self) -> str:
        return self.text


class EvaluationSubmission(models.Model):
    """That a person has answered (so nobody answers twice). Kept apart from the answers,
    which for an anonymous form carry only the role. Its key is random, as are the answers'
    keys: keys counted up in both tables would pair each answer with who sent it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submitted_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "user"], name="evaluation_answered_once",
                                    violation_error_message=_("You have already answered this evaluation.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} answered {self.evaluation}"


class EvaluationResponse(models.Model):
    """One person's answers. ``respondent`` and ``team`` stay empty on an anonymous form;
    there is no timestamp, and the key is random rather than counted up, so neither time
    nor order can pair an answer with the submission that records who sent it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)

    class Meta:
        # No default order: pages list anonymous answers by their text, never by pk, so an
        # answer's position does not give away who answered first.
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.evaluation}"


class EvaluationAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(EvaluationResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(EvaluationQuestion, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(blank=True, max_length=3000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="evaluation_answer_once"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="evaluation_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.rating or self.text[:40]}"
