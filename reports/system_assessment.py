"""The system assessment of the BSC-in-ECE brief: a state's professional-development
offerings on the Professional Development Matrix (its Figure 1), with the state's BSC
collaboratives placed in Q3 (organizational coaching) automatically.

The brief's cue: "If offerings in Quadrants 3 (Organizational Coaching) and 4 (Collective
Organizational Training) are less robust than those in Quadrants 1 and 2, a BSC could be
an effective strategy to embed." Here "less robust" is a plain, stated rule (`THIN_SHARE`).

Reads (`system_assessment`) and the offering writes (`pd_offering_save`,
`pd_offering_delete`) of the feature live together in this module; both take a state or
an offering the caller has already scoped through `teams.access`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collaboratives.models import Collaborative, PDOffering, USState, quadrant_of
from measures import aggregates
from reports.exports import Table

Q1, Q2, Q3, Q4 = (quadrant.value for quadrant in PDOffering.Quadrant)

# Q3 and Q4 are "thin" when together they hold fewer than this share of the offerings or
# of the programs reached.
THIN_SHARE = 0.25

# BSC collaboratives coach whole program teams to put knowledge into practice: the top
# right corner of the matrix.
BSC_ENGAGES = 4
BSC_PURPOSE = 4


@dataclass(frozen=True)
class MatrixPoint:
    """One dot on the matrix: an offering, or one of the state's BSC collaboratives.
    `number` keys the dot to the table; `x`, `y` are in the SVG's coordinates."""

    name: str
    quadrant: int
    engages: int
    purpose: int
    programs: int
    people: int | None  # None: a BSC's count under 10, hidden
    is_bsc: bool
    pk: int | None  # the offering's; None for a BSC collaborative
    x: float
    y: float
    number: int = 0
    provider: str = ""
    collaborative_pk: int | None = None

    @property
    def quadrant_label(self) -> str:
        return str(PDOffering.Quadrant(self.quadrant).label)

    # A BSC is drawn as a square of the same area as an offering's dot: the shape, not
    # only the colour, tells them apart.
    @property
    def square_side(self) -> float:
        return round(DOT_RADIUS * math.sqrt(math.pi), 1)

    @property
    def square_x(self) -> float:
        return round(self.x - self.square_side / 2, 1)

    @property
    def square_y(self) -> float:
        return round(self.y - self.square_side / 2, 1)


@dataclass(frozen=True)
class QuadrantSummary:
    quadrant: int
    label: str
    offerings: int
    programs: int
    people: int


@dataclass(frozen=True)
class MatrixCell:
    """A quadrant's box in the SVG, with its two-line label ("Q3" / "Organizational coaching")."""

    quadrant: int
    code: str
    name: str
    x: float
    y: float
    width: float
    height: float

    @property
    def fill(self) -> str:
        return _CELL_FILLS[self.quadrant]

    @property
    def label_x(self) -> float:
        return self.x + 10

    @property
    def code_y(self) -> float:
        return self.y + 18

    @property
    def name_y(self) -> float:
        return self.y + 36


@dataclass(frozen=True)
class MatrixFrame:
    """The SVG's geometry: its size, the plot's box and the quadrant boxes."""

    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    cells: list[MatrixCell]
    dot_radius: int

    @property
    def mid_x(self) -> float:
        return self.left + self.plot_width / 2

    @property
    def mid_y(self) -> float:
        return self.cells[0].y + self.cells[0].height if self.cells else self.top

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def x_label_y(self) -> float:
        return self.bottom + 28

    @property
    def y_label_x(self) -> float:
        return self.left - 22

    @property
    def y_label_y(self) -> float:
        return self.top + self.plot_height / 2



@dataclass(frozen=True)
class Assessment:
    state: str
    state_label: str
    points: list[MatrixPoint]
    quadrants: list[QuadrantSummary]
    thin: bool
    thin_reason: str
    summary: str
    frame: MatrixFrame | None = None

    @property
    def offerings(self) -> int:
        return len(self.points)


# --- The matrix's geometry ------------------------------------------------------------------
# Left half: individuals (engages 1-2); right half: organizations/teams (3-4). Top half:
# transfer to practice (purpose 3-4); bottom half: knowledge gain (1-2), as in the brief's
# Figure 1. Each half of a quadrant holds one axis value, so a dot's place says its values;
# dots sharing a value pair are laid out in a grid, and rows are added (the SVG grows
# taller) rather than letting dots overlap.

_CELL_FILLS = {1: "#eaf3f9", 2: "#eef6ee", 3: "#fff4de", 4: "#f3eef8"}
WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 8, 44
LABEL_BAND = 46
SPACING = 26
DOT_RADIUS = 11
SUB_WIDTH = (WIDTH - LEFT - RIGHT) / 4
COLUMNS = int((SUB_WIDTH - 8) // SPACING)
MIN_SUB_HEIGHT = 2 * SPACING + 12


def _layout(items: list[dict]) -> tuple[MatrixFrame, dict[int, tuple[float, float]]]:
    """Each item (with "engages", "purpose", "number") gets a centre; returns the frame and
    the centres by number. Deterministic: the same items always land in the same places."""
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for item in items:
        groups[(item["engages"], item["purpose"])].append(item)
    row_heights = {}
    for purpose in (1, 2, 3, 4):
        most = max(len(groups.get((engages, purpose), ())) for engages in (1, 2, 3, 4))
        row_heights[purpose] = max(MIN_SUB_HEIGHT, math.ceil(most / COLUMNS) * SPACING + 12)
    # Top to bottom: the top cell's label band, purpose 4, purpose 3, the bottom cell's
    # label band, purpose 2, purpose 1.
    row_tops, y = {}, TOP
    for purpose in (4, 3, 2, 1):
        if purpose in (4, 2):
            y += LABEL_BAND
        row_tops[purpose] = y
        y += row_heights[purpose]
    plot_height = y - TOP
    plot_width = WIDTH - LEFT - RIGHT
    top_height = LABEL_BAND + row_heights[4] + row_heights[3]
    bottom_height = plot_height - top_height
    cells = []
    for quadrant, column, upper in ((Q2, 0, True), (Q3, 1, True), (Q1, 0, False), (Q4, 1, False)):
        code, _space, name = str(PDOffering.Quadrant(quadrant).label).partition(" ")
        cells.append(MatrixCell(
            quadrant=quadrant, code=code, name=name, x=LEFT + column * plot_width / 2,
            y=TOP if upper else TOP + top_height, width=plot_width / 2,
            height=top_height if upper else bottom_height))
    centres = {}
    for (engages, purpose), members in groups.items():
        members.sort(key=lambda item: item["number"])
        columns = min(COLUMNS, len(members))
        rows = math.ceil(len(members) / columns)
        sub_left = LEFT + (engages - 1) * SUB_WIDTH
        first_x = sub_left + (SUB_WIDTH - columns * SPACING) / 2 + SPACING / 2
        first_y = row_tops[purpose] + (row_heights[purpose] - rows * SPACING) / 2 + SPACING / 2
        for index, item in enumerate(members):
            row, column = divmod(index, columns)
            centres[item["number"]] = (round(first_x + column * SPACING, 1),
                                       round(first_y + row * SPACING, 1))
    frame = MatrixFrame(width=WIDTH, height=int(TOP + plot_height + BOTTOM), left=LEFT, top=TOP,
                        plot_width=plot_width, plot_height=plot_height, cells=cells,
                        dot_radius=DOT_RADIUS)
    return frame, centres


# --- The selector ----------------------------------------------------------------------------

def system_assessment(state: str) -> Assessment:
    """The state's offerings and its active or planned BSC collaboratives on the matrix,
    counted per quadrant, with the thin-Q3/Q4 flag. Two queries, whatever the numbers."""
    offerings = list(PDOffering.objects.filter(state=state).order_by("name", "pk"))
    collaboratives = list(
        Collaborative.objects.filter(state=state)
        .exclude(status=Collaborative.Status.CLOSED)
        .annotate(programs=Count("teams__organization", distinct=True),
                  people=Count("teams__memberships__user", distinct=True))
        .order_by("name", "pk")
    )
    items = [
        {"name": offering.name, "provider": offering.provider, "engages": offering.engages,
         "purpose": offering.purpose, "programs": offering.programs_reached,
         "people": offering.people_reached, "is_bsc": False, "pk": offering.pk,
         "collaborative_pk": None}
        for offering in offerings
    ] + [
        {"name": collaborative.name, "provider": _("Breakthrough Series Collaborative"),
         "engages": BSC_ENGAGES, "purpose": BSC_PURPOSE, "programs": collaborative.programs,
         # The people on a BSC's teams are counted by the portal, so its small-cell rule
         # applies (an offering's reach is what state staff typed in).
         "people": aggregates.count_table({"bsc": {"people": collaborative.people}},
                                          full=False)["bsc"]["people"].value,
         "is_bsc": True, "pk": None,
         "collaborative_pk": collaborative.pk}
        for collaborative in collaboratives
    ]
    for item in items:
        item["quadrant"] = quadrant_of(item["engages"], item["purpose"])
    # The table reads quadrant by quadrant; the BSCs lead Q3.
    items.sort(key=lambda item: (item["quadrant"], not item["is_bsc"], item["name"].lower()))
    for number, item in enumerate(items, start=1):
        item["number"] = number
    frame, centres = _layout(items)
    points = [MatrixPoint(x=centres[item["number"]][0], y=centres[item["number"]][1], **item)
              for item in items]
    quadrants = _quadrant_summaries(points)
    thin, thin_reason = _thinness(quadrants)
    state_label = str(USState(state).label) if state in USState.values else state
    return Assessment(
        state=state, state_label=state_label, points=points, quadrants=quadrants, thin=thin,
        thin_reason=thin_reason, summary=_summary(state_label, points, quadrants, thin),
        frame=frame,
    )


def _quadrant_summaries(points: list[MatrixPoint]) -> list[QuadrantSummary]:
    return [
        QuadrantSummary(
            quadrant=quadrant, label=str(PDOffering.Quadrant(quadrant).label),
            offerings=sum(1 for point in points if point.quadrant == quadrant),
            programs=sum(point.programs for point in points if point.quadrant == quadrant),
            people=sum(point.people or 0 for point in points if point.quadrant == quadrant),
        )
        for quadrant in (Q1, Q2, Q3, Q4)
    ]


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _thinness(quadrants: list[QuadrantSummary]) -> tuple[bool, str]:
    """Whether Q3 and Q4 together fall short of a quarter of the offerings or of the
    programs reached, and why, in words."""
    total = sum(q.offerings for q in quadrants)
    if not total:
        return False, ""
    organizational = [q for q in quadrants if q.quadrant in (Q3, Q4)]
    offerings = sum(q.offerings for q in organizational)
    programs = sum(q.programs for q in organizational)
    all_programs = sum(q.programs for q in quadrants)
    reasons = []
    if offerings < THIN_SHARE * total:
        reasons.append(_("they hold %(part)s of %(whole)s offerings (%(share)s)") % {
            "part": offerings, "whole": total, "share": _share(offerings, total)})
    if all_programs and programs < THIN_SHARE * all_programs:
        reasons.append(_("they reach %(part)s of %(whole)s programs reached (%(share)s)") % {
            "part": number_format(programs, force_grouping=True),
            "whole": number_format(all_programs, force_grouping=True),
            "share": _share(programs, all_programs)})
    if not reasons:
        return False, ""
    return True, _("Organizational coaching and collective training (Q3 and Q4) are thin: "
                   "%(reasons)s — less than a quarter.") % {"reasons": _(" and ").join(reasons)}


def _summary(state_label: str, points: list[MatrixPoint], quadrants: list[QuadrantSummary],
             thin: bool) -> str:
    if not points:
        return _("%(state)s lists no professional-development offerings yet.") % {"state": state_label}
    counts = ", ".join(f"{q.offerings} {q.label}" for q in quadrants)
    bsc = sum(1 for point in points if point.is_bsc)
    text = ngettext(
        "%(state)s lists %(count)s offering on the matrix (%(counts)s)",
        "%(state)s lists %(count)s offerings on the matrix (%(counts)s)", len(points),
    ) % {"state": state_label, "count": len(points), "counts": counts}
    if bsc:
        text += ngettext(", including %(count)s BSC collaborative",
                         ", including %(count)s BSC collaboratives", bsc) % {"count": bsc}
    text += "; " + (_("Q3 and Q4 are thin, so a BSC could fill a gap.") if thin
                    else _("Q3 and Q4 are not thin."))
    return text


# --- Export ----------------------------------------------------------------------------------

def assessment_tables(assessment: Assessment) -> list[Table]:
    """The page's two tables, for the CSV and Excel downloads."""
    offerings = Table(
        title=_("Offerings"),
        header=[_("Number"), _("Offering"), _("Provider"), _("Quadrant"), _("Who takes part (1-4)"),
                _("Purpose (1-4)"), _("BSC collaborative"), _("Programs reached"), _("People reached")],
        rows=[[point.number, point.name, point.provider, point.quadrant_label, point.engages,
               point.purpose, _("yes") if point.is_bsc else _("no"), point.programs, point.people]
              for point in assessment.points],
    )
    quadrants = Table(
        title=_("Per quadrant"),
        header=[_("Quadrant"), _("Offerings"), _("Programs reached"), _("People reached")],
        rows=[[q.label, q.offerings, q.programs, q.people] for q in assessment.quadrants],
    )
    return [offerings, quadrants]


# --- Writes ----------------------------------------------------------------------------------

OFFERING_FIELDS = ("state", "name", "provider", "description", "engages", "purpose",
                   "programs_reached", "people_reached")


@transaction.atomic
def pd_offering_save(*, offering: PDOffering | None = None, created_by: AbstractBaseUser | None = None,
                     **fields: Any) -> PDOffering:
    """Create an offering (no `offering`) or change one; a name the state already lists is
    refused with a message on the name."""
    if offering is None:
        offering = PDOffering(created_by=created_by)
    for name in OFFERING_FIELDS:
        if name in fields:
            setattr(offering, name, fields[name])
    duplicate = _("%(state)s already lists an offering named “%(name)s”.") % {
        "state": offering.get_state_display(), "name": offering.name}
    clash = PDOffering.objects.filter(state=offering.state, name__iexact=offering.name.strip())
    if offering.pk:
        clash = clash.exclude(pk=offering.pk)
    if clash.exists():
        raise ValidationError({"name": ValidationError(duplicate, code="duplicate")})
    offering.full_clean()
    try:
        with transaction.atomic():
            offering.save()
    except IntegrityError:  # the same name saved by someone else a moment ago
        raise ValidationError({"name": ValidationError(duplicate, code="duplicate")}) from None
    return offering


@transaction.atomic
def pd_offering_delete(*, offering: PDOffering) -> None:
    offering.delete()
