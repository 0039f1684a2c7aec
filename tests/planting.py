"""Plant chosen text in every free-text field of a collaborative and of one of its teams.

Two attacks in the suite use it: the XSS sweep plants hostile markup, the planted-marker walk
plants a unique marker per field and looks for it where it must not show. Rows are written
with the ORM (fast, and past the forms, as an attacker with a bug in a form would), and each
model's fields are found by introspection, so a new text field on a planted model is planted
without anyone remembering to.

``text`` maps a label, ``"app.Model.field"``, to what to write there. A label may carry a
suffix, ``"@shared"``: the same field in a place with other readers (a cycle the team shared
with the collaborative).
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Max
from django.utils import timezone
from pypdf import PdfWriter

from collaboratives.models import (
    ChangeIdea,
    Collaborative,
    PDOffering,
    Period,
    PrimaryDriver,
    SecondaryDriver,
)
from measures.models import (
    Measure,
    MeasureEvent,
    MeasurePhase,
    MeasureValue,
    ParetoCategory,
    ParetoTally,
    Stratum,
)
from measures.months import add_months, month_start
from pdsa.attachments import attachment_add
from pdsa.models import Cycle, CycleAttachment, CycleComment, CycleParticipant
from reports.models import MonthlyReport
from reports.services import monthly_report_build
from teams.models import (
    AffinityGroup,
    AffinityMeeting,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSubmission,
    MemberRole,
    Membership,
    Organization,
    Team,
)

Text = Callable[[str], str]

# Auth's own fields a person writes about themselves; the password is a hash.
PERSON_FIELDS = ("first_name", "last_name", "email")


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    """Concrete CharFields and TextFields that hold words, not a choice from a list."""
    return [field for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices]


def label_of(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label}.{name}"


def texts(model: type[models.Model], text: Text, *, skip: Iterable[str] = (),
          suffix: str = "") -> dict[str, str]:
    """``{field: text}`` for every free-text field of ``model`` but ``skip``."""
    skipped = set(skip)
    return {field.name: text(label_of(model, field.name) + suffix)
            for field in free_text_fields(model) if field.name not in skipped}


def pdf_bytes() -> bytes:
    """A one-page PDF that PDF readers (the walk's) open."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def recent_months(count: int) -> list[datetime.date]:
    """The ``count`` months up to last month, oldest first (reports and charts show them)."""
    last = add_months(month_start(timezone.localdate()), -1)
    return [add_months(last, -back) for back in range(count - 1, -1, -1)]


@dataclass
class PlantedCollaborative:
    collaborative: Collaborative
    period: Period
    idea: ChangeIdea
    measure: Measure
    stratified: Measure
    strata: list[Stratum]
    evaluation: Evaluation
    text_question: EvaluationQuestion
    rating_question: EvaluationQuestion
    group: AffinityGroup
    meeting: AffinityMeeting
    offering: PDOffering


@dataclass
class PlantedTeam:
    team: Team
    person: AbstractBaseUser
    private_cycle: Cycle
    shared_cycle: Cycle
    shared_open_cycle: Cycle
    report: MonthlyReport


def plant_collaborative(collaborative: Collaborative, *, text: Text, advisor: AbstractBaseUser,
                        group_role: str = MemberRole.FAMILY) -> PlantedCollaborative:
    """The collaborative's own words: name and aim, a learning session, the driver diagram,
    two measures (one stratified), a named evaluation, an affinity group with a meeting, and
    a professional-development offering of its state."""
    Collaborative.objects.filter(pk=collaborative.pk).update(**texts(Collaborative, text))
    collaborative.refresh_from_db()
    number = (collaborative.periods.filter(kind=Period.Kind.LEARNING_SESSION)
              .aggregate(n=Max("number"))["n"] or 0) + 1
    period = Period.objects.create(
        collaborative=collaborative, kind=Period.Kind.LEARNING_SESSION, number=number,
        start_date=datetime.date(2026, 4, number % 28 + 1),
        end_date=datetime.date(2026, 4, number % 28 + 1), hours=Decimal("6"),
        **texts(Period, text))
    primary = PrimaryDriver.objects.create(collaborative=collaborative,
                                           **texts(PrimaryDriver, text))
    secondary = SecondaryDriver.objects.create(collaborative=collaborative,
                                               **texts(SecondaryDriver, text))
    secondary.primary_drivers.add(primary)
    idea = ChangeIdea.objects.create(collaborative=collaborative, **texts(ChangeIdea, text))
    idea.secondary_drivers.add(secondary)
    shape = {"type": Measure.Type.PROCESS, "unit": Measure.Unit.PERCENT,
             "direction": Measure.Direction.UP, "chart_kind": Measure.ChartKind.P,
             "goal": Decimal("80")}
    measure = Measure.objects.create(collaborative=collaborative, order=90,
                                     **{**texts(Measure, text), "stratification": ""}, **shape)
    stratified = Measure.objects.create(collaborative=collaborative, order=91,
                                        **texts(Measure, text), **shape)
    strata = [Stratum.objects.create(measure=stratified, order=0, is_reference=True,
                                     **texts(Stratum, text)),
              Stratum.objects.create(measure=stratified, order=1, label="Other")]
    evaluation = Evaluation.objects.create(period=period, is_anonymous=False, is_open=True,
                                           created_by=advisor, **texts(Evaluation, text))
    text_question = EvaluationQuestion.objects.create(
        evaluation=evaluation, order=1, kind=EvaluationQuestion.Kind.TEXT,
        **texts(EvaluationQuestion, text))
    rating_question = EvaluationQuestion.objects.create(
        evaluation=evaluation, order=0, kind=EvaluationQuestion.Kind.RATING, text="Useful?")
    group = AffinityGroup.objects.create(collaborative=collaborative, role=group_role,
                                         coach=advisor, **texts(AffinityGroup, text))
    meeting = AffinityMeeting.objects.create(group=group, date=period.start_date,
                                             hours=Decimal("1.5"), **texts(AffinityMeeting, text))
    offering = PDOffering.objects.create(state=collaborative.state, engages=2, purpose=3,
                                         created_by=None, **texts(PDOffering, text))
    return PlantedCollaborative(
        collaborative=collaborative, period=period, idea=idea, measure=measure,
        stratified=stratified, strata=strata, evaluation=evaluation,
        text_question=text_question, rating_question=rating_question, group=group,
        meeting=meeting, offering=offering)


def plant_person(person: AbstractBaseUser, *, text: Text, username: bool = False) -> None:
    """A person's name and email (and, if asked, their username: it must stay valid)."""
    user_model = get_user_model()
    fields = {name: text(label_of(user_model, name)) for name in PERSON_FIELDS}
    domain = "@example.org"
    room = user_model._meta.get_field("email").max_length - len(domain)
    fields["email"] = fields["email"][-room:] + domain  # the end: a marker, or the tag
    if username:
        fields["username"] = text(label_of(user_model, "username"))
    user_model.objects.filter(pk=person.pk).update(**fields)
    person.refresh_from_db()
    token_model = _model("collaboratives", "ApiToken")
    if token_model is not None:  # a named API token (issue #10): its name is theirs alone
        now = timezone.now()
        token_model.objects.create(user=person, key_hash=uuid.uuid4().hex, created=now,
                                   expires=now + datetime.timedelta(days=30),
                                   **texts(token_model, text, skip=["key_hash"]))


def _model(app_label: str, name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def plant_team(team: Team, *, text: Text, planted: PlantedCollaborative,
               person: AbstractBaseUser, reviewer: AbstractBaseUser,
               months: int = 6) -> PlantedTeam:
    """A team's words: its name and program, someone invited to it, two cycles it keeps to
    itself (one shared but not complete), one it shared complete, comments, a month of
    values with a note, a reviewed monthly report and a named evaluation answer by
    ``person`` (on the team)."""
    Team.objects.filter(pk=team.pk).update(**texts(Team, text))
    Organization.objects.filter(pk=team.organization_id).update(**texts(Organization, text))
    team.refresh_from_db()
    role = Membership.objects.get(team=team, user=person).role
    invited = texts(Membership, text)
    if invited:  # someone invited and not yet answering: what the advisor typed is all shown
        invitee = get_user_model().objects.create(username=f"invitee-{team.pk}")
        Membership.objects.create(team=team, user=invitee, role=MemberRole.OTHER_STAFF,
                                  accepted_at=None, **invited)
    private = Cycle.objects.create(
        team=team, change_idea=planted.idea, created_by=person, lead=person, lead_role=role,
        status=Cycle.Status.ACT, decision=Cycle.Decision.ADAPT, **texts(Cycle, text))
    CycleParticipant.objects.create(cycle=private, user=person, role=role)
    private.measures.add(planted.measure)
    # Shared and complete: the collaborative's other teams read it (not state viewers). No
    # lead, so a person's name is not planted where other teams may read it.
    shared = Cycle.objects.create(
        team=team, change_idea=planted.idea, created_by=person, status=Cycle.Status.COMPLETE,
        decision=Cycle.Decision.ADOPT, is_shared=True, completed_at=timezone.now(),
        follows=private, number=2, **texts(Cycle, text, suffix="@shared"))
    shared.measures.add(planted.measure)
    # Shared while still running: still the team's own.
    shared_open = Cycle.objects.create(
        team=team, change_idea=planted.idea, created_by=person, status=Cycle.Status.DO,
        is_shared=True, title=text(label_of(Cycle, "title")))
    for cycle in (private, shared, shared_open):
        CycleComment.objects.create(cycle=cycle, author=person, **texts(CycleComment, text))
    dates = recent_months(months)
    rows = []
    for index, month in enumerate(dates):
        note = text(label_of(MeasureValue, "note")) if month == dates[-1] else ""
        rows.append(MeasureValue(team=team, measure=planted.measure, month=month,
                                 numerator=3 + index % 3, denominator=8, note=note,
                                 entered_by=person))
        rows += [MeasureValue(team=team, measure=planted.stratified, month=month,
                              stratum=stratum, numerator=2 + (index + n) % 4, denominator=6,
                              note=note, entered_by=person)
                 for n, stratum in enumerate(planted.strata)]
    MeasureValue.objects.bulk_create(rows)
    tally = ParetoTally.objects.create(team=team, created_by=person, start=dates[0],
                                       end=add_months(dates[-1], 1) - datetime.timedelta(days=1),
                                       **texts(ParetoTally, text))
    ParetoCategory.objects.create(tally=tally, count=3, **texts(ParetoCategory, text))
    # Files stay with the team, even on a cycle shared with the other teams.
    for cycle, suffix in ((private, ""), (shared, "@shared")):
        words = texts(CycleAttachment, text, suffix=suffix)
        attachment_add(cycle=cycle, uploaded_by=person, caption=words["caption"],
                       upload=SimpleUploadedFile(f"{words['original_name']}.pdf", pdf_bytes()))
    MeasureEvent.objects.create(measure=planted.measure, team=team, date=dates[-1],
                                created_by=person, **texts(MeasureEvent, text))
    MeasurePhase.objects.create(measure=planted.measure, team=team, start_month=dates[-2],
                                created_by=person, **texts(MeasurePhase, text))
    report = monthly_report_build(team=team, month=dates[-1])
    MonthlyReport.objects.filter(pk=report.pk).update(
        **texts(MonthlyReport, text), status=MonthlyReport.Status.REVIEWED,
        self_score=Decimal("2.0"), advisor_score=Decimal("2.5"), submitted_by=person,
        submitted_at=timezone.now(), reviewed_by=reviewer, reviewed_at=timezone.now())
    report.refresh_from_db()
    EvaluationSubmission.objects.create(evaluation=planted.evaluation, user=person)
    response = EvaluationResponse.objects.create(evaluation=planted.evaluation, respondent=person,
                                                team=team, role=role)
    EvaluationAnswer.objects.create(response=response, question=planted.text_question,
                                    **texts(EvaluationAnswer, text))
    EvaluationAnswer.objects.create(response=response, question=planted.rating_question, rating=4)
    return PlantedTeam(team=team, person=person, private_cycle=private, shared_cycle=shared,
                       shared_open_cycle=shared_open, report=report)
