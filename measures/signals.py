"""Forget cached collaborative figures when what they are computed from changes, so a
saved value shows at once. Bulk writes (the demo seed) call ``aggregates.forget_*``."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from measures import aggregates
from measures.models import Measure, MeasurePhase, MeasureValue, Stratum
from teams.models import Team


@receiver([post_save, post_delete], sender=MeasureValue)
def _value_changed(sender: type, instance: MeasureValue, **kwargs: object) -> None:
    aggregates.forget_measure(instance.measure_id)


@receiver([post_save, post_delete], sender=Measure)
def _measure_changed(sender: type, instance: Measure, **kwargs: object) -> None:
    aggregates.forget_measure(instance.pk)


@receiver([post_save, post_delete], sender=Stratum)
def _stratum_changed(sender: type, instance: Stratum, **kwargs: object) -> None:
    aggregates.forget_measure(instance.measure_id)


@receiver([post_save, post_delete], sender=MeasurePhase)
def _phase_changed(sender: type, instance: MeasurePhase, **kwargs: object) -> None:
    # A team's phase changes its line in the collaborative's figures too (every team's
    # panel, the improving count), not only the pooled chart's.
    aggregates.forget_measure(instance.measure_id)


@receiver([post_save, post_delete], sender=Team)
def _team_changed(sender: type, instance: Team, **kwargs: object) -> None:
    aggregates.forget_collaborative(instance.collaborative_id)
