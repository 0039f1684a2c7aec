"""Cohorts, their timelines and the people who lead or watch them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collaboratives.bilingual import localized
from collaboratives.validators import DATE_MAX, DATE_MIN, validate_date_in_window, validate_one_line


class USState(models.TextChoices):
    AL = "AL", _("Alabama")
    AK = "AK", _("Alaska")
    AZ = "AZ", _("Arizona")
    AR = "AR", _("Arkansas")
    CA = "CA", _("California")
    CO = "CO", _("Colorado")
    CT = "CT", _("Connecticut")
    DE = "DE", _("Delaware")
    DC = "DC", _("District of Columbia")
    FL = "FL", _("Florida")
    GA = "GA", _("Georgia")
    HI = "HI", _("Hawaii")
    ID = "ID", _("Idaho")
    IL = "IL", _("Illinois")
    IN = "IN", _("Indiana")
    IA = "IA", _("Iowa")
    KS = "KS", _("Kansas")
    KY = "KY", _("Kentucky")
    LA = "LA", _("Louisiana")
    ME = "ME", _("Maine")
    MD = "MD", _("Maryland")
    MA = "MA", _("Massachusetts")
    MI = "MI", _("Michigan")
    MN = "MN", _("Minnesota")
    MS = "MS", _("Mississippi")
    MO = "MO", _("Missouri")
    MT = "MT", _("Montana")
    NE = "NE", _("Nebraska")
    NV = "NV", _("Nevada")
    NH = "NH", _("New Hampshire")
    NJ = "NJ", _("New Jersey")
    NM = "NM", _("New Mexico")
    NY = "NY", _("New York")
    NC = "NC", _("North Carolina")
    ND = "ND", _("North Dakota")
    OH = "OH", _("Ohio")
    OK = "OK", _("Oklahoma")
    OR = "OR", _("Oregon")
    PA = "PA", _("Pennsylvania")
    PR = "PR", _("Puerto Rico")
    RI = "RI", _("Rhode Island")
    SC = "SC", _("South Carolina")
    SD = "SD", _("South Dakota")
    TN = "TN", _("Tennessee")
    TX = "TX", _("Texas")
    UT = "UT", _("Utah")
    VT = "VT", _("Vermont")
    VA = "VA", _("Virginia")
    WA = "WA", _("Washington")
    WV = "WV", _("West Virginia")
    WI = "WI", _("Wisconsin")
    WY = "WY", _("Wyoming")


class Collaborative(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_one_line])
    topic = models.CharField(
        _("topic"), max_length=200,
        help_text=_("For example: children's social-emotional learning (Pyramid Model)."),
    )
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    start_date = models.DateField(_("start date"), validators=[validate_date_in_window])
    end_date = models.DateField(_("end date"), validators=[validate_date_in_window])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNING
    )
    aim_statement = models.TextField(
        _("aim statement"), blank=True,
        help_text=_("What will improve, by how much, for whom and by when."),
    )
    aim_statement_es = models.TextField(
        _("aim statement in Spanish"), blank=True,
        help_text=_("Optional. Shown to people who use the portal in Spanish."),
    )
    aim_target_date = models.DateField(_("aim target date"), null=True, blank=True,
                                       validators=[validate_date_in_window])
    data_due_day = models.PositiveSmallIntegerField(
        _("monthly data due on day"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Each month's data is due on this day of the following month (1–28)."),
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("monthly report due on day"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Each month's team report is due on this day of the following month (1–28)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("collaborative")
        verbose_name_plural = _("collaboratives")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="collaborative_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(data_due_day__gte=1, data_due_day__lte=28,
                            report_due_day__gte=1, report_due_day__lte=28),
                name="collaborative_due_days_in_every_month",
                violation_error_message=_("A due day runs from 1 to 28, so every month has it."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__range=(DATE_MIN, DATE_MAX), end_date__range=(DATE_MIN, DATE_MAX))
                & (Q(aim_target_date__isnull=True) | Q(aim_target_date__range=(DATE_MIN, DATE_MAX))),
                name="collaborative_dates_in_window",
                violation_error_message=_("Dates run from 2000-01-01 to 2100-12-31."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collaboratives:detail", args=[self.pk])

    @property
    def display_aim(self) -> str:
        """The aim statement in the reader's language (the Spanish one when given)."""
        return localized(self, "aim_statement")


class Period(models.Model):
    """One stretch of the collaborative's year: pre-work, a learning session, an action
    period or the closing."""

    class Kind(models.TextChoices):
        PREWORK = "prework", _("Pre-work")
        LEARNING_SESSION = "learning_session", _("Learning session")
        ACTION_PERIOD = "action_period", _("Action period")
        CLOSING = "closing", _("Closing")

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True,
        help_text=_("1, 2, 3… for learning sessions and action periods."),
    )
    start_date = models.DateField(_("start date"), validators=[validate_date_in_window])
    end_date = models.DateField(_("end date"), validators=[validate_date_in_window])
    hours = models.DecimalField(
        _("contact hours"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("Hours of the learning session, for dosage."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    agenda = models.TextField(
        _("agenda"), blank=True,
        help_text=_("For a learning session: the day's plan, one item per line (e.g. 9:00 Welcome)."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("timeline period")
        verbose_name_plural = _("timeline periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="period_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__range=(DATE_MIN, DATE_MAX), end_date__range=(DATE_MIN, DATE_MAX)),
                name="period_dates_in_window",
                violation_error_message=_("Dates run from 2000-01-01 to 2100-12-31."),
            ),
            models.UniqueConstraint(
                fields=["collaborative", "kind", "number"],
                name="period_unique_kind_number",
                violation_error_message=_("This collaborative already has that period."),
            ),
            models.UniqueConstraint(
                fields=["collaborative", "kind"],
                condition=Q(kind__in=["prework", "closing"]),
                name="period_single_prework_and_closing",
                violation_error_message=_("A collaborative has one pre-work and one closing."),
            ),
            # Numbered kinds carry a number; pre-work and closing do not.
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["learning_session", "action_period"], number__isnull=False)
                    | Q(kind__in=["prework", "closing"], number__isnull=True)
                ),
                name="period_number_matches_kind",
                violation_error_message=_(
                    "Learning sessions and action periods need a number; "
                    "pre-work and closing do not."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.number:
            return f"{self.get_kind_display()} {self.number}"
        return str(self.get_kind_display())

    @property
    def sequence_key(self) -> tuple[int, int]:
        """Where the period belongs in the BSC sequence: pre-work, LS1, AP1, LS2, …, closing."""
        if self.kind == self.Kind.PREWORK:
            return (0, 0)
        if self.kind == self.Kind.CLOSING:
            return (2, 0)
        return (1, (self.number or 0) * 2 + (self.kind == self.Kind.ACTION_PERIOD))


class CollaborativeRole(models.Model):
    """Someone who leads a collaborative: its improvement advisor, coaches and faculty."""

    class Role(models.TextChoices):
        ADVISOR = "advisor", _("Improvement advisor")
        COACH = "coach", _("Coach")
        FACULTY = "faculty", _("Faculty")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaborative_roles"
    )
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name"]
        verbose_name = _("collaborative role")
        verbose_name_plural = _("collaborative roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collaborative"],
                name="collaborative_role_unique_user",
                violation_error_message=_("This person already has a role on the collaborative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.collaborative}"


class StateViewerRole(models.Model):
    """Read-only access to the aggregates of every collaborative in one state or region."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="state_roles"
    )
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["state"]
        verbose_name = _("state viewer role")
        verbose_name_plural = _("state viewer roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "state"],
                name="state_viewer_role_unique",
                violation_error_message=_("This person already views that state."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_state_display()}"


class FrameworkItem(models.Model):
    """What every box of the driver diagram has: a title, an optional description and a
    place in its column."""

    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    description = models.TextField(_("description"), blank=True)
    # The advisor's own Spanish, shown when the reader uses the portal in Spanish.
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True,
                                validators=[validate_one_line],
                                help_text=_("Optional. Shown to people who use the portal in Spanish."))
    description_es = models.TextField(_("description in Spanish"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the reader's language (the Spanish one when given)."""
        return localized(self, "title")

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class PrimaryDriver(FrameworkItem):
    """A primary driver of the collaborative's aim (driver diagram, first column)."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="primary_drivers"
    )

    history = HistoricalRecords()

    class Meta(FrameworkItem.Meta):
        verbose_name = _("primary driver")
        verbose_name_plural = _("primary drivers")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "title"],
                                    name="primary_driver_unique_title",
                                    violation_error_message=_("That primary driver already exists.")),
        ]


class SecondaryDriver(FrameworkItem):
    """A secondary driver; it may serve several primary drivers."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="secondary_drivers"
    )
    primary_drivers = models.ManyToManyField(
        PrimaryDriver, related_name="secondary_drivers", verbose_name=_("primary drivers")
    )

    history = HistoricalRecords(m2m_fields=[primary_drivers])

    class Meta(FrameworkItem.Meta):
        verbose_name = _("secondary driver")
        verbose_name_plural = _("secondary drivers")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "title"],
                                    name="secondary_driver_unique_title",
                                    violation_error_message=_("That secondary driver already exists.")),
        ]


class ChangeIdea(FrameworkItem):
    """A change idea teams test with PDSA cycles; it may serve several secondary drivers."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="change_ideas"
    )
    secondary_drivers = models.ManyToManyField(
        SecondaryDriver, related_name="change_ideas", verbose_name=_("secondary drivers")
    )

    history = HistoricalRecords(m2m_fields=[secondary_drivers])

    class Meta(FrameworkItem.Meta):
        verbose_name = _("change idea")
        verbose_name_plural = _("change ideas")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "title"],
                                    name="change_idea_unique_title",
                                    violation_error_message=_("That change idea already exists.")),
        ]


class NotificationPreferences(models.Model):
    """One person's preferences: which of the portal's scheduled emails they want, and the
    language of their pages and emails. The row is made the first time they save their
    profile or choose a language; until then they get both emails and their browser's
    language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preferences")
    due_reminders = models.BooleanField(
        _("due-date reminders"), default=True,
        help_text=_("Three days before your team's monthly data or report is due, an email "
                    "saying what is still missing. Nothing is sent when your team is done."))
    weekly_digest = models.BooleanField(
        _("weekly digest"), default=True,
        help_text=_("For advisors and coaches, on Mondays: late data and reports, PDSA cycles "
                    "with no change for four weeks, new comments, and teams whose self-score "
                    "and your score are far apart. Nothing is sent in a quiet week."))
    # Empty: follow the browser (or the choice made on the sign-in page).
    language = models.CharField(_("language"), max_length=8, blank=True,
                                choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} — notification preferences"


class EmailClaim(models.Model):
    """One scheduled email (a reminder, a digest) to one person, claimed just before it is
    sent: a retried or repeated task finds the claim and skips that person, so nobody gets
    the same email twice. A send that fails gives its claim back for the retry. ``key``
    names the occasion within its ``kind`` (e.g. ``12:2026-03:data``, or a week's Monday)."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "recipient"],
                                               name="email_claim_once_per_occasion_and_person")]

    def __str__(self) -> str:
        return f"{self.kind} — {self.key} — {self.recipient_id}"


class PDOffering(models.Model):
    """One professional-development offering in a state's ECE system, placed on the
    Professional Development Matrix of the BSC-in-ECE brief (Figure 1).

    Two axes, each on a 1-4 scale so an offering can sit between quadrants, as the brief
    allows, but never on the fence: who it engages (1 individuals … 4 whole
    organizations/teams) and what it is for (1 knowledge gain … 4 transfer to practice).
    """

    class Quadrant(models.IntegerChoices):
        TRAINING = 1, _("Q1 Training")
        INDIVIDUAL_COACHING = 2, _("Q2 Individual coaching")
        ORGANIZATIONAL_COACHING = 3, _("Q3 Organizational coaching")
        COLLECTIVE_TRAINING = 4, _("Q4 Collective organizational training")

    AXIS = [MinValueValidator(1), MaxValueValidator(4)]

    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    engages = models.PositiveSmallIntegerField(
        _("who it engages"), validators=AXIS,
        help_text=_("1 = individuals from different programs … 4 = whole programs or teams "
                    "who work together."),
    )
    purpose = models.PositiveSmallIntegerField(
        _("what it is for"), validators=AXIS,
        help_text=_("1 = knowledge gain … 4 = transfer of knowledge to practice."),
    )
    programs_reached = models.PositiveIntegerField(_("programs reached a year"), default=0)
    people_reached = models.PositiveIntegerField(_("people reached a year"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "name"]
        verbose_name = _("professional-development offering")
        verbose_name_plural = _("professional-development offerings")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name"], name="pd_offering_unique_name",
                violation_error_message=_("This state already lists an offering with this name."),
            ),
            models.CheckConstraint(
                condition=Q(engages__gte=1, engages__lte=4, purpose__gte=1, purpose__lte=4),
                name="pd_offering_axes_in_range",
                violation_error_message=_("Both axes run from 1 to 4."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quadrant(self) -> int:
        return quadrant_of(self.engages, self.purpose)

    def get_quadrant_display(self) -> str:
        return str(self.Quadrant(self.quadrant).label)


def quadrant_of(engages: int, purpose: int) -> int:
    """The brief's quadrant: individuals on the left (Q1 below, Q2 above), organizations on
    the right (Q4 below, Q3 above); knowledge gain below, transfer to practice above."""
    organization = engages >= 3
    practice = purpose >= 3
    if organization:
        return 3 if practice else 4
    return 2 if practice else 1


class ApiToken(models.Model):
    """One named key a person uses to call the API (``Authorization: Token <key>``).

    Only the SHA-256 of the key is stored: the key is shown once, when it is made, and a
    copy of the database lets nobody call the API. Keys are long and random, so a plain
    hash is enough (no salt or slow hash). Every token expires; revoking one deletes it.
    ``collaboratives.tokens`` makes, checks and revokes them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line],
                            help_text=_("What uses it, e.g. “laptop script”."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"))
    expires = models.DateTimeField(_("expires"))
    # Written at most once a minute (see tokens.ApiTokenAuthentication), not on every call.
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    # Who made or revoked which token, and when; the hash stays out, and last_used is a
    # queryset update that leaves no history row.
    history = HistoricalRecords(excluded_fields=["key_hash"])

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], name="api_token_unique_name_per_user",
                violation_error_message=_("You already have a token with this name."),
            ),
            models.CheckConstraint(condition=Q(expires__gt=models.F("created")),
                                   name="api_token_expires_after_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()


class OutboxMessage(models.Model):
    """A Celery task that is due because a change committed: written in the same transaction
    as the change, so the change and its email or job are saved together or not at all, and
    relayed to the broker afterwards by ``collaboratives.outbox`` (at once, and again by beat
    while the broker is down). ``sent_at`` is set when the broker took it; the tasks are
    idempotent, so the rare message published twice (a crash between publishing and marking
    it sent) still does its work once."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The exception's class only: its text may carry an email address.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="outbox_unsent")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
