"""Fixed personas shared by every test (style.md: tests read like a specification)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils import translation

from collaboratives.models import Collaborative, CollaborativeRole
from collaboratives.services import advisor_group_ensure
from teams.models import MemberRole, Membership, Team
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashers take ~0.3 s per password by design; tests create dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> None:
    # A request in Spanish leaves Spanish active in the thread (the locale middleware
    # activates, nothing deactivates): a test that calls code directly starts in English.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Collaborative figures are cached (Redis in CI); a test must not read another's.
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _private_files(tmp_path_factory):
    """Cycle photos and files go to a throwaway directory, never var/media."""
    from django.core.files.storage import FileSystemStorage

    from pdsa.models import CycleAttachment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CycleAttachment._meta.get_field("file"), "storage",
                      FileSystemStorage(location=tmp_path_factory.mktemp("files")))
        yield


@dataclass
class World:
    """Two collaboratives in two states, two teams in the first, and one person per role."""

    collaborative: Collaborative
    other_collaborative: Collaborative
    team_a: Team
    team_b: Team
    other_team: Team
    advisor: AbstractBaseUser
    coach: AbstractBaseUser
    other_advisor: AbstractBaseUser
    member_a: AbstractBaseUser
    lead_a: AbstractBaseUser
    member_b: AbstractBaseUser
    state_viewer: AbstractBaseUser
    other_state_viewer: AbstractBaseUser
    stranger: AbstractBaseUser
    membership_a: Membership


@pytest.fixture
def world(db: None) -> World:
    collaborative = factories.CollaborativeFactory(name="Growing Together", state="NC")
    other = factories.CollaborativeFactory(name="Family Engagement", state="VA")
    advisors = advisor_group_ensure()
    advisor = factories.UserFactory(username="advisor")
    advisor.groups.add(advisors)
    other_advisor = factories.UserFactory(username="other-advisor")
    other_advisor.groups.add(advisors)
    coach = factories.UserFactory(username="coach")
    factories.CollaborativeRoleFactory(user=advisor, collaborative=collaborative)
    factories.CollaborativeRoleFactory(user=coach, collaborative=collaborative,
                                       role=CollaborativeRole.Role.COACH)
    factories.CollaborativeRoleFactory(user=other_advisor, collaborative=other)
    team_a = factories.TeamFactory(collaborative=collaborative, name="Team A")
    team_b = factories.TeamFactory(collaborative=collaborative, name="Team B")
    other_team = factories.TeamFactory(collaborative=other, name="Team V")
    member_a = factories.UserFactory(username="member-a")
    lead_a = factories.UserFactory(username="lead-a")
    member_b = factories.UserFactory(username="member-b")
    membership_a = factories.MembershipFactory(team=team_a, user=member_a,
                                               role=MemberRole.EDUCATOR)
    factories.MembershipFactory(team=team_a, user=lead_a, role=MemberRole.ADMINISTRATOR,
                                is_lead=True)
    factories.MembershipFactory(team=team_b, user=member_b, role=MemberRole.FAMILY)
    factories.MembershipFactory(team=other_team, role=MemberRole.EDUCATOR)
    state_viewer = factories.StateViewerRoleFactory(state="NC").user
    other_state_viewer = factories.StateViewerRoleFactory(state="VA").user
    return World(
        collaborative=collaborative, other_collaborative=other, team_a=team_a, team_b=team_b,
        other_team=other_team, advisor=advisor, coach=coach, other_advisor=other_advisor,
        member_a=member_a, lead_a=lead_a, member_b=member_b, state_viewer=state_viewer,
        other_state_viewer=other_state_viewer, stranger=factories.UserFactory(username="stranger"),
        membership_a=membership_a,
    )
