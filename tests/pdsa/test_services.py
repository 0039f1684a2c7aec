"""The rules of PDSA cycles, as the services enforce them for pages and API alike."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from measures.charts import Annotation
from pdsa import selectors, services
from pdsa.models import Cycle, CycleComment, CycleParticipant
from teams.models import MemberRole, Membership
from tests import factories
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db


def codes(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}


# --- Creating ------------------------------------------------------------------------------

def test_it_starts_a_cycle_in_plan_led_by_the_person_entering_it(world, make_cycle):
    cycle = make_cycle()
    assert cycle.status == Cycle.Status.PLAN
    assert cycle.lead == world.member_a
    assert cycle.lead_role == MemberRole.EDUCATOR
    assert cycle.number == 1
    assert cycle.version == 1
    assert not cycle.is_shared


def test_it_leaves_the_lead_empty_when_the_person_entering_it_is_not_on_the_team(world, make_cycle):
    cycle = make_cycle(created_by=world.advisor)
    assert cycle.lead is None


def test_it_refuses_a_change_idea_of_another_collaborative(make_cycle, foreign_idea):
    with pytest.raises(ValidationError) as exc:
        make_cycle(change_idea=foreign_idea)
    assert codes(exc) == {"change_idea": ["foreign_change_idea"]}
    assert not Cycle.objects.exists()


def test_it_refuses_a_lead_who_is_not_on_the_team(world, make_cycle):
    with pytest.raises(ValidationError) as exc:
        make_cycle(lead=world.member_b)
    assert codes(exc) == {"lead": ["not_on_team"]}
    assert not Cycle.objects.exists()


def test_it_refuses_a_participant_who_is_not_on_the_team(world, make_cycle):
    with pytest.raises(ValidationError) as exc:
        make_cycle(participants=[world.lead_a, world.member_b])
    assert codes(exc) == {"participants": ["not_on_team"]}


def test_it_refuses_a_done_date_before_the_planned_start(make_cycle):
    with pytest.raises(ValidationError) as exc:
        make_cycle(planned_start=datetime.date(2026, 4, 10), done_on=datetime.date(2026, 4, 1))
    assert codes(exc) == {"done_on": ["done_before_start"]}


def test_it_refuses_a_measure_of_another_collaborative(world, make_cycle):
    measure = factories.MeasureFactory(collaborative=world.other_collaborative)
    with pytest.raises(ValidationError) as exc:
        make_cycle(measures=[measure])
    assert codes(exc) == {"measures": ["foreign_measure"]}


# --- Who: roles are a snapshot ---------------------------------------------------------------

def test_it_keeps_the_roles_people_had_when_they_took_part(world, make_cycle):
    cycle = make_cycle(participants=[world.lead_a])
    Membership.objects.filter(user=world.member_a).update(role=MemberRole.FAMILY)
    Membership.objects.filter(user=world.lead_a).update(role=MemberRole.OTHER_STAFF)
    cycle = services.cycle_update(cycle=cycle, version=cycle.version, title="Renamed",
                                  participants=[world.lead_a], lead=world.member_a)
    assert cycle.lead_role == MemberRole.EDUCATOR
    assert [(p.user, p.role) for p in cycle.participations.all()] == [
        (world.lead_a, MemberRole.ADMINISTRATOR)]


def test_it_records_the_current_role_of_a_new_lead(world, make_cycle):
    cycle = make_cycle()
    cycle = services.cycle_update(cycle=cycle, version=cycle.version, lead=world.lead_a)
    assert (cycle.lead, cycle.lead_role) == (world.lead_a, MemberRole.ADMINISTRATOR)


def test_it_keeps_a_lead_who_has_since_left_the_team(world, make_cycle):
    cycle = make_cycle()
    Membership.objects.filter(user=world.member_a).delete()
    cycle = services.cycle_update(cycle=cycle, version=cycle.version, title="Still theirs",
                                  lead=world.member_a)
    assert cycle.lead == world.member_a


# --- Status ---------------------------------------------------------------------------------

def test_it_moves_the_status_one_step_forward(make_cycle):
    cycle = make_cycle()
    cycle = services.cycle_status_move(cycle=cycle, status="do", version=cycle.version)
    assert cycle.status == "do"
    assert cycle.version == 2


def test_it_moves_the_status_one_step_back(make_cycle):
    cycle = make_cycle()
    cycle = services.cycle_status_move(cycle=cycle, status="do", version=cycle.version)
    cycle = services.cycle_status_move(cycle=cycle, status="plan", version=cycle.version)
    assert cycle.status == "plan"


def test_it_refuses_to_skip_a_step(make_cycle):
    cycle = make_cycle()
    with pytest.raises(ValidationError) as exc:
        services.cycle_status_move(cycle=cycle, status="study", version=cycle.version)
    assert codes(exc) == {"status": ["status_step"]}
    cycle.refresh_from_db()
    assert (cycle.status, cycle.version) == ("plan", 1)


def test_it_refuses_to_complete_without_a_decision(make_cycle):
    cycle = make_cycle()
    cycle = services.cycle_update(cycle=cycle, version=cycle.version, do_what_happened="Ran",
                                  study_summary="As predicted", study_learned="Pictures help")
    for status in ("do", "study", "act"):
        cycle = services.cycle_status_move(cycle=cycle, status=status, version=cycle.version)
    with pytest.raises(ValidationError) as exc:
        services.cycle_status_move(cycle=cycle, status="complete", version=cycle.version)
    assert codes(exc) == {"decision": ["decision_required"]}
    cycle.refresh_from_db()
    assert cycle.status == "act"


def test_it_completes_with_a_decision_and_a_study_summary(make_cycle):
    cycle = complete(make_cycle(), decision="adapt")
    assert cycle.status == "complete"
    assert cycle.completed_at is not None


def test_it_refuses_to_clear_the_decision_of_a_complete_cycle(make_cycle):
    cycle = complete(make_cycle())
    with pytest.raises(ValidationError) as exc:
        services.cycle_update(cycle=cycle, version=cycle.version, decision="")
    assert codes(exc) == {"decision": ["decision_required"]}


def test_it_forgets_the_completion_when_stepping_back(make_cycle):
    cycle = complete(make_cycle())
    cycle = services.cycle_status_move(cycle=cycle, status="act", version=cycle.version)
    assert cycle.completed_at is None


# --- Ramps ----------------------------------------------------------------------------------

def test_it_numbers_a_cycle_by_its_place_in_the_ramp(make_cycle):
    first = make_cycle(title="One classroom")
    second = make_cycle(title="Two classrooms", follows=first)
    third = make_cycle(title="Whole program", follows=second)
    assert [c.number for c in (first, second, third)] == [1, 2, 3]
    assert selectors.ramp_of(second) == [first, second, third]


def test_it_refuses_a_second_next_cycle_in_a_ramp(make_cycle):
    first = make_cycle()
    make_cycle(title="Next", follows=first)
    with pytest.raises(ValidationError) as exc:
        make_cycle(title="Another next", follows=first)
    assert codes(exc) == {"follows": ["ramp_taken"]}


def test_it_refuses_to_follow_a_cycle_on_another_change_idea(make_cycle, other_idea):
    first = make_cycle()
    with pytest.raises(ValidationError) as exc:
        make_cycle(change_idea=other_idea, follows=first)
    assert codes(exc) == {"follows": ["foreign_ramp"]}


def test_it_refuses_to_follow_another_teams_cycle(world, make_cycle):
    Membership.objects.create(team=world.team_b, user=world.member_a, role=MemberRole.EDUCATOR)
    first = make_cycle()
    with pytest.raises(ValidationError) as exc:
        make_cycle(team=world.team_b, follows=first)
    assert codes(exc) == {"follows": ["foreign_ramp"]}


def test_it_refuses_a_loop_in_a_ramp(make_cycle):
    first = make_cycle()
    second = make_cycle(title="Next", follows=first)
    with pytest.raises(ValidationError) as exc:
        services.cycle_update(cycle=first, version=first.version, follows=second)
    assert codes(exc) == {"follows": ["ramp_loop"]}


def test_it_renumbers_the_ramp_when_a_cycle_is_deleted(make_cycle):
    first = make_cycle()
    second = make_cycle(title="Second", follows=first)
    third = make_cycle(title="Third", follows=second)
    services.cycle_delete(cycle=second)
    third.refresh_from_db()
    assert (third.follows, third.number) == (first, 2)


def test_it_lists_a_teams_ramps(world, make_cycle, other_idea):
    first = make_cycle()
    second = make_cycle(title="Second", follows=first)
    alone = make_cycle(change_idea=other_idea, title="Feelings")
    assert selectors.team_ramps(world.team_a) == [[first, second], [alone]]


# --- Concurrent edits -----------------------------------------------------------------------

def test_it_refuses_the_later_of_two_saves_from_the_same_version(make_cycle):
    cycle = make_cycle()
    services.cycle_update(cycle=cycle, version=1, objective="Hers")
    with pytest.raises(services.CycleConflict) as exc:
        services.cycle_update(cycle=cycle, version=1, objective="His")
    assert exc.value.current.version == 2
    cycle.refresh_from_db()
    assert (cycle.objective, cycle.version) == ("Hers", 2)


def test_it_rolls_back_the_version_when_a_save_is_refused(make_cycle, foreign_idea):
    cycle = make_cycle()
    with pytest.raises(ValidationError):
        services.cycle_update(cycle=cycle, version=1, change_idea=foreign_idea)
    cycle.refresh_from_db()
    assert cycle.version == 1


def test_it_says_what_the_other_save_changed(make_cycle):
    cycle = make_cycle()
    current = services.cycle_update(cycle=cycle, version=1, objective="Calmer arrivals")
    changes = selectors.cycle_changes_since(current, 1)
    assert [(c.label, c.now) for c in changes] == [("Objective", "Calmer arrivals")]


# --- Visibility -----------------------------------------------------------------------------

def visible(user) -> set[int]:
    return set(selectors.cycles_visible_to(user).values_list("pk", flat=True))


def test_it_keeps_a_cycle_to_its_team_and_coaches_until_shared(world, make_cycle):
    cycle = complete(make_cycle())
    assert visible(world.member_a) == {cycle.pk}
    assert visible(world.coach) == {cycle.pk}
    assert visible(world.advisor) == {cycle.pk}
    assert visible(world.member_b) == set()


def test_it_shows_a_shared_complete_cycle_to_the_other_teams(world, make_cycle):
    cycle = complete(make_cycle(), shared=True)
    assert visible(world.member_b) == {cycle.pk}


def test_it_hides_a_shared_cycle_from_other_teams_until_it_is_complete(world, make_cycle):
    cycle = make_cycle()
    services.cycle_share(cycle=cycle, shared=True)
    assert visible(world.member_b) == set()


def test_it_never_shows_a_cycle_to_state_viewers_or_other_collaboratives(world, make_cycle):
    complete(make_cycle(), shared=True)
    for person in (world.state_viewer, world.other_advisor, world.stranger):
        assert visible(person) == set()


# --- Comments -------------------------------------------------------------------------------

def test_it_emails_a_comment_once_committed(world, make_cycle, django_capture_on_commit_callbacks):
    cycle = make_cycle()
    # Through the outbox (collaboratives.outbox), which runs the task in place when eager.
    with mock.patch("pdsa.tasks.send_comment_notification.apply_async") as publish, \
            django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(cycle=cycle, author=world.coach, body="Try mornings?")
    publish.assert_called_once_with(kwargs={"comment_id": comment.pk})


def test_it_refuses_an_empty_comment(world, make_cycle):
    with pytest.raises(ValidationError):
        services.comment_create(cycle=make_cycle(), author=world.coach, body="   ")
    assert not CycleComment.objects.exists()


def test_it_notifies_the_cycle_lead_and_team_leads_but_not_the_author(world, make_cycle):
    cycle = make_cycle()
    by_coach = CycleComment.objects.create(cycle=cycle, author=world.coach, body="Hi")
    by_lead = CycleComment.objects.create(cycle=cycle, author=world.lead_a, body="Hi")
    assert selectors.comment_recipients(by_coach) == [world.member_a, world.lead_a]
    assert selectors.comment_recipients(by_lead) == [world.member_a]


def test_it_sends_each_comment_email_once(world, make_cycle, mailoutbox):
    from pdsa.tasks import send_comment_notification

    comment = CycleComment.objects.create(cycle=make_cycle(), author=world.coach, body="Hi")
    assert send_comment_notification(comment_id=comment.pk) == 2
    assert send_comment_notification(comment_id=comment.pk) == 0
    assert len(mailoutbox) == 2


# --- Spread and run-chart markers -----------------------------------------------------------

def test_it_counts_each_teams_latest_decision_in_the_spread(world, make_cycle, idea):
    first = complete(make_cycle(), decision="adapt", shared=True)
    complete(make_cycle(title="Bigger", follows=first), decision="adopt", shared=True)
    complete(make_cycle(team=world.team_b, created_by=world.member_b), decision="abandon",
             shared=True)
    row = next(r for r in selectors.spread(world.collaborative, world.state_viewer)
               if r.change_idea == idea)
    assert (row.teams_tested, row.adopted, row.adapted, row.abandoned) == (2, 1, 0, 1)
    assert row.lead_roles == [("Educator", 2), ("Family member", 1)]
    assert row.cycles == []


def test_it_links_the_spread_only_to_cycles_the_viewer_may_read(world, make_cycle, idea):
    shared = complete(make_cycle(), shared=True)
    complete(make_cycle(title="Private", follows=shared))
    row = next(r for r in selectors.spread(world.collaborative, world.member_b)
               if r.change_idea == idea)
    assert row.cycles == [shared]


def test_it_counts_for_other_teams_only_cycles_shared_and_complete(world, make_cycle):
    done = complete(make_cycle(title="Done and shared"), shared=True)
    services.cycle_share(cycle=make_cycle(title="Shared, still in Plan"), shared=True)
    complete(make_cycle(title="Done, private"))
    assert list(selectors.cycles_counted_for(world.member_b, world.collaborative)) == [done]
    assert list(selectors.cycles_counted_for(world.state_viewer, world.collaborative)) == [done]


def test_it_counts_every_cycle_for_those_who_lead_the_collaborative(world, make_cycle):
    cycles = {make_cycle(), complete(make_cycle(title="Done, private"))}
    assert set(selectors.cycles_counted_for(world.coach, world.collaborative)) == cycles


def test_it_counts_a_members_own_private_cycles_for_them(world, make_cycle):
    private = make_cycle()
    assert list(selectors.cycles_counted_for(world.member_a, world.collaborative)) == [private]


def test_it_marks_adopted_and_adapted_cycles_on_linked_measures(world, make_cycle):
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    other = factories.MeasureFactory(collaborative=world.collaborative)
    adopted = make_cycle(measures=[measure], done_on=datetime.date(2026, 5, 14))
    complete(adopted, decision="adopt")
    complete(make_cycle(title="Dropped", measures=[measure]), decision="abandon")
    markers = selectors.decision_markers(world.team_a, [measure.pk, other.pk])
    assert list(markers) == [measure.pk]
    (marker,) = markers[measure.pk]
    assert isinstance(marker, Annotation)
    assert (marker.month, marker.kind) == (datetime.date(2026, 5, 1), "pdsa")
    assert "Picture schedule at arrival" in marker.hover


# --- Review fixes ---------------------------------------------------------------------------

def test_it_does_not_email_a_lead_who_has_left_the_team(world, make_cycle):
    cycle = make_cycle()  # led by member A
    world.membership_a.delete()
    comment = CycleComment.objects.create(cycle=cycle, author=world.coach, body="Hi")
    assert selectors.comment_recipients(comment) == [world.lead_a]


@pytest.mark.parametrize("title", ["Morning\nschedule", "Morning\rschedule", "Morning\tschedule",
                                   "Morning\x00schedule", "Morning\u2028schedule"])
def test_it_refuses_a_title_that_is_not_one_line(make_cycle, title):
    with pytest.raises(ValidationError) as exc:
        make_cycle(title=title)
    assert codes(exc) == {"title": ["invalid"]}
    assert not Cycle.objects.exists()


def test_it_sends_a_one_line_subject_whatever_the_title(world, make_cycle, mailoutbox):
    from pdsa.tasks import send_comment_notification

    cycle = make_cycle()
    Cycle.objects.filter(pk=cycle.pk).update(title="Morning\r\nBcc: x@example.com")  # old data
    comment = CycleComment.objects.create(cycle=cycle, author=world.coach, body="Hi")
    assert send_comment_notification(comment_id=comment.pk) == 2
    assert "Morning Bcc: x@example.com" in mailoutbox[0].subject


def test_it_keeps_the_history_of_who_took_part(world, make_cycle):
    cycle = make_cycle(participants=[world.lead_a])
    services.cycle_update(cycle=cycle, version=cycle.version, participants=[])
    history = CycleParticipant.history.filter(cycle_id=cycle.pk).order_by("history_id")
    assert [(h.user_id, h.history_type) for h in history] == [(world.lead_a.pk, "+"),
                                                             (world.lead_a.pk, "-")]


def test_it_keeps_the_history_of_comments(world, make_cycle):
    comment = services.comment_create(cycle=make_cycle(), author=world.coach, body="Hi")
    assert [(h.body, h.history_type) for h in comment.history.all()] == [("Hi", "+")]
