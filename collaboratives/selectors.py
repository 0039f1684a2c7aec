"""Reads about collaboratives, shared by views, the API and tasks."""

from __future__ import annotations

import datetime
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, Prefetch, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collaboratives.bilingual import localized
from collaboratives.models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    Period,
    PrimaryDriver,
    SecondaryDriver,
)


def collaboratives_with_counts(collaboratives: QuerySet[Collaborative]) -> QuerySet[Collaborative]:
    return collaboratives.annotate(team_count=Count("teams", distinct=True)).order_by(
        "-start_date", "name"
    )


def collaborative_timeline(collaborative: Collaborative) -> list[Period]:
    return sorted(collaborative.periods.all(), key=lambda period: period.sequence_key)


def current_period(periods: list[Period], today: datetime.date | None = None) -> Period | None:
    today = today or timezone.localdate()
    return next((p for p in periods if p.start_date <= today <= p.end_date), None)


def collaborative_staff(collaborative: Collaborative) -> QuerySet[CollaborativeRole]:
    return collaborative.roles.select_related("user").order_by(
        "role", "user__last_name", "user__first_name"
    )


# --- Change framework: the driver diagram ---------------------------------------------

@dataclass
class FrameworkNode:
    """One item of the diagram as a nested list: what a screen reader gets, and what a
    phone shows. An item with several parents appears under each of them."""

    title: str
    children: list[FrameworkNode] = field(default_factory=list)


@dataclass(frozen=True)
class DiagramLine:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class DiagramBox:
    kind: str  # "aim", "primary", "secondary" or "change"
    pk: int | None
    x: float
    y: float
    width: float
    height: float
    lines: tuple[DiagramLine, ...]

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class DiagramHeader:
    x: float
    text: str


@dataclass
class DriverDiagram:
    """Coordinates (in the SVG's viewBox units) of the diagram's boxes and connecting
    lines, and the same diagram as a nested list."""

    width: float
    height: float
    headers: list[DiagramHeader]
    boxes: list[DiagramBox]
    edges: list[str]  # SVG path data, parent's right edge to child's left edge
    aim: FrameworkNode
    primary_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.primary_count


@dataclass
class Framework:
    """Every item of a collaborative's driver diagram, each with its links prefetched."""

    primary_drivers: list[PrimaryDriver]
    secondary_drivers: list[SecondaryDriver]
    change_ideas: list[ChangeIdea]


def collaborative_framework(collaborative: Collaborative) -> Framework:
    """The items with their descriptions and links, for the framework pages."""
    return Framework(
        primary_drivers=list(collaborative.primary_drivers.order_by("order", "pk")),
        secondary_drivers=list(collaborative.secondary_drivers.order_by("order", "pk")
                               .prefetch_related(_ordered("primary_drivers", PrimaryDriver))),
        change_ideas=list(collaborative.change_ideas.order_by("order", "pk")
                          .prefetch_related(_ordered("secondary_drivers", SecondaryDriver))),
    )


def _ordered(lookup: str, model: type) -> Prefetch:
    # ``links``: what an item serves, whichever column it is in.
    return Prefetch(lookup, queryset=model.objects.order_by("order", "pk"), to_attr="links")


# Layout, in viewBox units (about a CSS pixel when the diagram is drawn 1180 wide).
CHARS_PER_LINE = 28
COLUMN_WIDTH = 250
COLUMN_GAP = 60
HEADER_HEIGHT = 36
LINE_HEIGHT = 18
FONT_SIZE = 14
PADDING = 10
BOX_GAP = 14
COLUMN_TITLES = (_("Aim"), _("Primary drivers"), _("Secondary drivers"), _("Change ideas"))


def driver_diagram(collaborative: Collaborative) -> DriverDiagram:
    """The driver diagram laid out in four columns: aim, primary drivers, secondary
    drivers, change ideas. One query, whatever the diagram's size: the collaborative's
    page has a query budget."""
    titles: dict[tuple[int, int], str] = {}
    orders: dict[tuple[int, int], tuple[int, int]] = {}
    parents: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row in _framework_rows(collaborative):
        key = (row["kind"], row["pk"])
        # The reader's language, from the same row.
        titles[key], orders[key] = localized(row, "title"), (row["order"], row["pk"])
        if row["parent"] is not None:
            parents[key].append(row["parent"])

    def column(kind: int, parent_rank: dict[int, int]) -> list[int]:
        # Each item sits at the mean position of its parents (the barycentre heuristic),
        # which keeps lines short and few of them crossing; unlinked items go last.
        def key(pk: int) -> tuple[float, tuple[int, int]]:
            ranks = [parent_rank[p] for p in parents[(kind, pk)] if p in parent_rank]
            return (sum(ranks) / len(ranks) if ranks else len(parent_rank), orders[(kind, pk)])

        return sorted((pk for k, pk in orders if k == kind), key=key)

    primaries = sorted((pk for k, pk in orders if k == _PRIMARY), key=lambda pk: orders[(_PRIMARY, pk)])
    secondaries = column(_SECONDARY, {pk: i for i, pk in enumerate(primaries)})
    ideas = column(_CHANGE, {pk: i for i, pk in enumerate(secondaries)})

    aim_text = collaborative.display_aim.strip() or str(_("No aim written yet."))
    columns = [
        [("aim", None, aim_text)],
        [("primary", pk, titles[(_PRIMARY, pk)]) for pk in primaries],
        [("secondary", pk, titles[(_SECONDARY, pk)]) for pk in secondaries],
        [("change", pk, titles[(_CHANGE, pk)]) for pk in ideas],
    ]
    boxes, height = _layout(columns)
    by_key = {(box.kind, box.pk): box for box in boxes}
    aim_box = by_key[("aim", None)]
    edges = [_edge(aim_box, by_key[("primary", pk)]) for pk in primaries]
    edges += [_edge(by_key[("primary", parent)], by_key[("secondary", pk)])
              for pk in secondaries for parent in parents[(_SECONDARY, pk)]
              if ("primary", parent) in by_key]
    edges += [_edge(by_key[("secondary", parent)], by_key[("change", pk)])
              for pk in ideas for parent in parents[(_CHANGE, pk)]
              if ("secondary", parent) in by_key]

    def ideas_under(secondary: int) -> list[FrameworkNode]:
        return [FrameworkNode(titles[(_CHANGE, pk)]) for pk in ideas
                if secondary in parents[(_CHANGE, pk)]]

    def secondaries_under(primary: int) -> list[FrameworkNode]:
        return [FrameworkNode(titles[(_SECONDARY, pk)], ideas_under(pk)) for pk in secondaries
                if primary in parents[(_SECONDARY, pk)]]

    tree = FrameworkNode(aim_text, [FrameworkNode(titles[(_PRIMARY, pk)], secondaries_under(pk))
                                    for pk in primaries])
    width = 4 * COLUMN_WIDTH + 3 * COLUMN_GAP
    headers = [DiagramHeader(index * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_WIDTH / 2, str(text))
               for index, text in enumerate(COLUMN_TITLES)]
    return DriverDiagram(width=width, height=height, headers=headers, boxes=boxes,
                         edges=edges, aim=tree, primary_count=len(primaries))


_PRIMARY, _SECONDARY, _CHANGE = 1, 2, 3


def _framework_rows(collaborative: Collaborative) -> list[dict]:
    """Every item as (kind, pk, title, order, parent pk): one row per link, or one with
    no parent for an unlinked item, in a single UNION ALL query."""

    def rows(model: type, kind: int, parent: Any) -> QuerySet:
        return model.objects.filter(collaborative=collaborative).values(
            "pk", "title", "title_es", "order", kind=Value(kind, output_field=IntegerField()), parent=parent,
        ).order_by()

    return list(
        rows(PrimaryDriver, _PRIMARY, Value(None, output_field=IntegerField())).union(
            rows(SecondaryDriver, _SECONDARY, F("primary_drivers")),
            rows(ChangeIdea, _CHANGE, F("secondary_drivers")),
            all=True,
        )
    )


def _layout(columns: list[list[tuple[str, int | None, str]]]) -> tuple[list[DiagramBox], float]:
    """Stack each column's boxes and spread the shorter columns over the tallest one's
    height, so every column fills the picture evenly."""
    wrapped = [[(kind, pk, textwrap.wrap(text, CHARS_PER_LINE) or [""]) for kind, pk, text in items]
               for items in columns]
    heights = [[2 * PADDING + len(lines) * LINE_HEIGHT for _kind, _pk, lines in items]
               for items in wrapped]
    tallest = max(sum(column) + BOX_GAP * len(column) for column in heights)
    boxes = []
    for index, (items, column_heights) in enumerate(zip(wrapped, heights, strict=True)):
        if not items:
            continue
        gap = (tallest - sum(column_heights)) / len(items)
        x = index * (COLUMN_WIDTH + COLUMN_GAP)
        y = HEADER_HEIGHT + gap / 2
        for (kind, pk, lines), height in zip(items, column_heights, strict=True):
            boxes.append(DiagramBox(
                kind=kind, pk=pk, x=x, y=round(y, 1), width=COLUMN_WIDTH, height=height,
                lines=tuple(
                    DiagramLine(x + PADDING, round(y + PADDING + FONT_SIZE + n * LINE_HEIGHT - 2, 1),
                                line)
                    for n, line in enumerate(lines)
                ),
            ))
            y += height + gap
    return boxes, HEADER_HEIGHT + tallest


def _edge(parent: DiagramBox, child: DiagramBox) -> str:
    x1, y1 = parent.x + parent.width, parent.middle
    x2, y2 = child.x, child.middle
    bend = (x2 - x1) / 2
    return f"M{x1:g} {y1:.1f} C{x1 + bend:g} {y1:.1f} {x2 - bend:g} {y2:.1f} {x2:g} {y2:.1f}"
