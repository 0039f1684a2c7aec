"""The access module's filters for higher layers, as they combine with sharing rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from teams import access
from teams.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db: None):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


def test_it_keeps_every_row_for_a_superuser_when_team_work_is_combined(world, superuser):
    everyone = set(Membership.objects.values_list("pk", flat=True))
    nothing_else = Q(pk__in=[])
    assert set(Membership.objects.filter(access.team_work_q(superuser) | nothing_else)
               .values_list("pk", flat=True)) == everyone
    assert set(Membership.objects.filter(access.collaborative_peer_q(superuser) | nothing_else)
               .values_list("pk", flat=True)) == everyone


def test_it_narrows_a_superusers_filter_only_by_what_it_is_and_ed_with(world, superuser):
    team_a = Q(team=world.team_a)
    assert (set(Membership.objects.filter(access.team_work_q(superuser) & team_a))
            == set(Membership.objects.filter(team_a)))
    assert not Membership.objects.exclude(access.team_work_q(superuser)).exists()


def test_it_limits_a_member_to_their_own_teams_work(world):
    rows = Membership.objects.filter(access.team_work_q(world.member_a))
    assert {membership.team for membership in rows} == {world.team_a}
