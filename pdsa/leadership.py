"""Distributed leadership: who leads and takes part in PDSA cycles, by role, quarter by
quarter — and the share led by educators, other staff and family members rather than
administrators, which a BSC in early childhood hopes to see grow.

Every figure counts only the cycles the caller passes in: leaders pass all of their
collaborative's cycles, the state dashboard only the shared ones. Nothing here widens that.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.utils.html import escape
from django.utils.translation import gettext as _

from measures.charts import PALETTE
from pdsa.models import Cycle
from teams.models import MemberRole, Team

UNKNOWN = "unknown"
LEAD_KEYS = (*MemberRole.values, UNKNOWN)
FRONTLINE = (MemberRole.EDUCATOR, MemberRole.OTHER_STAFF, MemberRole.FAMILY)


def role_label(key: str) -> str:
    return _("Not recorded") if key == UNKNOWN else str(MemberRole(key).label)


def quarter_label(quarter: datetime.date) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": (quarter.month - 1) // 3 + 1,
                                         "year": quarter.year}


@dataclass(frozen=True)
class LeadershipRow:
    """One calendar quarter (by the day each cycle was started), or the total (no quarter)."""

    quarter: datetime.date | None
    cycles: int
    led_by: dict[str, int]  # every MemberRole value and UNKNOWN -> cycles led
    took_part: dict[str, int]  # every MemberRole value -> cycles with a lead or participant of it

    @property
    def label(self) -> str:
        return quarter_label(self.quarter) if self.quarter else _("All quarters")

    @property
    def known_lead(self) -> int:
        return sum(self.led_by[role] for role in MemberRole.values)

    @property
    def frontline_share(self) -> float | None:
        """Share of the cycles with a known lead's role led by educators, other staff or
        family members; None when no cycle has one."""
        known = self.known_lead
        return sum(self.led_by[role] for role in FRONTLINE) / known if known else None

    @property
    def frontline_percent(self) -> int | None:
        share = self.frontline_share
        return None if share is None else round(share * 100)

    def led_by_rows(self) -> list[tuple[str, str, int]]:
        """(key, label, cycles) in the order of LEAD_KEYS, for templates."""
        return [(key, role_label(key), self.led_by[key]) for key in LEAD_KEYS]

    def took_part_rows(self) -> list[tuple[str, str, int]]:
        return [(key, role_label(key), self.took_part[key]) for key in MemberRole.values]


@dataclass(frozen=True)
class Leadership:
    rows: list[LeadershipRow]
    total: LeadershipRow
    summary: str
    teams_without_family: list[tuple[int, str]]  # (team id, name), by name


def leadership(cycles: QuerySet[Cycle], teams: QuerySet[Team] | None = None, *,
               by: str = "created_at") -> Leadership:
    """Who led and who took part in ``cycles``, by quarter, and which of ``teams`` (None:
    none checked) had no family member lead or take part in any of them. Two queries.

    Quarters are those of ``by``: when the cycle started (``created_at``), or, beside a
    table of decisions, when it was completed (``completed_at``), so that both tables put a
    cycle in the same quarter."""
    scoped = Cycle.objects.filter(pk__in=cycles.values("pk")).order_by()
    counts = {"cycles": Count("pk", distinct=True),
              f"led_{UNKNOWN}": Count("pk", distinct=True, filter=Q(lead_role=""))}
    for role in MemberRole.values:
        counts[f"led_{role}"] = Count("pk", distinct=True, filter=Q(lead_role=role))
        # The lead takes part too, whether or not they are also listed as a participant.
        counts[f"took_{role}"] = Count("pk", distinct=True,
                                       filter=Q(lead_role=role) | Q(participations__role=role))
    quarters = (scoped.annotate(quarter=TruncQuarter(by, output_field=DateField()))
                .values("quarter").annotate(**counts).order_by("quarter"))
    rows = [LeadershipRow(
        quarter=row["quarter"], cycles=row["cycles"],
        led_by={key: row[f"led_{key}"] for key in LEAD_KEYS},
        took_part={role: row[f"took_{role}"] for role in MemberRole.values},
    ) for row in quarters]
    total = LeadershipRow(
        quarter=None, cycles=sum(row.cycles for row in rows),
        led_by={key: sum(row.led_by[key] for row in rows) for key in LEAD_KEYS},
        took_part={role: sum(row.took_part[role] for row in rows) for role in MemberRole.values},
    )
    return Leadership(rows=rows, total=total, summary=_summary(rows, total),
                      teams_without_family=teams_without_family(scoped, teams))


def teams_without_family(scoped: QuerySet[Cycle], teams: QuerySet[Team] | None) -> list[tuple[int, str]]:
    """(id, name) of the ``teams`` where no family member led or took part in any of the
    ``scoped`` cycles, in one query; none when ``teams`` is None."""
    if teams is None:
        return []
    family = (Q(pdsa_cycles__lead_role=MemberRole.FAMILY)
              | Q(pdsa_cycles__participations__role=MemberRole.FAMILY))
    return list(teams.annotate(family_cycles=Count(
        "pdsa_cycles", filter=Q(pdsa_cycles__in=scoped.values("pk")) & family))
        .filter(family_cycles=0).order_by("name", "pk").values_list("pk", "name"))


def _summary(rows: list[LeadershipRow], total: LeadershipRow) -> str:
    if not total.cycles:
        return _("No PDSA cycles yet.")
    if total.frontline_percent is None:
        return _("No cycle has its lead's role recorded yet.")
    known = [row for row in rows if row.frontline_percent is not None]
    first, last = known[0], known[-1]
    if first is last:
        return _("Educators, other staff and family members led %(percent)s%% of the cycles "
                 "with a known lead.") % {"percent": total.frontline_percent}
    values = {"percent": total.frontline_percent, "now": last.frontline_percent,
              "last": last.label, "then": first.frontline_percent, "first": first.label}
    if last.frontline_percent > first.frontline_percent:
        text = _("Educators, other staff and family members led %(percent)s%% of the cycles "
                 "with a known lead: %(now)s%% in %(last)s, up from %(then)s%% in %(first)s.")
    elif last.frontline_percent < first.frontline_percent:
        text = _("Educators, other staff and family members led %(percent)s%% of the cycles "
                 "with a known lead: %(now)s%% in %(last)s, down from %(then)s%% in %(first)s.")
    else:
        text = _("Educators, other staff and family members led %(percent)s%% of the cycles "
                 "with a known lead: %(now)s%% in %(last)s, as in %(first)s.")
    return text % values


# Patterns as well as colours, so the stacks can be told apart without colour.
_PATTERNS = ["", "/", ".", "x", "-"]


def leadership_figure(result: Leadership) -> dict:
    """A Plotly stacked bar chart: cycles per quarter, each bar split by the lead's role."""
    x = [row.label for row in result.rows]
    data = []
    for index, key in enumerate(LEAD_KEYS):
        label = escape(role_label(key))
        data.append({
            "type": "bar", "name": label, "x": x, "y": [row.led_by[key] for row in result.rows],
            "marker": {"color": PALETTE[index % len(PALETTE)] if key != UNKNOWN else "#9ca3af",
                       "pattern": {"shape": _PATTERNS[index % len(_PATTERNS)]}},
            "hovertemplate": escape(_("%(role)s led %%{y} cycles in %%{x}") % {"role": role_label(key)})
            + "<extra></extra>",
        })
    return {"data": data, "layout": {
        "barmode": "stack", "height": 340,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 40},
        "xaxis": {"type": "category", "showgrid": False},
        "yaxis": {"title": {"text": escape(_("Cycles led"))}, "rangemode": "tozero",
                  "tickformat": "d"},
        "legend": {"orientation": "h", "y": -0.2, "traceorder": "normal"},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                 "color": "#212529"},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }}


def leadership_csv_rows(result: Leadership) -> tuple[list[str], list[list[object]]]:
    """A row per quarter and one for all quarters: cycles led and taken part in by role."""
    header = ["quarter", "cycles", *(f"led_by_{key}" for key in LEAD_KEYS),
              *(f"took_part_{role}" for role in MemberRole.values), "frontline_led_percent"]
    rows = []
    for row in [*result.rows, result.total]:
        rows.append([
            f"{row.quarter.year}-Q{(row.quarter.month - 1) // 3 + 1}" if row.quarter else "all",
            row.cycles,
            *(row.led_by[key] for key in LEAD_KEYS),
            *(row.took_part[role] for role in MemberRole.values),
            "" if row.frontline_percent is None else row.frontline_percent,
        ])
    return header, rows
