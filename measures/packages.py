"""Start a collaborative from a change package: copy the aim, the driver diagram, the
measures and the timeline's shape from a built-in package or from another collaborative
the advisor leads.

It lives in this layer because measures are copied with the framework, and this layer may
import both (collaboratives <- teams <- measures). A source collaborative is first read
into the same ``ChangePackage`` shape as a built-in one, so both are copied by one code
path. Copying only fills what is empty: it never merges into a diagram, measures or a
timeline the collaborative already has.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history

from collaboratives.bilingual import localized
from collaboratives.models import ChangeIdea, Collaborative, Period, PrimaryDriver, SecondaryDriver
from collaboratives.packages import (
    AIM,
    BUILT_IN_PACKAGES,
    FRAMEWORK,
    MEASURES,
    PARTS,
    TIMELINE,
    ChangePackage,
)
from collaboratives.services import timeline_validate
from measures import aggregates
from measures.models import Measure, Stratum
from teams import access

PART_LABELS = {
    AIM: gettext_lazy("Aim"),
    FRAMEWORK: gettext_lazy("Driver diagram"),
    MEASURES: gettext_lazy("Measures"),
    TIMELINE: gettext_lazy("Timeline"),
}
# A period's place and length travel as offsets; where it was held and its notes belong to
# the other collaborative.
_PERIOD_SKIPPED = ("start_date", "end_date", "location", "notes")
# django-simple-history's change reason is at most 100 characters.
_REASON_LENGTH = 100


@dataclass(frozen=True)
class PartPreview:
    """One part of a package as the page offers it: what it holds, and why it cannot be
    copied into this collaborative (empty when it can)."""

    key: str
    label: str
    contents: str
    count: int
    conflict: str

    @property
    def can_copy(self) -> bool:
        return self.count > 0 and not self.conflict


@dataclass(frozen=True)
class CopyResult:
    aim: bool = False
    primary_drivers: int = 0
    secondary_drivers: int = 0
    change_ideas: int = 0
    measures: int = 0
    strata: int = 0
    periods: int = 0

    def summary(self) -> str:
        """What was copied, in one sentence's worth of parts."""
        pieces = []
        if self.aim:
            pieces.append(_("the aim"))
        if self.change_ideas or self.primary_drivers:
            pieces.append(_framework_words(self.primary_drivers, self.secondary_drivers,
                                           self.change_ideas))
        if self.measures:
            pieces.append(ngettext("%(count)s measure", "%(count)s measures",
                                   self.measures) % {"count": self.measures})
        if self.periods:
            pieces.append(ngettext("%(count)s timeline period", "%(count)s timeline periods",
                                   self.periods) % {"count": self.periods})
        return "; ".join(pieces)


# --- Reading a source ------------------------------------------------------------------------

def package_choices_for(user: access.User, target: Collaborative) -> list[tuple[str, str]]:
    """The sources this user may copy from into ``target``: the built-in packages, then the
    other collaboratives they lead (never one they only read)."""
    choices = [(f"package:{key}", format_lazy(gettext_lazy("Built-in package: {}"), package.name))
               for key, package in BUILT_IN_PACKAGES.items()]
    others = (access.collaboratives_managed_by(user).exclude(pk=target.pk)
              .order_by("-start_date", "name").values_list("pk", "name"))
    choices += [(f"collaborative:{pk}", name) for pk, name in others]
    return choices


def source_for_choice(user: access.User, choice: str) -> Collaborative | ChangePackage | None:
    """What a choice from ``package_choices_for`` names: a built-in package or a
    collaborative the user leads; None for anything else (an unknown package, a
    collaborative they do not lead), so nothing about it is read."""
    kind, _sep, key = choice.partition(":")
    if kind == "package":
        return BUILT_IN_PACKAGES.get(key)
    if kind == "collaborative" and key.isascii() and key.isdigit():
        return access.collaboratives_managed_by(user).filter(pk=int(key)).first()
    return None


def package_from_collaborative(source: Collaborative) -> ChangePackage:
    """Everything copyable of a collaborative, in a fixed number of queries. Every field of
    a row is kept (new fields are copied without this code changing) except its key, its
    collaborative and its links, which are carried by title."""
    primaries = list(source.primary_drivers.order_by("order", "pk"))
    secondaries = list(source.secondary_drivers.order_by("order", "pk")
                       .prefetch_related("primary_drivers"))
    ideas = list(source.change_ideas.order_by("order", "pk").prefetch_related("secondary_drivers"))
    measures = list(Measure.objects.filter(collaborative=source).order_by("order", "name")
                    .prefetch_related("strata"))
    periods = list(source.periods.order_by("start_date", "pk"))
    target_offset = None
    if source.aim_target_date and source.aim_target_date != source.end_date:
        target_offset = (source.aim_target_date - source.start_date).days
    return ChangePackage(
        key=f"collaborative:{source.pk}", name=source.name,
        aim_statement=source.aim_statement, aim_statement_es=source.aim_statement_es,
        aim_target_offset_days=target_offset,
        primary_drivers=tuple(_fields(item) for item in primaries),
        secondary_drivers=tuple(
            {**_fields(item), "primary_drivers": [parent.title for parent in item.primary_drivers.all()]}
            for item in secondaries),
        change_ideas=tuple(
            {**_fields(item), "secondary_drivers": [parent.title for parent in item.secondary_drivers.all()]}
            for item in ideas),
        measures=tuple(
            {**_fields(measure), "strata": [_fields(stratum) for stratum in measure.strata.all()]}
            for measure in measures),
        periods=tuple(
            {**_fields(period, skip=_PERIOD_SKIPPED),
             "offset_days": (period.start_date - source.start_date).days,
             "duration_days": (period.end_date - period.start_date).days}
            for period in periods),
    )


def _fields(instance: models.Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname)
            for field in type(instance)._meta.concrete_fields
            if not field.primary_key and not field.is_relation and field.name not in skip}


# --- What the page shows before copying ------------------------------------------------------

def package_preview(*, target: Collaborative, package: ChangePackage) -> list[PartPreview]:
    """Each part: what the package holds and whether it fits ``target`` (one query)."""
    conflicts = _conflicts(target, package)
    primaries, secondaries, ideas = (len(package.primary_drivers), len(package.secondary_drivers),
                                     len(package.change_ideas))
    contents = {
        AIM: localized(package, "aim_statement") or _("No aim written."),
        FRAMEWORK: (_framework_words(primaries, secondaries, ideas) if primaries or ideas
                    else _("No driver diagram.")),
        MEASURES: _measure_words(package),
        TIMELINE: _timeline_words(package),
    }
    counts = {AIM: int(bool(package.aim_statement.strip())), FRAMEWORK: primaries + secondaries + ideas,
              MEASURES: len(package.measures), TIMELINE: len(package.periods)}
    return [PartPreview(part, str(PART_LABELS[part]), contents[part], counts[part],
                        conflicts.get(part, "")) for part in PARTS]


def _conflicts(target: Collaborative, package: ChangePackage) -> dict[str, str]:
    """Why each part cannot go into ``target``: it already has one (copying never merges),
    or the timeline would run past its end."""
    has = Collaborative.objects.filter(pk=target.pk).annotate(
        has_primary=Exists(PrimaryDriver.objects.filter(collaborative=OuterRef("pk"))),
        has_secondary=Exists(SecondaryDriver.objects.filter(collaborative=OuterRef("pk"))),
        has_idea=Exists(ChangeIdea.objects.filter(collaborative=OuterRef("pk"))),
        has_measure=Exists(Measure.objects.filter(collaborative=OuterRef("pk"))),
        has_period=Exists(Period.objects.filter(collaborative=OuterRef("pk"))),
    ).values("aim_statement", "has_primary", "has_secondary", "has_idea", "has_measure",
             "has_period").get()
    conflicts = {}
    if has["aim_statement"].strip():
        conflicts[AIM] = _("This collaborative already has an aim. Untick “Aim”, or clear the "
                           "aim on the collaborative's edit page first.")
    if has["has_primary"] or has["has_secondary"] or has["has_idea"]:
        conflicts[FRAMEWORK] = _("This collaborative already has a driver diagram. Untick "
                                 "“Driver diagram”, or remove its items first.")
    if has["has_measure"]:
        conflicts[MEASURES] = _("This collaborative already has measures. Untick “Measures”, "
                                "or remove them first.")
    if has["has_period"]:
        conflicts[TIMELINE] = _("This collaborative already has a timeline. Untick "
                                "“Timeline”, or delete its periods first.")
    elif package.periods and _span_days(package) > (target.end_date - target.start_date).days:
        conflicts[TIMELINE] = _(
            "The timeline runs %(span)s days from the start, but this collaborative is "
            "%(length)s days long. Move its end date later, or untick “Timeline”."
        ) % {"span": _span_days(package) + 1, "length": (target.end_date - target.start_date).days + 1}
    return conflicts


def _measure_words(package: ChangePackage) -> str:
    if not package.measures:
        return _("No measures.")
    count = len(package.measures)
    words = ngettext("%(count)s measure", "%(count)s measures", count) % {"count": count}
    stratified = sum(1 for measure in package.measures if measure.get("stratification"))
    if stratified:
        words += " " + ngettext("(%(count)s stratified)", "(%(count)s stratified)",
                                stratified) % {"count": stratified}
    return words


def _timeline_words(package: ChangePackage) -> str:
    if not package.periods:
        return _("No timeline.")
    sessions = sum(1 for period in package.periods
                   if period["kind"] == Period.Kind.LEARNING_SESSION)
    return _("%(periods)s, %(sessions)s, over %(days)s") % {
        "periods": ngettext("%(count)s period", "%(count)s periods", len(package.periods))
        % {"count": len(package.periods)},
        "sessions": ngettext("%(count)s learning session", "%(count)s learning sessions",
                             sessions) % {"count": sessions},
        "days": ngettext("%(count)s day", "%(count)s days", _span_days(package) + 1)
        % {"count": _span_days(package) + 1},
    }


def _span_days(package: ChangePackage) -> int:
    return max((period["offset_days"] + period["duration_days"] for period in package.periods),
               default=0)


def _framework_words(primaries: int, secondaries: int, ideas: int) -> str:
    return ", ".join([
        ngettext("%(count)s primary driver", "%(count)s primary drivers", primaries)
        % {"count": primaries},
        ngettext("%(count)s secondary driver", "%(count)s secondary drivers", secondaries)
        % {"count": secondaries},
        ngettext("%(count)s change idea", "%(count)s change ideas", ideas) % {"count": ideas},
    ])


# --- Copying -----------------------------------------------------------------------------------

@transaction.atomic
def collaborative_copy_from(
    *, target: Collaborative, source: Collaborative | None = None,
    package: ChangePackage | None = None, parts: Iterable[str] = frozenset(PARTS),
    copied_by: AbstractBaseUser | None,
) -> CopyResult:
    """Copy ``parts`` of another collaborative (``source``) or of a built-in ``package`` into
    ``target``. Refused, with nothing saved, when a chosen part is not empty in ``target``,
    when the timeline would not fit, or when ``copied_by`` does not lead ``source``. Dates
    move with the target's start date; every row gets its history, by ``copied_by``."""
    if (source is None) == (package is None):
        raise TypeError("Give either a source collaborative or a package.")
    parts = set(parts)
    if parts - set(PARTS):
        raise TypeError(f"Unknown parts: {', '.join(sorted(parts - set(PARTS)))}")
    if source is not None:
        if source.pk == target.pk:
            raise ValidationError(_("A collaborative cannot start from itself."), code="same_collaborative")
        if copied_by is not None and not access.leads_collaborative(copied_by, source.pk):
            raise PermissionDenied
        package = package_from_collaborative(source)
    if not parts:
        raise ValidationError(_("Tick at least one part to copy."), code="no_parts")
    # Locked, so two advisors copying at once cannot both find it empty.
    target = Collaborative.objects.select_for_update().get(pk=target.pk)
    conflicts = _conflicts(target, package)
    refused = [conflicts[part] for part in PARTS if part in parts and part in conflicts]
    if refused:
        raise ValidationError([ValidationError(message, code="not_empty") for message in refused])
    history = {"user": copied_by,
               "reason": (_("Copied from “%(source)s”") % {"source": package.name})[:_REASON_LENGTH]}
    result: dict[str, Any] = {}
    if AIM in parts and package.aim_statement.strip():
        _copy_aim(target, package, history)
        result["aim"] = True
    if FRAMEWORK in parts:
        result.update(_copy_framework(target, package, history))
    if MEASURES in parts and package.measures:
        result.update(_copy_measures(target, package, history))
        # Bulk writes send no signals: the cached figures of the collaborative go by hand.
        transaction.on_commit(lambda: aggregates.forget_collaborative(target.pk))
    if TIMELINE in parts and package.periods:
        result["periods"] = _copy_timeline(target, package, history)
    copied = CopyResult(**result)
    if copied == CopyResult():
        raise ValidationError(_("There is nothing to copy in the parts you ticked."),
                              code="nothing_to_copy")
    return copied


def _mark(instance: models.Model, history: dict) -> models.Model:
    # django-simple-history reads these when it writes the row's history (and the m2m's).
    instance._history_user = history["user"]
    instance._change_reason = history["reason"]
    return instance


def _bulk(objects: list[models.Model], model: type[models.Model], history: dict) -> list:
    return bulk_create_with_history(objects, model, default_user=history["user"],
                                    default_change_reason=history["reason"])


def _copy_aim(target: Collaborative, package: ChangePackage, history: dict) -> None:
    target.aim_statement, target.aim_statement_es = package.aim_statement, package.aim_statement_es
    target.aim_target_date = target.end_date
    if package.aim_target_offset_days is not None:
        target.aim_target_date = min(
            target.end_date,
            target.start_date + datetime.timedelta(days=package.aim_target_offset_days))
    _mark(target, history).save(
        update_fields=["aim_statement", "aim_statement_es", "aim_target_date", "updated_at"])


def _copy_framework(target: Collaborative, package: ChangePackage, history: dict) -> dict:
    """Primary drivers in bulk; secondary drivers and change ideas one by one, so their
    links are in their history too (a diagram has a few dozen items)."""
    primaries = {item.title: item for item in _bulk(
        [PrimaryDriver(collaborative=target, **item) for item in package.primary_drivers],
        PrimaryDriver, history)}
    secondaries = {}
    for item in package.secondary_drivers:
        fields = {name: value for name, value in item.items() if name != "primary_drivers"}
        secondary = _mark(SecondaryDriver(collaborative=target, **fields), history)
        secondary.save()
        secondary.primary_drivers.set([primaries[title] for title in item["primary_drivers"]])
        secondaries[secondary.title] = secondary
    for item in package.change_ideas:
        fields = {name: value for name, value in item.items() if name != "secondary_drivers"}
        idea = _mark(ChangeIdea(collaborative=target, **fields), history)
        idea.save()
        idea.secondary_drivers.set([secondaries[title] for title in item["secondary_drivers"]])
    return {"primary_drivers": len(primaries), "secondary_drivers": len(secondaries),
            "change_ideas": len(package.change_ideas)}


def _copy_measures(target: Collaborative, package: ChangePackage, history: dict) -> dict:
    measures = _bulk([Measure(collaborative=target, **{name: value for name, value in item.items()
                                                       if name != "strata"})
                      for item in package.measures], Measure, history)
    by_name = {measure.name: measure for measure in measures}
    strata = [Stratum(measure=by_name[item["name"]], **{"order": order, **stratum})
              for item in package.measures for order, stratum in enumerate(item.get("strata", ()))]
    _bulk(strata, Stratum, history)
    return {"measures": len(measures), "strata": len(strata)}


def _copy_timeline(target: Collaborative, package: ChangePackage, history: dict) -> int:
    periods = []
    for item in package.periods:
        fields = {name: value for name, value in item.items()
                  if name not in ("offset_days", "duration_days")}
        start = target.start_date + datetime.timedelta(days=item["offset_days"])
        periods.append(Period(collaborative=target, start_date=start,
                              end_date=start + datetime.timedelta(days=item["duration_days"]),
                              **fields))
    # The source's order held there; the same rules decide here (and name any period that
    # would fall outside this collaborative).
    timeline_validate(target, periods)
    return len(_bulk(periods, Period, history))

