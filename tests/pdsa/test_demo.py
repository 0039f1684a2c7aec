"""The demo's PDSA cycles: ramps led by every role, some shared, and idempotent."""

import pytest
from django.core.management import call_command

from pdsa import selectors
from pdsa.models import Cycle, CycleComment, CycleParticipant
from teams.models import MemberRole, Team

pytestmark = pytest.mark.django_db


def test_it_seeds_cycles_idempotently():
    call_command("seed_demo")
    first = (Cycle.objects.count(), CycleParticipant.objects.count(), CycleComment.objects.count())
    call_command("seed_demo")
    assert first[0] > 10
    assert (Cycle.objects.count(), CycleParticipant.objects.count(),
            CycleComment.objects.count()) == first


def test_it_has_cycles_led_by_every_role_some_shared_some_private():
    call_command("seed_demo")
    assert set(Cycle.objects.values_list("lead_role", flat=True)) == set(MemberRole.values)
    assert set(Cycle.objects.values_list("is_shared", flat=True)) == {True, False}


def test_it_gives_team_a_a_three_cycle_ramp_ending_in_adopt():
    call_command("seed_demo")
    team_a = Team.objects.get(memberships__user__username="member-a")
    longest = max(selectors.team_ramps(team_a), key=len)
    assert [(c.number, c.decision) for c in longest] == [(1, "adapt"), (2, "adapt"), (3, "adopt")]
    for cycle in Cycle.objects.all():  # every row satisfies the model's own checks
        cycle.full_clean()
