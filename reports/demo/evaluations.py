"""Demo learning-session evaluations: one anonymous form per learning session already held
(closed for the older ones, open for the latest), answered by a good share of the members.

Roles answer at different rates so the results show both sides of the anonymity rule: the
older sessions break every role out, while on the latest only a couple of other staff and
family members have answered yet, so they are folded into "Other roles". The demo's own
logins (``member-a``, ``member-b``, ``member-es``) are left to answer the open one themselves.

Idempotent: forms are found by session and title; a form that already has answers keeps
them. Everything else is written in bulk, so it stays quick at 200 teams.
"""

from __future__ import annotations

import datetime
import zlib

from collaboratives.models import Collaborative, Period
from teams.evaluations import DEFAULT_QUESTIONS
from teams.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSubmission,
    MemberRole,
    Membership,
)

DEMO_LOGINS = ("member-a", "member-b", "member-es")
# Share of each role who answered, in percent (older sessions).
ANSWER_RATE = {MemberRole.ADMINISTRATOR: 90, MemberRole.EDUCATOR: 75,
               MemberRole.OTHER_STAFF: 70, MemberRole.FAMILY: 70}
# On the open form, so far: at most this many of each of the smaller roles.
OPEN_FORM_CAP = {MemberRole.OTHER_STAFF: 2, MemberRole.FAMILY: 1}
# Each role's usual rating of each rating question (families find the sessions useful but
# are less sure what their team will test next: a gap worth a conversation).
TYPICAL_RATING = {MemberRole.ADMINISTRATOR: (4, 4), MemberRole.EDUCATOR: (4, 3),
                  MemberRole.OTHER_STAFF: (4, 3), MemberRole.FAMILY: (5, 3)}
TRY_FIRST = [
    "A visual schedule in the toddler room.",
    "Asking families how they say feelings words at home.",
    "Calling one family a week with good news.",
    "Feelings check-in at morning meeting.",
    "Teaching one problem-solving step a week.",
    "Using the tracking sheet for two weeks before changing anything.",
]
BETTER_NEXT = [
    "More time with our own team to plan.",
    "Hear from programs like ours that already tried it.",
    "Start later: drop-off makes 8:30 hard.",
    "Examples from family child care, not only centers.",
]
# Some family members answer in Spanish.
TRY_FIRST_ES = ["Probar el horario con dibujos en casa también.",
                "Hablar con la maestra cada viernes."]
BETTER_NEXT_ES = ["Materiales en español para las familias.",
                  "Interpretación durante toda la sesión, no solo en la mañana."]


def seed_evaluations(collaborative: Collaborative, *, today: datetime.date) -> None:
    sessions = list(collaborative.periods.filter(
        kind=Period.Kind.LEARNING_SESSION, start_date__lte=today).order_by("start_date"))
    if not sessions:
        return
    people = _people(collaborative)
    for index, session in enumerate(sessions):
        latest = index == len(sessions) - 1
        evaluation, _created = Evaluation.objects.update_or_create(
            period=session, title=f"Learning Session {session.number} evaluation",
            defaults={"title_es": f"Evaluación de la Sesión de Aprendizaje {session.number}",
                      "is_anonymous": True, "is_open": latest})
        questions = _questions(evaluation)
        if not evaluation.submissions.exists():
            _answers(evaluation, questions, people, session_number=session.number or 0, latest=latest)


def _people(collaborative: Collaborative) -> list[tuple[int, str, str]]:
    """(user id, role, username) of everyone on the collaborative's teams, with the role of
    their first team by name, as the answer service takes it."""
    seen: dict[int, tuple[int, str, str]] = {}
    for user_id, role, username in (Membership.objects.filter(team__collaborative=collaborative)
                                    .order_by("team__name", "team_id", "user_id")
                                    .values_list("user_id", "role", "user__username")):
        seen.setdefault(user_id, (user_id, role, username))
    return list(seen.values())


def _questions(evaluation: Evaluation) -> list[EvaluationQuestion]:
    questions = list(evaluation.questions.order_by("order", "pk"))
    if not questions:
        questions = EvaluationQuestion.objects.bulk_create([
            EvaluationQuestion(evaluation=evaluation, order=order, **question)
            for order, question in enumerate(DEFAULT_QUESTIONS, start=1)])
    return questions


def _score(*parts: object) -> int:
    """A stable number from 0 to 99 for the same inputs (demo runs repeat exactly)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) % 100


def _answers(evaluation: Evaluation, questions: list[EvaluationQuestion],
             people: list[tuple[int, str, str]], *, session_number: int, latest: bool) -> None:
    answering = []
    taken = dict.fromkeys(OPEN_FORM_CAP, 0)
    for user_id, role, username in people:
        if latest and username in DEMO_LOGINS:
            continue
        if _score(user_id, session_number, "answers") >= ANSWER_RATE[role]:
            continue
        if latest and role in OPEN_FORM_CAP:
            if taken[role] >= OPEN_FORM_CAP[role]:
                continue
            taken[role] += 1
        answering.append((user_id, role))
    if not answering:
        return
    EvaluationSubmission.objects.bulk_create(
        [EvaluationSubmission(evaluation=evaluation, user_id=user_id) for user_id, _role in answering])
    # Responses in an order of their own, so their ids do not line up with the submissions'.
    shuffled = sorted(answering, key=lambda person: _score(person[0], session_number, "order"))
    responses = EvaluationResponse.objects.bulk_create(
        [EvaluationResponse(evaluation=evaluation, role=role) for _user, role in shuffled])
    rows = []
    ratings = [q for q in questions if q.kind == EvaluationQuestion.Kind.RATING]
    texts = [q for q in questions if q.kind == EvaluationQuestion.Kind.TEXT]
    for response, (user_id, role) in zip(responses, shuffled, strict=True):
        for number, question in enumerate(ratings):
            typical = TYPICAL_RATING[role][number % 2]
            wobble = _score(user_id, session_number, question.pk)
            rating = typical + (1 if wobble >= 80 else -1 if wobble < 20 else 0)
            rating = min(5, max(1, rating + (session_number >= 3 and wobble % 3 == 0)))
            rows.append(EvaluationAnswer(response=response, question=question, rating=rating))
        for number, question in enumerate(texts):
            pick = _score(user_id, session_number, question.pk, "text")
            spanish = role == MemberRole.FAMILY and pick % 2 == 0
            pool = ((TRY_FIRST_ES if spanish else TRY_FIRST) if number == 0
                    else (BETTER_NEXT_ES if spanish else BETTER_NEXT))
            if pick < 60:  # open questions are optional: many leave them empty
                rows.append(EvaluationAnswer(response=response, question=question,
                                             text=pool[pick % len(pool)]))
    EvaluationAnswer.objects.bulk_create(rows, batch_size=2000)
