"""Fixtures for PDSA tests: change ideas of both collaboratives and a way to make cycles."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from collaboratives.models import ChangeIdea
from pdsa import services
from pdsa.models import Cycle
from tests.conftest import World


@pytest.fixture
def idea(world: World) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


@pytest.fixture
def other_idea(world: World) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Feelings check-in")


@pytest.fixture
def foreign_idea(world: World) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.other_collaborative,
                                     title="Family conferences")


@pytest.fixture
def make_cycle(world: World, idea: ChangeIdea) -> Callable[..., Cycle]:
    """A cycle of team A entered by member A (so led by them), in Plan."""

    def make(**fields) -> Cycle:
        fields.setdefault("team", world.team_a)
        fields.setdefault("created_by", world.member_a)
        fields.setdefault("change_idea", idea)
        fields.setdefault("title", "Picture schedule at arrival")
        fields.setdefault("prediction", "Fewer children will ask what comes next.")
        fields.setdefault("plan_what", "Post a picture schedule at the door.")
        fields.setdefault("scale", Cycle.Scale.ONE_CLASSROOM)
        return services.cycle_create(**fields)

    return make


def complete(cycle: Cycle, *, decision: str = "adopt", shared: bool = False) -> Cycle:
    """Fill in what each stage needs (keeping the plan's answers already given) and walk the
    cycle to Complete. Other apps' tests use it too."""
    cycle = services.cycle_update(cycle=cycle, version=cycle.version,
                                  plan_what=cycle.plan_what or "Post a picture schedule.",
                                  prediction=cycle.prediction or "Fewer questions.",
                                  scale=cycle.scale or Cycle.Scale.ONE_CLASSROOM,
                                  do_what_happened="Children looked at it most mornings.",
                                  study_summary="Better than predicted.",
                                  study_learned="Pictures work better than words.",
                                  decision=decision)
    for status in ("do", "study", "act", "complete"):
        cycle = services.cycle_status_move(cycle=cycle, status=status, version=cycle.version)
    if shared:
        cycle = services.cycle_share(cycle=cycle, shared=True)
    return cycle


@pytest.fixture
def superuser(db: None):
    """A site administrator: no role anywhere, sees everything."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "x")


@pytest.fixture
def five_cycles(world: World, make_cycle: Callable[..., Cycle]) -> list[Cycle]:
    """Team A's five cycles: three shared with the collaborative, two private (one still in
    Plan, one complete but not shared)."""
    shared = [complete(make_cycle(title=f"Shared {n}"), shared=True) for n in range(3)]
    return [*shared, make_cycle(title="Private plan"), complete(make_cycle(title="Private done"))]
