"""Learning-session evaluations: setting forms up, answering them (anonymously or by name)
and reading the results by role without giving anyone away."""

from __future__ import annotations

import csv
import datetime
import io
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from collaboratives.models import Period
from reports.demo.evaluations import seed_evaluations
from teams import evaluations as ev
from teams.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSubmission,
    MemberRole,
)
from tests import factories

pytestmark = pytest.mark.django_db

RATING, TEXT = EvaluationQuestion.Kind.RATING, EvaluationQuestion.Kind.TEXT
ANONYMOUS_WORDS = "Your answers are anonymous: the advisor sees them with your role only, never your name."
NAMED_WORDS = "Your name is shown with your answers."


# --- Helpers -----------------------------------------------------------------------------

def make_evaluation(world, *, anonymous: bool = True, is_open: bool = True,
                    period: Period | None = None) -> Evaluation:
    period = period or factories.PeriodFactory(collaborative=world.collaborative)
    evaluation = ev.evaluation_create(
        collaborative=world.collaborative, created_by=world.advisor, period=period,
        title="Learning Session 1 evaluation", title_es="Evaluación de la Sesión 1",
        is_anonymous=anonymous, questions=[
            ev.QuestionInput(kind=RATING, text="The session was useful.",
                             text_es="La sesión fue útil.", required=True, order=1),
            ev.QuestionInput(kind=RATING, text="I know what to test next.", order=2),
            ev.QuestionInput(kind=TEXT, text="What will you try first?",
                             text_es="¿Qué va a probar primero?", order=3),
        ])
    if is_open:
        ev.evaluation_set_open(evaluation=evaluation, is_open=True)
    return evaluation


def questions(evaluation: Evaluation) -> list[EvaluationQuestion]:
    return list(evaluation.questions.order_by("order"))


def person(world, role: str, *, team=None, username: str | None = None):
    membership = factories.MembershipFactory(
        team=team or world.team_a, role=role,
        **({"user": factories.UserFactory(username=username)} if username else {}))
    return membership.user


def answer(evaluation: Evaluation, user, *ratings: int | None, text: str = "") -> EvaluationResponse:
    useful, next_test, try_first = questions(evaluation)
    return ev.evaluation_answer(evaluation=evaluation, user=user, answers={
        useful.pk: ratings[0] if ratings else 4,
        next_test.pk: ratings[1] if len(ratings) > 1 else None,
        try_first.pk: text,
    })


def post_answer(client, evaluation: Evaluation, *ratings: int | None, text: str = ""):
    useful, next_test, try_first = questions(evaluation)
    data = {f"question_{useful.pk}": ratings[0] if ratings and ratings[0] else "",
            f"question_{next_test.pk}": ratings[1] if len(ratings) > 1 and ratings[1] else "",
            f"question_{try_first.pk}": text}
    return client.post(reverse("evaluations:answer", args=[evaluation.pk]), data)


def crowd(world, evaluation: Evaluation, plan: dict[str, list[int]]) -> None:
    """People of each role answer the first question with the given ratings."""
    for role, ratings in plan.items():
        for rating in ratings:
            answer(evaluation, person(world, role), rating, text=f"{role} says {rating}")


# --- Services: answering -------------------------------------------------------------------

def test_it_keeps_an_anonymous_answer_apart_from_who_gave_it(world):
    evaluation = make_evaluation(world)
    response = answer(evaluation, world.member_a, 5, 4, text="Visual schedules")
    response.refresh_from_db()
    assert response.respondent is None
    assert response.team is None
    assert response.role == MemberRole.EDUCATOR
    assert EvaluationSubmission.objects.filter(evaluation=evaluation, user=world.member_a).exists()
    assert sorted(EvaluationAnswer.objects.filter(response=response).values_list("rating", flat=True),
                  key=lambda r: r or 0) == [None, 4, 5]


def test_it_keeps_the_person_and_team_on_a_named_form(world):
    evaluation = make_evaluation(world, anonymous=False)
    response = answer(evaluation, world.member_b, 3)
    response.refresh_from_db()
    assert response.respondent == world.member_b
    assert response.team == world.team_b
    assert response.role == MemberRole.FAMILY


def test_it_takes_the_role_of_the_first_team_by_name(world):
    evaluation = make_evaluation(world, anonymous=False)
    factories.MembershipFactory(team=world.team_a, user=world.member_b, role=MemberRole.OTHER_STAFF)
    response = answer(evaluation, world.member_b, 4)
    assert (response.team, response.role) == (world.team_a, MemberRole.OTHER_STAFF)


def test_it_takes_one_answer_per_person(world):
    evaluation = make_evaluation(world)
    answer(evaluation, world.member_a, 4)
    with pytest.raises(ValidationError) as error:
        answer(evaluation, world.member_a, 2)
    assert error.value.code == "answered"
    assert evaluation.responses.count() == 1


def test_it_saves_nothing_when_a_required_question_is_unanswered(world):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError) as error:
        answer(evaluation, world.member_a, None, 4, text="Something")
    useful = questions(evaluation)[0]
    assert f"question_{useful.pk}" in error.value.message_dict
    assert not EvaluationSubmission.objects.exists()
    assert not EvaluationResponse.objects.exists()


def test_it_refuses_a_rating_outside_1_to_5(world):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError):
        answer(evaluation, world.member_a, 6)
    assert not EvaluationAnswer.objects.exists()


def test_it_saves_all_or_nothing(world):
    evaluation = make_evaluation(world)
    with (mock.patch.object(EvaluationAnswer.objects, "bulk_create", side_effect=RuntimeError("disk")),
          pytest.raises(RuntimeError)):
        answer(evaluation, world.member_a, 5)
    assert not EvaluationSubmission.objects.exists()
    assert not EvaluationResponse.objects.exists()


def test_it_refuses_answers_to_a_closed_form(world):
    evaluation = make_evaluation(world, is_open=False)
    with pytest.raises(ValidationError) as error:
        answer(evaluation, world.member_a, 5)
    assert error.value.code == "closed"


def test_it_refuses_answers_from_someone_on_no_team_of_the_collaborative(world):
    evaluation = make_evaluation(world)
    with pytest.raises(ValidationError) as error:
        answer(evaluation, world.advisor, 5)
    assert error.value.code == "not_member"


def test_it_refuses_an_empty_answer(world):
    evaluation = ev.evaluation_create(
        collaborative=world.collaborative, created_by=world.advisor,
        period=factories.PeriodFactory(collaborative=world.collaborative), title="Optional only",
        questions=[ev.QuestionInput(kind=TEXT, text="Anything else?")])
    ev.evaluation_set_open(evaluation=evaluation, is_open=True)
    with pytest.raises(ValidationError) as error:
        ev.evaluation_answer(evaluation=evaluation, user=world.member_a, answers={})
    assert error.value.code == "empty"


# --- Services: setting a form up -------------------------------------------------------------

def test_it_numbers_questions_left_without_an_order_after_the_others(world):
    evaluation = ev.evaluation_create(
        collaborative=world.collaborative, created_by=world.advisor,
        period=factories.PeriodFactory(collaborative=world.collaborative), title="LS1",
        questions=[ev.QuestionInput(kind=RATING, text="First", order=5),
                   ev.QuestionInput(kind=TEXT, text="Then")])
    assert [(q.text, q.order) for q in questions(evaluation)] == [("First", 5), ("Then", 6)]
    assert evaluation.is_open is False
    assert evaluation.created_by == world.advisor


def test_it_takes_only_a_learning_session_of_the_same_collaborative(world):
    other_session = factories.PeriodFactory(collaborative=world.other_collaborative)
    with pytest.raises(ValidationError) as error:
        ev.evaluation_create(collaborative=world.collaborative, created_by=world.advisor,
                             period=other_session, title="X",
                             questions=[ev.QuestionInput(kind=TEXT, text="Q")])
    assert "period" in error.value.message_dict
    assert not Evaluation.objects.exists()


def test_it_needs_a_question(world):
    with pytest.raises(ValidationError):
        ev.evaluation_create(collaborative=world.collaborative, created_by=world.advisor,
                             period=factories.PeriodFactory(collaborative=world.collaborative),
                             title="Empty", questions=[])


def _as_inputs(evaluation: Evaluation, **changes) -> list[ev.QuestionInput]:
    return [ev.QuestionInput(kind=changes.get(f"kind_{q.order}", q.kind), text=q.text,
                             required=q.required, order=q.order, question=q,
                             delete=changes.get(f"delete_{q.order}", False))
            for q in questions(evaluation)]


def test_it_keeps_answered_questions_and_their_kind(world):
    evaluation = make_evaluation(world)
    answer(evaluation, world.member_a, 4)
    common = {"evaluation": evaluation, "period": evaluation.period, "title": evaluation.title}
    with pytest.raises(ValidationError) as error:
        ev.evaluation_update(**common, questions=_as_inputs(evaluation, delete_3=True))
    assert "cannot be removed" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        ev.evaluation_update(**common, questions=_as_inputs(evaluation, kind_1=TEXT))
    assert "kind cannot change" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        ev.evaluation_update(**common, is_anonymous=False, questions=_as_inputs(evaluation))
    assert "anonymous" in error.value.messages[0]
    assert [q.kind for q in questions(evaluation)] == [RATING, RATING, TEXT]


def test_it_lets_a_form_without_answers_change_freely(world):
    evaluation = make_evaluation(world)
    ev.evaluation_update(evaluation=evaluation, period=evaluation.period, title="Renamed",
                         is_anonymous=False,
                         questions=_as_inputs(evaluation, delete_3=True, kind_2=TEXT))
    evaluation.refresh_from_db()
    assert evaluation.title == "Renamed"
    assert evaluation.is_anonymous is False
    assert [q.kind for q in questions(evaluation)] == [RATING, TEXT]


def test_it_opens_a_form_only_with_questions(world):
    evaluation = make_evaluation(world, is_open=False)
    evaluation.questions.all().delete()
    with pytest.raises(ValidationError):
        ev.evaluation_set_open(evaluation=evaluation, is_open=True)


# --- Selector: what a member still has to answer ------------------------------------------

def test_it_lists_open_forms_the_member_has_not_answered(world):
    answered = make_evaluation(world)
    pending = make_evaluation(world, period=factories.PeriodFactory(
        collaborative=world.collaborative, number=2, start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 5, 1)))
    make_evaluation(world, is_open=False, period=factories.PeriodFactory(
        collaborative=world.collaborative, number=3, start_date=datetime.date(2026, 8, 1),
        end_date=datetime.date(2026, 8, 1)))
    other_team = world.other_team.memberships.first().user
    answer(answered, world.member_a, 4)
    assert ev.evaluations_pending_for(world.member_a) == [pending]
    assert ev.evaluations_pending_for(world.member_b) == [answered, pending]
    assert ev.evaluations_pending_for(other_team) == []
    assert ev.evaluations_pending_for(world.advisor) == []


def test_it_reads_the_pending_forms_in_one_query_once_grants_are_known(world, django_assert_num_queries):
    make_evaluation(world)
    from teams.access import grants_for
    grants_for(world.member_a)
    with django_assert_num_queries(1):
        ev.evaluations_pending_for(world.member_a)


# --- Pages: who gets what ----------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("advisor", 200), ("coach", 200), ("member_a", 403), ("state_viewer", 403),
    ("other_advisor", 404), ("stranger", 404)])
def test_it_shows_the_list_to_leaders_only(client, world, persona, status):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("evaluations:list", args=[world.collaborative.pk]))
    assert response.status_code == status


def test_it_lists_each_form_with_its_response_rate(client, world):
    evaluation = make_evaluation(world)
    answer(evaluation, world.member_a, 4)
    client.force_login(world.advisor)
    page = client.get(reverse("evaluations:list", args=[world.collaborative.pk])).text
    assert "Learning Session 1 evaluation" in page
    assert "1 of 3 answered (33%)" in page  # member A, lead A, member B
    assert "anonymous answers" in page
    assert "Open" in page


def _more_evaluations(world, count: int, *, first: int = 2) -> None:
    for number in range(first, first + count):
        evaluation = make_evaluation(world, period=factories.PeriodFactory(
            collaborative=world.collaborative, number=number,
            start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=20 * number),
            end_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=20 * number)))
        for role in (MemberRole.EDUCATOR, MemberRole.FAMILY):
            answer(evaluation, person(world, role), 3)


def test_it_lists_forms_in_the_same_number_of_queries_however_many(client, world, django_assert_num_queries):
    client.force_login(world.advisor)
    url = reverse("evaluations:list", args=[world.collaborative.pk])
    _more_evaluations(world, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _more_evaluations(world, 5, first=3)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_it_offers_default_questions_in_english_and_spanish(client, world):
    factories.PeriodFactory(collaborative=world.collaborative)
    client.force_login(world.advisor)
    page = client.get(reverse("evaluations:create", args=[world.collaborative.pk])).text
    assert "The session was useful for my team&#x27;s work." in page
    assert "¿Qué podría mejorar la próxima sesión?" in page
    assert "never their name or team" in page


def _formset_data(rows: list[dict], *, initial: int = 0) -> dict:
    data = {"questions-TOTAL_FORMS": len(rows), "questions-INITIAL_FORMS": initial,
            "questions-MIN_NUM_FORMS": 0, "questions-MAX_NUM_FORMS": 1000}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"questions-{index}-{key}"] = value
    return data


def test_it_creates_a_form_with_its_questions(client, world):
    session = factories.PeriodFactory(collaborative=world.collaborative)
    client.force_login(world.advisor)
    response = client.post(reverse("evaluations:create", args=[world.collaborative.pk]), {
        "period": session.pk, "title": "LS1", "title_es": "SA1", "is_anonymous": "1",
        **_formset_data([
            {"kind": RATING, "text": "Useful?", "text_es": "¿Útil?", "required": "on", "order": 1},
            {"kind": TEXT, "text": "Dropped", "order": 2, "DELETE": "on"},
            {"kind": TEXT, "text": "", "order": ""},  # a blank row is ignored
        ])})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.title, evaluation.is_anonymous, evaluation.is_open) == ("LS1", True, False)
    assert [(q.text, q.text_es, q.required) for q in questions(evaluation)] == [("Useful?", "¿Útil?", True)]


def test_it_refuses_a_session_that_is_not_a_learning_session(client, world):
    action_period = factories.PeriodFactory(collaborative=world.collaborative,
                                            kind=Period.Kind.ACTION_PERIOD)
    client.force_login(world.advisor)
    response = client.post(reverse("evaluations:create", args=[world.collaborative.pk]), {
        "period": action_period.pk, "title": "AP", "is_anonymous": "1",
        **_formset_data([{"kind": TEXT, "text": "Q", "order": 1}])})
    assert response.status_code == 200
    assert not Evaluation.objects.exists()


def test_it_says_why_answered_questions_stay(client, world):
    evaluation = make_evaluation(world)
    answer(evaluation, world.member_a, 4)
    client.force_login(world.advisor)
    url = reverse("evaluations:update", args=[evaluation.pk])
    page = client.get(url).text
    assert "People have already answered this form" in page
    assert "questions-0-DELETE" not in page
    rows = [{"id": q.pk, "evaluation": evaluation.pk, "kind": TEXT, "text": q.text + " (reworded)",
             "order": q.order} for q in questions(evaluation)]
    response = client.post(url, {"period": evaluation.period.pk, "title": "LS1",
                                 "is_anonymous": "0", **_formset_data(rows, initial=3)})
    assert response.status_code == 302
    # Reworded, but the kind and the anonymity stayed: those fields are locked.
    assert [q.kind for q in questions(evaluation)] == [RATING, RATING, TEXT]
    assert questions(evaluation)[0].text == "The session was useful. (reworded)"
    evaluation.refresh_from_db()
    assert evaluation.is_anonymous is True


def test_it_opens_and_closes_on_post_only(client, world):
    evaluation = make_evaluation(world, is_open=False)
    url = reverse("evaluations:toggle", args=[evaluation.pk])
    client.force_login(world.advisor)
    assert client.get(url).status_code == 405
    assert client.post(url, {"open": "1"}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_open
    client.post(url, {})  # says nothing: changes nothing
    evaluation.refresh_from_db()
    assert evaluation.is_open
    client.post(url, {"open": "0"})
    evaluation.refresh_from_db()
    assert not evaluation.is_open


def test_it_lets_only_leaders_open_a_form(client, world):
    evaluation = make_evaluation(world)
    client.force_login(world.member_a)
    assert client.post(reverse("evaluations:toggle", args=[evaluation.pk]), {"open": "0"}).status_code == 403
    client.force_login(world.state_viewer)
    assert client.post(reverse("evaluations:toggle", args=[evaluation.pk]), {"open": "0"}).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [
    ("member_a", 200), ("member_b", 200), ("advisor", 200), ("coach", 200),
    ("state_viewer", 404), ("other_advisor", 404), ("other_state_viewer", 404), ("stranger", 404)])
def test_it_shows_an_open_form_to_the_teams_and_a_preview_to_leaders(client, world, persona, status):
    evaluation = make_evaluation(world)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("evaluations:answer", args=[evaluation.pk])).status_code == status


def test_it_hides_a_closed_form_from_members(client, world):
    evaluation = make_evaluation(world, is_open=False)
    client.force_login(world.member_a)
    assert client.get(reverse("evaluations:answer", args=[evaluation.pk])).status_code == 404
    client.force_login(world.advisor)
    assert "once it is open" in client.get(reverse("evaluations:answer", args=[evaluation.pk])).text


def test_it_does_not_let_a_leader_answer(client, world):
    evaluation = make_evaluation(world)
    client.force_login(world.advisor)
    page = client.get(reverse("evaluations:answer", args=[evaluation.pk])).text
    assert "Preview" in page
    assert "Send my answers" not in page
    assert post_answer(client, evaluation, 5).status_code == 403
    assert not EvaluationResponse.objects.exists()


def test_it_says_answers_are_anonymous_before_the_first_question(client, world):
    evaluation = make_evaluation(world)
    client.force_login(world.member_a)
    page = client.get(reverse("evaluations:answer", args=[evaluation.pk])).text
    assert ANONYMOUS_WORDS in page
    assert page.index(ANONYMOUS_WORDS) < page.index("The session was useful.")
    assert NAMED_WORDS not in page


def test_it_says_names_are_shown_before_the_first_question(client, world):
    evaluation = make_evaluation(world, anonymous=False)
    client.force_login(world.member_a)
    page = client.get(reverse("evaluations:answer", args=[evaluation.pk])).text
    assert page.index(NAMED_WORDS) < page.index("The session was useful.")
    assert ANONYMOUS_WORDS not in page


def test_it_asks_in_spanish_when_the_browser_prefers_it(client, world):
    evaluation = make_evaluation(world)
    client.force_login(world.member_b)
    page = client.get(reverse("evaluations:answer", args=[evaluation.pk]),
                      HTTP_ACCEPT_LANGUAGE="es").text
    assert "La sesión fue útil." in page
    assert "Evaluación de la Sesión 1" in page
    assert "I know what to test next." in page  # no Spanish wording: English it is
    assert "The session was useful." not in page


def test_it_words_questions_in_the_active_language():
    question = EvaluationQuestion(kind=RATING, text="Useful?", text_es="¿Útil?")
    with translation.override("es"):
        assert ev.question_text(question) == "¿Útil?"
    with translation.override("en"):
        assert ev.question_text(question) == "Useful?"


def test_it_saves_answers_from_the_page_and_then_says_so(client, world):
    evaluation = make_evaluation(world)
    client.force_login(world.member_a)
    response = post_answer(client, evaluation, 5, 4, text="Feelings chart")
    assert response.status_code == 302
    assert EvaluationResponse.objects.get().role == MemberRole.EDUCATOR
    page = client.get(reverse("evaluations:answer", args=[evaluation.pk])).text
    assert "You have already answered this evaluation" in page
    assert "Send my answers" not in page
    again = post_answer(client, evaluation, 1)
    assert again.status_code == 200
    assert EvaluationResponse.objects.count() == 1


def test_it_says_which_question_needs_an_answer(client, world):
    evaluation = make_evaluation(world)
    client.force_login(world.member_a)
    response = post_answer(client, evaluation, None, 4)
    assert response.status_code == 200
    assert "Please answer this question." in response.text
    assert not EvaluationSubmission.objects.exists()


# --- Results --------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("advisor", 200), ("coach", 200), ("member_a", 403), ("member_b", 403),
    ("state_viewer", 404), ("other_advisor", 404), ("stranger", 404)])
def test_it_shows_results_to_leaders_only(client, world, persona, status):
    evaluation = make_evaluation(world)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("evaluations:results", args=[evaluation.pk])).status_code == status
    assert client.get(reverse("evaluations:results-csv", args=[evaluation.pk])).status_code == status


def test_it_works_out_means_and_distributions_by_role(world):
    # Educators rate 5, 4, 4 (mean 4.33); administrators 2, 3, 3, 4 (mean 3.0);
    # overall 5+4+4+2+3+3+4 = 25 over 7 = 3.57, and 4 of 7 (57%) chose 4 or 5.
    evaluation = make_evaluation(world)
    crowd(world, evaluation, {MemberRole.EDUCATOR: [5, 4, 4], MemberRole.ADMINISTRATOR: [2, 3, 3, 4]})
    result = ev.evaluation_results(evaluation).questions[0]
    assert result.overall.counts == (0, 1, 2, 3, 1)
    assert result.overall.n == 7
    assert result.overall.mean == pytest.approx(25 / 7)
    assert result.overall.agree_percent == 57
    by_label = {row.label: row for row in result.groups}
    assert by_label["Administrator"].counts == (0, 1, 2, 1, 0)
    assert by_label["Administrator"].mean == pytest.approx(3.0)
    assert by_label["Educator"].mean == pytest.approx(13 / 3)
    assert list(by_label) == ["Administrator", "Educator"]
    assert result.summary == ("7 people rated this; the mean is 3.6 out of 5 and 57% chose 4 or 5. "
                              "Highest: Educator (4.3); lowest: Administrator (3.0).")


def test_it_folds_roles_with_fewer_than_3_answers_into_other_roles(world):
    evaluation = make_evaluation(world)
    crowd(world, evaluation, {MemberRole.EDUCATOR: [5, 4, 4], MemberRole.FAMILY: [1, 2],
                              MemberRole.OTHER_STAFF: [3, 3]})
    results = ev.evaluation_results(evaluation)
    rating = results.questions[0]
    assert [row.label for row in rating.groups] == ["Educator", "Other roles, combined"]
    assert rating.groups[1].counts == (1, 1, 2, 0, 0)
    assert results.has_fold
    assert results.folded_shown
    open_answers = {answer.text: answer.role for answer in results.questions[2].answers}
    assert open_answers["educator says 5"] == "Educator"
    assert open_answers["family says 1"] == ""
    assert open_answers["other_staff says 3"] == ""


def test_it_shows_no_role_apart_when_all_roles_minus_them_would_give_one_person_away(world, client):
    evaluation = make_evaluation(world)
    crowd(world, evaluation, {MemberRole.EDUCATOR: [5, 4, 4], MemberRole.FAMILY: [1]})
    rating = ev.evaluation_results(evaluation).questions[0]
    # "All roles" minus "Educator" would be the family member's own 1.
    assert rating.groups == []
    assert rating.overall.n == 4
    client.force_login(world.advisor)
    page = client.get(reverse("evaluations:results", args=[evaluation.pk])).text
    assert "the answers count only in “All roles”" in page
    assert "Family member" not in page


def test_it_folds_the_smallest_role_in_to_make_the_other_roles_big_enough(world):
    evaluation = make_evaluation(world)
    crowd(world, evaluation, {MemberRole.EDUCATOR: [5, 4, 4, 5], MemberRole.ADMINISTRATOR: [3, 3, 2],
                              MemberRole.FAMILY: [1]})
    results = ev.evaluation_results(evaluation)
    assert [row.label for row in results.questions[0].groups] == ["Educator", "Other roles, combined"]
    assert results.shown_roles == [MemberRole.EDUCATOR]
    assert results.folded_count == 4


def test_it_breaks_every_role_out_on_a_named_form(world):
    evaluation = make_evaluation(world, anonymous=False)
    answer(evaluation, world.member_b, 2, text="Más materiales en español")
    results = ev.evaluation_results(evaluation)
    assert [row.label for row in results.questions[0].groups] == ["Family member"]
    [open_answer] = results.questions[2].answers
    assert (open_answer.role, open_answer.team) == ("Family member", "Team B")
    assert open_answer.name == world.member_b.get_full_name()


def test_it_lists_open_answers_by_their_words_not_by_when_they_came(world):
    evaluation = make_evaluation(world)
    for text in ["zebra crossing", "apple time", "middle way"]:
        answer(evaluation, person(world, MemberRole.EDUCATOR), 4, text=text)
    texts = [a.text for a in ev.evaluation_results(evaluation).questions[2].answers]
    assert texts == ["apple time", "middle way", "zebra crossing"]


def test_it_shows_results_with_the_fold_explained(client, world):
    evaluation = make_evaluation(world)
    crowd(world, evaluation, {MemberRole.EDUCATOR: [5, 4, 4], MemberRole.FAMILY: [1, 2],
                              MemberRole.OTHER_STAFF: [3, 3]})
    client.force_login(world.advisor)
    page = client.get(reverse("evaluations:results", args=[evaluation.pk])).text
    assert "Other roles, combined" in page
    assert "Role not shown (fewer than 3 answers)" in page
    assert "<caption>" in page
    assert "7 people rated this" in page
    assert "Family member" not in page


def _csv(client, evaluation: Evaluation) -> list[dict]:
    response = client.get(reverse("evaluations:results-csv", args=[evaluation.pk]))
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_it_exports_the_results_with_the_same_rules(client, world):
    evaluation = make_evaluation(world)
    crowd(world, evaluation, {MemberRole.EDUCATOR: [5, 4, 4], MemberRole.FAMILY: [1, 2],
                              MemberRole.OTHER_STAFF: [3, 3]})
    answer(evaluation, person(world, MemberRole.EDUCATOR), 4, text="=HYPERLINK(\"x\")")
    client.force_login(world.advisor)
    rows = _csv(client, evaluation)
    groups = [(row["group"], row["answers"], row["mean"]) for row in rows
              if row["question"] == "The session was useful."]
    assert groups == [("All roles", "8", "3.25"), ("Educator", "4", "4.25"),
                      ("Other roles, combined", "4", "2.25")]
    roles = {row["answer"]: row["role"] for row in rows if row["kind"] == "text"}
    assert roles["family says 1"] == ""
    assert roles["educator says 5"] == "Educator"
    assert "'=HYPERLINK(\"x\")" in roles
    assert all(row["name"] == "" for row in rows)


def _answers_by_many(world, evaluation: Evaluation, count: int) -> None:
    roles = list(MemberRole.values)
    for index in range(count):
        answer(evaluation, person(world, roles[index % 4]), 1 + index % 5, text=f"answer {index}")


def test_it_reads_results_in_the_same_number_of_queries_however_many_answers(
        client, world, django_assert_num_queries):
    evaluation = make_evaluation(world)
    client.force_login(world.advisor)
    url = reverse("evaluations:results", args=[evaluation.pk])
    _answers_by_many(world, evaluation, 4)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _answers_by_many(world, evaluation, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("evaluations:results-csv", args=[evaluation.pk]))


# --- Demo -------------------------------------------------------------------------------

def test_the_demo_seeds_one_form_per_session_held_and_can_run_twice(world):
    for number, start in ((1, datetime.date(2026, 2, 1)), (2, datetime.date(2026, 5, 1)),
                          (3, datetime.date(2026, 9, 1))):
        factories.PeriodFactory(collaborative=world.collaborative, number=number,
                                start_date=start, end_date=start)
    for _index in range(8):
        team = factories.TeamFactory(collaborative=world.collaborative)
        for role in (MemberRole.ADMINISTRATOR, MemberRole.EDUCATOR, MemberRole.EDUCATOR,
                     MemberRole.OTHER_STAFF, MemberRole.FAMILY):
            factories.MembershipFactory(team=team, role=role)
    today = datetime.date(2026, 6, 1)
    seed_evaluations(world.collaborative, today=today)
    counts = (Evaluation.objects.count(), EvaluationResponse.objects.count(),
              EvaluationAnswer.objects.count())
    seed_evaluations(world.collaborative, today=today)
    assert (Evaluation.objects.count(), EvaluationResponse.objects.count(),
            EvaluationAnswer.objects.count()) == counts
    older, latest = Evaluation.objects.order_by("period__start_date")
    assert (older.is_open, latest.is_open) == (False, True)
    assert not EvaluationResponse.objects.filter(respondent__isnull=False).exists()
    assert not latest.submissions.filter(user=world.member_a).exists()
    older_results = ev.evaluation_results(older).questions[0]
    assert len(older_results.groups) == 4  # every role broken out
    latest_results = ev.evaluation_results(latest)
    assert latest_results.has_fold
    assert latest_results.folded_shown

