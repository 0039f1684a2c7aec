"""PDSA cycles (the IHI worksheet), the ramps they form, who took part, and the comments on
them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collaboratives.models import ChangeIdea
from measures.models import Measure
from pdsa.validators import validate_one_line
from teams.models import MemberRole, Team


class Cycle(models.Model):
    """One test of a change idea by one team: Plan, Do, Study, Act."""

    class Status(models.TextChoices):
        PLAN = "plan", _("Plan")
        DO = "do", _("Do")
        STUDY = "study", _("Study")
        ACT = "act", _("Act")
        COMPLETE = "complete", _("Complete")

    class Decision(models.TextChoices):
        ADOPT = "adopt", _("Adopt")
        ADAPT = "adapt", _("Adapt")
        ABANDON = "abandon", _("Abandon")

    class Scale(models.TextChoices):
        # A test may be at home as well as in a room. The stored values predate that and are
        # kept (the API publishes them); only their labels widened, and A_FEW is new.
        ONE_CHILD = "one_child", _("One child or family")
        A_FEW = "a_few", _("A few children or families")
        ONE_CLASSROOM = "one_classroom", _("One classroom or home group")
        SEVERAL_CLASSROOMS = "several_classrooms", _("Several classrooms")
        WHOLE_PROGRAM = "whole_program", _("The whole program")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="pdsa_cycles")
    change_idea = models.ForeignKey(
        ChangeIdea, on_delete=models.PROTECT, related_name="pdsa_cycles",
        verbose_name=_("change idea tested"),
    )
    follows = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by",
        verbose_name=_("follows cycle"),
        help_text=_("The earlier cycle on the same change idea that this one builds on."),
    )
    number = models.PositiveSmallIntegerField(
        _("cycle number"), default=1, help_text=_("Position in its ramp: 1, 2, 3…"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    # No default: a default once made every one-child test at home "one classroom". Blank
    # until the person picks it; leaving Plan needs it (services.STAGE_REQUIREMENTS).
    scale = models.CharField(_("scale of the test"), max_length=20, choices=Scale.choices,
                             blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PLAN)

    # Plan
    objective = models.TextField(_("objective"), blank=True)
    questions = models.TextField(_("questions"), blank=True,
                                 help_text=_("What do you want to learn from this test?"))
    prediction = models.TextField(_("prediction"), blank=True,
                                  help_text=_("What do you think will happen?"))
    plan_who = models.TextField(_("who"), blank=True)
    plan_what = models.TextField(_("what you will do"), blank=True)
    plan_when = models.CharField(_("when"), max_length=200, blank=True)
    plan_where = models.CharField(_("where"), max_length=200, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    data_collection_plan = models.TextField(
        _("data collection plan"), blank=True,
        help_text=_("Who collects what data, when and how."),
    )
    measures = models.ManyToManyField(Measure, blank=True, related_name="pdsa_cycles",
                                      verbose_name=_("linked measures"))

    # Do
    do_what_happened = models.TextField(_("what happened"), blank=True)
    do_problems = models.TextField(_("problems"), blank=True)
    do_unexpected = models.TextField(_("unexpected observations"), blank=True)
    done_on = models.DateField(_("date done"), null=True, blank=True)

    # Study
    study_summary = models.TextField(
        _("results compared with the prediction"), blank=True,
    )
    study_learned = models.TextField(_("what was learned"), blank=True)

    # Act
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                blank=True)
    next_step = models.TextField(_("next step"), blank=True)

    # Who: the roles are copied when a person is chosen, so a later change of role on the
    # team does not rewrite who led the test.
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="led_pdsa_cycles", verbose_name=_("lead"))
    lead_role = models.CharField(_("lead's role"), max_length=20, choices=MemberRole.choices,
                                 blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CycleParticipant", blank=True,
        related_name="pdsa_cycles", verbose_name=_("participants"),
    )

    is_shared = models.BooleanField(_("shared with the collaborative"), default=False)
    version = models.PositiveIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[measures])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("PDSA cycle")
        verbose_name_plural = _("PDSA cycles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="complete") | (~Q(decision="") & ~Q(study_summary="")),
                name="pdsa_cycle_complete_has_study_and_decision",
                violation_error_message=_(
                    "A complete cycle needs a study summary and a decision."),
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(planned_start__isnull=True)
                | Q(done_on__gte=models.F("planned_start")),
                name="pdsa_cycle_done_after_planned_start",
                violation_error_message=_("The date done must not be before the planned start."),
            ),
            # A ramp is a line: each cycle has at most one next cycle.
            models.UniqueConstraint(
                fields=["follows"], condition=Q(follows__isnull=False),
                name="pdsa_cycle_one_next_cycle",
                violation_error_message=_("That cycle already has a next cycle."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="pdsa_cycle_number_positive",
                                   violation_error_message=_("Cycle numbers start at 1.")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pdsa:cycle-detail", args=[self.pk])

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE

    @property
    def next_status(self) -> str | None:
        order = self.Status.values
        index = order.index(self.status)
        return order[index + 1] if index + 1 < len(order) else None

    @property
    def previous_status(self) -> str | None:
        order = self.Status.values
        index = order.index(self.status)
        return order[index - 1] if index > 0 else None


class CycleParticipant(models.Model):
    """Someone who took part in a cycle, with their role on the team at the time."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="pdsa_participations")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="pdsa_participant_unique",
                                    violation_error_message=_("This person is listed twice.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class CycleComment(models.Model):
    """One message in the thread under a cycle (team members and coaches)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="pdsa_comments")
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the email went out, so a retried task does not send it twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author} on {self.cycle}"


# --- Photos and files on a cycle (pdsa.attachments) -------------------------------------

from django.core.files.storage import Storage, storages  # noqa: E402  (this section's own)


def attachment_storage() -> Storage:
    """The "attachments" storage (settings.STORAGES): private files on disk by default, or
    a private S3 bucket. A callable, so the migration names it rather than a location."""
    return storages["attachments"]


def attachment_path(instance: CycleAttachment, filename: str) -> str:
    """A random name under the cycle's folder: the name a person gave never reaches the
    storage (it is kept, one line, in ``original_name``)."""
    import uuid

    extension = CycleAttachment.EXTENSIONS.get(instance.content_type, "")
    return f"pdsa/cycles/{instance.cycle_id}/{uuid.uuid4().hex}{extension}"


class CycleAttachment(models.Model):
    """A photo or a file on a cycle (a visual schedule, a sign-in sheet). Served only through
    ``pdsa:attachment``, under the same rules as the cycle's team work; never a public URL."""

    class ContentType(models.TextChoices):
        # Found from the content, never from the name or the browser's word for it.
        JPEG = "image/jpeg", _("JPEG photo")
        PNG = "image/png", _("PNG image")
        WEBP = "image/webp", _("WebP image")
        PDF = "application/pdf", _("PDF document")

    EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
                  "application/pdf": ".pdf"}

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, storage=attachment_storage,
                            max_length=255)
    original_name = models.CharField(_("file name"), max_length=200,
                                     validators=[validate_one_line])
    content_type = models.CharField(_("type"), max_length=40, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    caption = models.CharField(_("caption"), max_length=200, blank=True,
                               validators=[validate_one_line])
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("photo or file")
        verbose_name_plural = _("photos and files")
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1), name="pdsa_attachment_not_empty",
                                   violation_error_message=_("The file is empty.")),
        ]

    def __str__(self) -> str:
        return self.caption or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("pdsa:attachment", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")



def attachment_file_cleanup(sender: type, instance: CycleAttachment, **kwargs: object) -> None:
    """The stored file goes with its row, also when the cycle is deleted (by cascade); after
    the commit, so a rolled-back removal keeps its file."""
    from django.db import transaction

    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


models.signals.post_delete.connect(attachment_file_cleanup, sender=CycleAttachment,
                                   dispatch_uid="pdsa_attachment_file_cleanup")
