"""The collaborative's measures and the monthly values teams enter for them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collaboratives.bilingual import localized
from collaboratives.models import Collaborative
from collaboratives.validators import validate_date_in_window, validate_one_line
from teams.models import Team

# Empty means every month sets the centre line; 0 months would set it from no points at all.
BASELINE_LENGTH_MESSAGE = _("Give at least 1 month, or leave it empty to use all months.")


class Measure(models.Model):
    class Type(models.TextChoices):
        OUTCOME = "outcome", _("Outcome")
        PROCESS = "process", _("Process")
        BALANCING = "balancing", _("Balancing")

    class Unit(models.TextChoices):
        PERCENT = "percent", _("Percent")
        RATE = "rate", _("Rate per N")
        COUNT = "count", _("Count")
        MEAN = "mean", _("Mean")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    class ChartKind(models.TextChoices):
        RUN = "run", _("Run chart")
        P = "p", _("p chart (proportions)")
        U = "u", _("u chart (rates)")
        XMR = "xmr", _("XmR chart (individual values)")
        # qicharts2's names; see measures.spc for the formulas.
        C = "c", _("c chart (counts of rare events)")
        G = "g", _("g chart (opportunities between events)")
        T = "t", _("t chart (time between events)")
        PP = "pp", _("Laney p′ chart (proportions, large denominators)")
        UP = "up", _("Laney u′ chart (rates, large denominators)")

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="measures"
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    operational_definition = models.TextField(
        _("operational definition"),
        help_text=_("Exactly what is counted, how and when, so every team counts alike."),
    )
    numerator_definition = models.CharField(_("numerator"), max_length=300)
    denominator_definition = models.CharField(
        _("denominator"), max_length=300, blank=True,
        help_text=_("Leave empty for a plain count."),
    )
    # Short names for the data-entry fields, in the team's words ("Exclusion events"); the
    # definitions above say exactly what counts, these only label the boxes.
    numerator_label = models.CharField(
        _("numerator name"), max_length=80, blank=True,
        help_text=_("A short name for the data-entry field, e.g. “Exclusion events”."),
    )
    denominator_label = models.CharField(
        _("denominator name"), max_length=80, blank=True,
        help_text=_("A short name for the data-entry field, e.g. “Children enrolled on the 15th”."),
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    rate_per = models.PositiveIntegerField(
        _("rate per"), default=100, help_text=_("For rates: per how many (e.g. 100 children)."),
    )
    direction = models.CharField(_("direction of improvement"), max_length=4,
                                 choices=Direction.choices)
    goal = models.DecimalField(_("goal"), max_digits=12, decimal_places=2, null=True, blank=True,
                               help_text=_("The value the shared aim asks for, in the unit above."))
    chart_kind = models.CharField(_("chart"), max_length=4, choices=ChartKind.choices,
                                  default=ChartKind.RUN)
    baseline_length = models.PositiveSmallIntegerField(
        _("baseline months"), null=True, blank=True,
        validators=[MinValueValidator(1, message=BASELINE_LENGTH_MESSAGE)],
        help_text=_("The first N months set the median (and limits); empty means all months."),
    )
    stratification = models.CharField(
        _("stratified by"), max_length=120, blank=True,
        help_text=_("A dimension such as child's race/ethnicity or home language; empty if none."),
    )
    # The team records each event with its date (measures.events); the monthly counts are
    # derived from the events, so every figure above the team still sees counts only.
    records_events = models.BooleanField(
        _("teams record each event with its date"), default=False,
        help_text=_("For rare events such as expulsions: teams enter each event on the day it "
                    "happens, and the portal counts them month by month. A count, with no "
                    "denominator and no groups."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The advisor's own Spanish (collaboratives.bilingual): shown to readers who use the
    # portal in Spanish when filled in, the English otherwise.
    stratification_es = models.CharField(_("stratified by, in Spanish"), max_length=120, blank=True)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True,
                               help_text=_("Optional. Shown to people who use the portal in Spanish."))
    operational_definition_es = models.TextField(_("operational definition in Spanish"), blank=True)
    numerator_definition_es = models.CharField(_("numerator in Spanish"), max_length=300, blank=True)
    denominator_definition_es = models.CharField(_("denominator in Spanish"), max_length=300,
                                                 blank=True)
    numerator_label_es = models.CharField(_("numerator name in Spanish"), max_length=80, blank=True)
    denominator_label_es = models.CharField(_("denominator name in Spanish"), max_length=80,
                                            blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "name"], name="measure_unique_name",
                violation_error_message=_("This collaborative already has a measure with that name."),
            ),
            models.CheckConstraint(
                condition=Q(rate_per__gt=0), name="measure_rate_per_positive",
                violation_error_message=_("The rate must be per at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_length__isnull=True) | Q(baseline_length__gt=0),
                name="measure_baseline_length_positive",
                violation_error_message=BASELINE_LENGTH_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("measures:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name in the reader's language (the Spanish one when given)."""
        return localized(self, "name")

    @property
    def display_stratification(self) -> str:
        return localized(self, "stratification")

    @property
    def display_definition(self) -> str:
        return localized(self, "operational_definition")

    @property
    def display_numerator_definition(self) -> str:
        return localized(self, "numerator_definition")

    @property
    def display_denominator_definition(self) -> str:
        return localized(self, "denominator_definition")

    @property
    def has_denominator(self) -> bool:
        return bool(self.denominator_definition)

    @property
    def is_stratified(self) -> bool:
        return bool(self.stratification)

    @property
    def numerator_name(self) -> str:
        """The numerator field's label: the measure's own words, else a plain default."""
        label = localized(self, "numerator_label")
        if label:
            return label
        return str(_("Numerator") if self.has_denominator else _("Count"))

    @property
    def denominator_name(self) -> str:
        return localized(self, "denominator_label") or str(_("Denominator"))

    def value_of(self, numerator: Decimal | float, denominator: Decimal | float | None) -> float | None:
        """The plotted value of one month: a percent, a rate per N, a count or a mean."""
        if self.has_denominator:
            if not denominator:
                return None
            ratio = float(numerator) / float(denominator)
            if self.unit == self.Unit.PERCENT:
                return 100 * ratio
            if self.unit == self.Unit.RATE:
                return self.rate_per * ratio
            return ratio
        return float(numerator)


class Stratum(models.Model):
    """One group of a stratified measure, e.g. one race/ethnicity category."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="strata")
    label = models.CharField(_("group"), max_length=120)
    label_es = models.CharField(_("group in Spanish"), max_length=120, blank=True)
    is_reference = models.BooleanField(
        _("reference group"), default=False,
        help_text=_("Other groups' rates are compared with this one."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")
        constraints = [
            models.UniqueConstraint(fields=["measure", "label"], name="stratum_unique_label",
                                    violation_error_message=_("That group is listed twice.")),
            models.UniqueConstraint(fields=["measure"], condition=Q(is_reference=True),
                                    name="stratum_one_reference",
                                    violation_error_message=_("Only one reference group.")),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The group's name in the reader's language (the Spanish one when given)."""
        return localized(self, "label")


class MeasureValue(models.Model):
    """One team's value of one measure for one month (and one stratum, if stratified)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="measure_values")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    stratum = models.ForeignKey(Stratum, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="values")
    numerator = models.DecimalField(_("numerator"), max_digits=12, decimal_places=2)
    denominator = models.DecimalField(_("denominator"), max_digits=12, decimal_places=2,
                                      null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "month"]
        verbose_name = _("measure value")
        verbose_name_plural = _("measure values")
        constraints = [
            # Two partial constraints, because NULL strata are distinct in a plain one.
            models.UniqueConstraint(
                fields=["team", "measure", "month"], condition=Q(stratum__isnull=True),
                name="measure_value_one_per_month",
                violation_error_message=_("This month already has a value for this measure."),
            ),
            models.UniqueConstraint(
                fields=["team", "measure", "month", "stratum"],
                condition=Q(stratum__isnull=False), name="measure_value_one_per_month_stratum",
                violation_error_message=_("This month already has a value for this group."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__gte=0), name="measure_value_numerator_not_negative",
                violation_error_message=_("The numerator cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measure_value_denominator_positive",
                violation_error_message=_("The denominator must be more than 0."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="measure_value_month_first_day",
                violation_error_message=_("A month is stored as its first day."),
            ),
        ]
        indexes = [models.Index(fields=["measure", "month"])]

    def __str__(self) -> str:
        return f"{self.team} — {self.measure} — {self.month:%Y-%m}"

    @property
    def value(self) -> float | None:
        return self.measure.value_of(self.numerator, self.denominator)



class ParetoTally(models.Model):
    """A team's counts by category over a period (reasons for early pick-ups, settings of
    incidents), drawn as a Pareto chart. No link to a PDSA cycle: ``pdsa`` sits above
    ``measures``, so a cycle may point here one day, never the reverse."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="pareto_tallies")
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    start = models.DateField(_("period start"), validators=[validate_date_in_window])
    end = models.DateField(_("period end"), validators=[validate_date_in_window])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-end", "-pk"]
        verbose_name = _("Pareto tally")
        verbose_name_plural = _("Pareto tallies")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="pareto_tally_end_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pareto:detail", kwargs={"pk": self.pk})


class ParetoCategory(models.Model):
    tally = models.ForeignKey(ParetoTally, on_delete=models.CASCADE, related_name="categories")
    label = models.CharField(_("category"), max_length=120, validators=[validate_one_line])
    count = models.PositiveIntegerField(_("count"))
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tally", "order", "pk"]
        verbose_name = _("Pareto category")
        verbose_name_plural = _("Pareto categories")
        constraints = [
            models.UniqueConstraint(
                fields=["tally", "label"], name="pareto_category_unique_label",
                violation_error_message=_("Each category appears once in a tally."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.count}"


class MeasureEvent(models.Model):
    """One rare event (an expulsion on 3 March) a team recorded for a measure that
    ``records_events``. Team-private: dates could identify a child, so only the monthly
    counts derived from them (``measures.events``) reach any figure about more than one team."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="events")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="measure_events")
    date = models.DateField(_("date"), validators=[validate_date_in_window])
    note = models.CharField(_("note"), max_length=200, blank=True, validators=[validate_one_line],
                            help_text=_("Optional, seen by your team and its coaches only. "
                                        "No names."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["team", "measure", "date"])]

    def __str__(self) -> str:
        return f"{self.team} — {self.measure} — {self.date:%Y-%m-%d}"


class MeasurePhase(models.Model):
    """A new phase of a measure's chart from ``start_month`` on, after a change was adopted:
    its own centre line, limits and signal rules (qicharts2's ``part``, Making Data Count's
    rebase). ``team`` null: a phase of the collaborative's pooled chart, set by its leaders."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phases")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="measure_phases")
    start_month = models.DateField(_("first month of the phase"),
                                   help_text=_("The first day of the month."))
    reason = models.CharField(_("reason"), max_length=200, validators=[validate_one_line],
                              help_text=_("For example: Adopted: greeting song at drop-off."))
    change_idea = models.ForeignKey("collaboratives.ChangeIdea", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="measure_phases",
                                    verbose_name=_("adopted change idea"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "team", "start_month"]
        verbose_name = _("chart phase")
        verbose_name_plural = _("chart phases")
        constraints = [
            # Two partial constraints, because NULL teams are distinct in a plain one.
            models.UniqueConstraint(
                fields=["measure", "team", "start_month"], condition=Q(team__isnull=False),
                name="measure_phase_one_per_month",
                violation_error_message=_("A phase already starts in this month."),
            ),
            models.UniqueConstraint(
                fields=["measure", "start_month"], condition=Q(team__isnull=True),
                name="measure_phase_one_per_month_pooled",
                violation_error_message=_("A phase already starts in this month."),
            ),
            models.CheckConstraint(
                condition=Q(start_month__day=1), name="measure_phase_month_first_day",
                violation_error_message=_("A month is stored as its first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} — {self.start_month:%Y-%m}: {self.reason}"
