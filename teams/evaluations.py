"""Learning-session evaluations: the writes (setting a form up, opening it, answering it)
and the reads (the leaders' list, what a member still has to answer, the results by role).

Anonymity is kept in two places. Writing: on an anonymous form the answers carry the
person's role only; that they answered is a separate row (``EvaluationSubmission``).
Reading: results never list answers in the order they came in, and on an anonymous form a
role is broken out only when at least ``MIN_ROLE_ANSWERS`` people of that role answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from collaboratives.bilingual import localized
from collaboratives.models import Collaborative, Period
from teams import access
from teams.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSubmission,
    MemberRole,
    Membership,
)

# Below this many answers from one role, an anonymous form's results do not name the role.
MIN_ROLE_ANSWERS = 3
RATINGS = (1, 2, 3, 4, 5)
OTHER_ROLES = gettext_lazy("Other roles, combined")
OTHER_ROLES_SHORT = gettext_lazy("Other roles")
ALL_ROLES = gettext_lazy("All roles")

# Offered when a form is created; the advisor edits or removes them.
DEFAULT_QUESTIONS = [
    {"kind": EvaluationQuestion.Kind.RATING, "required": True,
     "text": "The session was useful for my team's work.",
     "text_es": "La sesión fue útil para el trabajo de mi equipo."},
    {"kind": EvaluationQuestion.Kind.RATING, "required": True,
     "text": "I know what my team will test next.",
     "text_es": "Sé qué va a probar mi equipo ahora."},
    {"kind": EvaluationQuestion.Kind.TEXT, "required": False,
     "text": "What will you try first?",
     "text_es": "¿Qué va a probar primero?"},
    {"kind": EvaluationQuestion.Kind.TEXT, "required": False,
     "text": "What could make the next session better?",
     "text_es": "¿Qué podría mejorar la próxima sesión?"},
]


def answer_field_name(question: EvaluationQuestion) -> str:
    """The name of a question's field on the answer form, and of its errors from the service."""
    return f"question_{question.pk}"


def question_text(question: EvaluationQuestion) -> str:
    """The question in the reader's language: Spanish when it is active and written."""
    return localized(question, "text")


def evaluation_title(evaluation: Evaluation) -> str:
    return localized(evaluation, "title")


# --- Writes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionInput:
    """One row of the question formset: an existing question (``question``) or a new one."""

    kind: str
    text: str
    text_es: str = ""
    required: bool = False
    order: int | None = None
    question: EvaluationQuestion | None = None
    delete: bool = False


def evaluation_has_answers(evaluation: Evaluation) -> bool:
    return bool(evaluation.pk) and evaluation.submissions.exists()


@transaction.atomic
def evaluation_create(*, collaborative: Collaborative, created_by: AbstractBaseUser | None,
                      period: Period, title: str, title_es: str = "", is_anonymous: bool = True,
                      questions: list[QuestionInput]) -> Evaluation:
    """A new (closed) evaluation form for one of the collaborative's learning sessions."""
    evaluation = Evaluation(created_by=created_by, is_open=False)
    return _evaluation_save(evaluation, collaborative=collaborative, period=period, title=title,
                            title_es=title_es, is_anonymous=is_anonymous, questions=questions)


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, period: Period, title: str, title_es: str = "",
                      is_anonymous: bool = True, questions: list[QuestionInput]) -> Evaluation:
    """Change a form. Once anyone has answered, questions stay (their answers would go
    with them), keep their kind (a rating cannot become words) and the form keeps its
    anonymity (the promise was made to those who answered)."""
    evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related(
        "period__collaborative").get(pk=evaluation.pk)
    return _evaluation_save(evaluation, collaborative=evaluation.period.collaborative,
                            period=period, title=title, title_es=title_es,
                            is_anonymous=is_anonymous, questions=questions)


def _evaluation_save(evaluation: Evaluation, *, collaborative: Collaborative, period: Period,
                     title: str, title_es: str, is_anonymous: bool,
                     questions: list[QuestionInput]) -> Evaluation:
    if period.collaborative_id != collaborative.pk or period.kind != Period.Kind.LEARNING_SESSION:
        raise ValidationError({"period": ValidationError(
            _("Choose one of this collaborative's learning sessions."), code="period")})
    locked = evaluation_has_answers(evaluation)
    # What the questions were before the form touched them (a bound form changes its instance).
    before = dict(evaluation.questions.values_list("pk", "kind")) if evaluation.pk else {}
    errors: list[ValidationError] = []
    if locked and is_anonymous != evaluation.is_anonymous:
        errors.append(ValidationError(
            _("People have already answered, so whether answers are anonymous cannot change: "
              "they answered on the form's word."), code="anonymity_locked"))
    kept = [item for item in questions if not item.delete]
    for item in questions:
        if item.question is None:
            continue
        if item.question.pk not in before:
            raise ValidationError(_("That question belongs to another evaluation."), code="foreign")
        if locked and item.delete:
            errors.append(ValidationError(
                _("“%(question)s” has answers, so it cannot be removed.")
                % {"question": item.text}, code="question_locked"))
        elif locked and item.kind != before[item.question.pk]:
            errors.append(ValidationError(
                _("“%(question)s” has answers, so its kind cannot change.")
                % {"question": item.text}, code="kind_locked"))
    if not kept:
        errors.append(ValidationError(_("Add at least one question."), code="no_questions"))
    if errors:
        raise ValidationError(errors)

    evaluation.period, evaluation.title, evaluation.title_es = period, title.strip(), title_es.strip()
    evaluation.is_anonymous = is_anonymous
    evaluation.full_clean()
    evaluation.save()
    next_order = max([item.order or 0 for item in kept], default=0) + 1
    rows = []
    for item in kept:
        question = item.question or EvaluationQuestion(evaluation=evaluation)
        question.kind, question.text, question.text_es = item.kind, item.text.strip(), item.text_es.strip()
        question.required = item.required
        if item.order is None:
            question.order, next_order = next_order, next_order + 1
        else:
            question.order = item.order
        question.full_clean(exclude=["evaluation"])
        rows.append(question)
    removed = [item.question.pk for item in questions if item.delete and item.question]
    EvaluationQuestion.objects.filter(evaluation=evaluation, pk__in=removed).delete()
    for question in rows:
        question.save()
    return evaluation


@transaction.atomic
def evaluation_set_open(*, evaluation: Evaluation, is_open: bool) -> Evaluation:
    if is_open and not evaluation.questions.exists():
        raise ValidationError(_("Add at least one question before opening the evaluation."),
                              code="no_questions")
    evaluation.is_open = is_open
    evaluation.save(update_fields=["is_open"])
    return evaluation


def membership_answering(user: AbstractBaseUser, evaluation: Evaluation) -> Membership | None:
    """The membership whose role (and team) an answer carries: the person's first team in
    the collaborative, by name, if they are on several."""
    return (Membership.objects.accepted()
            .filter(user=user, team__collaborative_id=evaluation.period.collaborative_id)
            .select_related("team").order_by("team__name", "team_id").first())


@transaction.atomic
def evaluation_answer(*, evaluation: Evaluation, user: AbstractBaseUser,
                      answers: Mapping[int, int | str | None]) -> EvaluationResponse:
    """Save one person's answers, keyed by question id, all or nothing.

    The role (and, on a named form, the person and team) comes from their membership in
    the collaborative; on an anonymous form the response carries the role only, and the
    separate submission row, which stops a second answer, says nothing of what they said."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_open:
        raise ValidationError(_("This evaluation is closed."), code="closed")
    membership = membership_answering(user, evaluation)
    if membership is None:
        raise ValidationError(_("Only members of the collaborative's teams answer this evaluation."),
                              code="not_member")
    if EvaluationSubmission.objects.filter(evaluation=evaluation, user=user).exists():
        raise ValidationError(_("You have already answered this evaluation."), code="answered")
    rows = _answer_rows(list(evaluation.questions.all()), answers)
    try:
        with transaction.atomic():
            EvaluationSubmission.objects.create(evaluation=evaluation, user=user)
    except IntegrityError:  # a second tab submitted at the same moment
        raise ValidationError(_("You have already answered this evaluation."), code="answered") from None
    named = not evaluation.is_anonymous
    response = EvaluationResponse.objects.create(
        evaluation=evaluation, role=membership.role,
        respondent=user if named else None, team=membership.team if named else None)
    for row in rows:
        row.response = response
    EvaluationAnswer.objects.bulk_create(rows)
    return response


def _answer_rows(questions: list[EvaluationQuestion],
                 answers: Mapping[int, int | str | None]) -> list[EvaluationAnswer]:
    """The answers as unsaved rows, or a ValidationError naming each question's field."""
    known = {question.pk for question in questions}
    if set(answers) - known:
        raise ValidationError(_("An answer was given to a question this form does not have."),
                              code="unknown_question")
    errors: dict[str, ValidationError] = {}
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.required:
                errors[answer_field_name(question)] = ValidationError(
                    _("Please answer this question."), code="required")
            continue
        if question.kind == EvaluationQuestion.Kind.RATING:
            try:
                rating = int(value)
            except (TypeError, ValueError):
                rating = 0
            if rating not in RATINGS:
                errors[answer_field_name(question)] = ValidationError(
                    _("Choose a number from 1 to 5."), code="rating")
                continue
            rows.append(EvaluationAnswer(question=question, rating=rating))
        else:
            text = str(value)
            if len(text) > 3000:
                errors[answer_field_name(question)] = ValidationError(
                    _("Please keep the answer under 3,000 characters."), code="too_long")
                continue
            rows.append(EvaluationAnswer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Answer at least one question before sending."), code="empty")
    return rows


# --- Reads ---------------------------------------------------------------------------------

def collaborative_member_count(collaborative: Collaborative) -> int:
    """People on the collaborative's teams, each counted once (some are on two teams)."""
    return (Membership.objects.accepted().filter(team__collaborative=collaborative)
            .values("user_id").distinct().count())


def evaluations_with_counts(collaborative: Collaborative) -> list[Evaluation]:
    """The collaborative's evaluations, each with ``answer_count`` and ``question_count``,
    in one query."""
    def count_of(model: type) -> Coalesce:
        rows = (model.objects.filter(evaluation=OuterRef("pk")).order_by()
                .values("evaluation").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return list(Evaluation.objects.filter(period__collaborative=collaborative)
                .select_related("period")
                .annotate(answer_count=count_of(EvaluationSubmission),
                          question_count=count_of(EvaluationQuestion))
                .order_by("period__start_date", "title", "pk"))


def evaluations_pending_for(user: AbstractBaseUser) -> list[Evaluation]:
    """Open evaluations of the user's collaboratives that they have not answered yet, for
    their to-do list (one query once the user's grants are read)."""
    answered = EvaluationSubmission.objects.filter(evaluation=OuterRef("pk"), user=user)
    return list(access.evaluations_to_answer(user).filter(~Exists(answered))
                .select_related("period").order_by("period__start_date", "title", "pk"))


def evaluation_answered_by(evaluation: Evaluation, user: AbstractBaseUser) -> bool:
    return EvaluationSubmission.objects.filter(evaluation=evaluation, user=user).exists()


@dataclass(frozen=True)
class RatingRow:
    """The ratings of one group (every role, one role, or the small roles together)."""

    label: str
    counts: tuple[int, ...]
    short_label: str = ""

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.n:
            return None
        return sum(rating * count for rating, count in zip(RATINGS, self.counts, strict=True)) / self.n

    @property
    def cells(self) -> list[tuple[int, int, int]]:
        """(rating, count, percent of the group) for each rating from 1 to 5."""
        return [(rating, count, round(100 * count / self.n) if self.n else 0)
                for rating, count in zip(RATINGS, self.counts, strict=True)]

    @property
    def agree_percent(self) -> int:
        """The share who chose 4 or 5."""
        return round(100 * (self.counts[3] + self.counts[4]) / self.n) if self.n else 0

    @property
    def bar_percent(self) -> float:
        """The bar's length in the chart: the mean on the 0-5 scale, as a share of 56 %
        of the chart's width (the rest holds the labels)."""
        return round((self.mean or 0) / 5 * 56, 1)

    @property
    def value_x(self) -> float:
        return round(40 + self.bar_percent + 1.5, 1)


@dataclass(frozen=True)
class OpenAnswer:
    text: str
    role: str  # empty when the role is not shown (fewer than 3 of that role answered)
    name: str = ""  # named forms only
    team: str = ""


@dataclass
class QuestionResult:
    question: EvaluationQuestion
    overall: RatingRow | None = None  # rating questions
    groups: list[RatingRow] = field(default_factory=list)
    answers: list[OpenAnswer] = field(default_factory=list)  # open questions
    summary: str = ""

    @property
    def is_rating(self) -> bool:
        return self.question.kind == EvaluationQuestion.Kind.RATING

    @property
    def chart_rows(self) -> list[dict[str, object]]:
        """Rows of the bar chart with their vertical positions (bar top, text baseline)."""
        rows = [self.overall, *self.groups] if self.overall else []
        return [{"row": row, "y": 6 + index * 30, "text_y": 21 + index * 30}
                for index, row in enumerate(rows)]

    @property
    def chart_height(self) -> int:
        return 12 + 30 * (1 + len(self.groups))


@dataclass
class EvaluationResults:
    evaluation: Evaluation
    response_count: int
    member_count: int
    role_counts: dict[str, int]
    shown_roles: list[str]
    folded_count: int  # answers from the roles folded together
    folded_shown: bool  # whether the folded roles have a row of their own
    questions: list[QuestionResult]

    @property
    def response_percent(self) -> int:
        return round(100 * self.response_count / self.member_count) if self.member_count else 0

    @property
    def has_fold(self) -> bool:
        return self.folded_count > 0


def evaluation_results(evaluation: Evaluation) -> EvaluationResults:
    """The answers summed up per question, overall and by role, in five queries whatever
    the number of answers.

    On an anonymous form a role is broken out only when at least ``MIN_ROLE_ANSWERS`` of
    its people answered; the others are counted together as "Other roles", itself shown
    only when it reaches that size, and their open answers are listed without a role."""
    questions = list(evaluation.questions.all())
    role_counts = dict(EvaluationResponse.objects.filter(evaluation=evaluation)
                       .values_list("role").annotate(n=Count("pk")).order_by())
    roles = [role for role in MemberRole.values if role_counts.get(role)]
    if evaluation.is_anonymous:
        shown = [role for role in roles if role_counts[role] >= MIN_ROLE_ANSWERS]
        # A fold too small to show would still show by subtraction (all roles minus the
        # roles shown): the smallest roles shown join it until it is big enough.
        while shown and 0 < sum(role_counts[r] for r in roles if r not in shown) < MIN_ROLE_ANSWERS:
            shown.remove(min(shown, key=lambda role: (role_counts[role], role)))
    else:
        shown = roles
    folded_count = sum(role_counts[role] for role in roles if role not in shown)
    # With no role shown, "Other roles" would be "All roles" again.
    folded_shown = bool(shown) and folded_count >= MIN_ROLE_ANSWERS

    tallies: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 5))
    for question_id, role, rating, n in (
            EvaluationAnswer.objects.filter(response__evaluation=evaluation, rating__isnull=False)
            .values_list("question_id", "response__role", "rating").annotate(n=Count("pk")).order_by()):
        tallies[question_id][role][rating - 1] += n

    texts: dict[int, list[OpenAnswer]] = defaultdict(list)
    role_labels = dict(MemberRole.choices)
    # By the words, never by id: the order must not tell who answered first.
    for question_id, text, role, first, last, username, team in (
            EvaluationAnswer.objects.filter(response__evaluation=evaluation)
            .exclude(text="").order_by("question_id", "text", "response__role")
            .values_list("question_id", "text", "response__role", "response__respondent__first_name",
                         "response__respondent__last_name", "response__respondent__username",
                         "response__team__name")):
        named = not evaluation.is_anonymous
        texts[question_id].append(OpenAnswer(
            text=text, role=str(role_labels.get(role, role)) if role in shown else "",
            name=(f"{first} {last}".strip() or username or "") if named else "",
            team=(team or "") if named else ""))

    results = []
    for question in questions:
        result = QuestionResult(question=question)
        if question.kind == EvaluationQuestion.Kind.RATING:
            by_role = tallies.get(question.pk, {})
            total = [sum(counts[i] for counts in by_role.values()) for i in range(5)]
            result.overall = RatingRow(str(ALL_ROLES), tuple(total), str(ALL_ROLES))
            result.groups = [RatingRow(str(role_labels[role]), tuple(by_role.get(role, [0] * 5)),
                                       str(role_labels[role])) for role in shown]
            if folded_shown:
                folded = [sum(by_role.get(role, [0] * 5)[i] for role in roles if role not in shown)
                          for i in range(5)]
                result.groups.append(RatingRow(str(OTHER_ROLES), tuple(folded), str(OTHER_ROLES_SHORT)))
            result.summary = rating_summary(result)
        else:
            result.answers = texts.get(question.pk, [])
            result.summary = ngettext("%(count)d person answered this question.",
                                      "%(count)d people answered this question.",
                                      len(result.answers)) % {"count": len(result.answers)}
        results.append(result)
    return EvaluationResults(
        evaluation=evaluation, response_count=sum(role_counts.values()),
        member_count=collaborative_member_count(evaluation.period.collaborative),
        role_counts=role_counts, shown_roles=shown, folded_count=folded_count,
        folded_shown=folded_shown, questions=results)


def rating_summary(result: QuestionResult) -> str:
    """One sentence a reader (or a screen reader) takes away from the chart."""
    overall = result.overall
    if overall is None or not overall.n:
        return _("Nobody has rated this yet.")
    sentence = ngettext(
        "%(count)d person rated this; the mean is %(mean).1f out of 5 and %(agree)d%% chose 4 or 5.",
        "%(count)d people rated this; the mean is %(mean).1f out of 5 and %(agree)d%% chose 4 or 5.",
        overall.n) % {"count": overall.n, "mean": overall.mean, "agree": overall.agree_percent}
    rated = [row for row in result.groups if row.n]
    if len(rated) >= 2:
        high = max(rated, key=lambda row: row.mean or 0)
        low = min(rated, key=lambda row: row.mean or 0)
        if high.mean != low.mean:
            sentence += " " + _("Highest: %(high)s (%(high_mean).1f); lowest: %(low)s (%(low_mean).1f).") % {
                "high": high.short_label, "high_mean": high.mean,
                "low": low.short_label, "low_mean": low.mean}
    return sentence


def results_csv_rows(results: EvaluationResults) -> tuple[list[str], list[list[object]]]:
    """The results as one table: a row per rating question and group, then a row per open
    answer, with the page's rules (the same groups, the same hidden roles and names)."""
    header = ["question", "kind", "group", "answers", "mean", "rated_1", "rated_2", "rated_3",
              "rated_4", "rated_5", "role", "name", "team", "answer"]
    rows: list[list[object]] = []
    for result in results.questions:
        question = result.question
        if result.is_rating:
            for row in [result.overall, *result.groups]:
                rows.append([question.text, question.kind, row.label, row.n,
                             "" if row.mean is None else round(row.mean, 2), *row.counts,
                             "", "", "", ""])
        else:
            for answer in result.answers:
                rows.append([question.text, question.kind, "", "", "", "", "", "", "", "",
                             answer.role, answer.name, answer.team, answer.text])
    return header, rows
