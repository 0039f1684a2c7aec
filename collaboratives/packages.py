"""Change packages a new collaborative can start from: an aim, a driver diagram, measures
and the shape of a timeline, as plain data.

The built-in package is the demo's social-emotional-learning framework (demo-framework.md),
with a description for every change idea so teams know what each one asks of them. The
copying itself lives in ``measures.packages``: measures sit in a higher layer, and that
module also turns another collaborative into a ``ChangePackage``, so both sources are
copied by the same code.

The content is data, entered in English like an advisor's own framework; only the
package's name and summary, which the portal shows, are marked for translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

# Parts of a collaborative a package carries, in the order the page lists them.
AIM, FRAMEWORK, MEASURES, TIMELINE = "aim", "framework", "measures", "timeline"
PARTS = (AIM, FRAMEWORK, MEASURES, TIMELINE)


@dataclass(frozen=True)
class ChangePackage:
    """What is copied. Items are dicts of model field values; links between items name
    their parents by title (titles are unique within a collaborative). A period gives its
    start as days after the collaborative's start and its length in days, so the shape
    moves to the new collaborative's start date."""

    key: str
    name: str
    summary: str = ""
    aim_statement: str = ""
    # Days from the start to the aim's target date; None: the collaborative's end date.
    aim_target_offset_days: int | None = None
    primary_drivers: tuple[dict[str, Any], ...] = ()
    # Each also has "primary_drivers": [titles].
    secondary_drivers: tuple[dict[str, Any], ...] = ()
    # Each also has "secondary_drivers": [titles].
    change_ideas: tuple[dict[str, Any], ...] = ()
    # Each also has "strata": [{"label": …, "is_reference": …}].
    measures: tuple[dict[str, Any], ...] = ()
    # Each: kind, number, offset_days, duration_days and any other period fields (hours).
    periods: tuple[dict[str, Any], ...] = field(default=())


def _ordered(items: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple({**item, "order": order} for order, item in enumerate(items))


# --- The social-emotional learning package (the demo's first collaborative) ----------------

SEL_PRIMARY_DRIVERS = [
    {"title": "Nurturing, responsive relationships",
     "description": "Every child and family has warm, steady relationships with the adults "
                    "around them."},
    {"title": "Supportive classroom environments",
     "description": "Days are predictable and expectations are taught, so children know what "
                    "comes next and what is expected."},
    {"title": "Targeted social-emotional supports",
     "description": "Children learn to name feelings and solve problems, and a child who "
                    "needs more gets a plan, not a punishment."},
    {"title": "Program-wide systems",
     "description": "Leaders use data and look after staff, so the practices last."},
    {"title": "Equity and cultural responsiveness",
     "description": "No group of children is excluded or disciplined more than others, and "
                    "every child sees their family in the classroom."},
]

SEL_SECONDARY_DRIVERS = [
    {"title": "Adult–child relationships", "description": "",
     "primary_drivers": ["Nurturing, responsive relationships"]},
    {"title": "Adult–adult relationships (staff–staff, staff–families)", "description": "",
     "primary_drivers": ["Nurturing, responsive relationships"]},
    {"title": "Predictable routines", "description": "",
     "primary_drivers": ["Supportive classroom environments"]},
    {"title": "Explicit teaching of expectations", "description": "",
     "primary_drivers": ["Supportive classroom environments"]},
    {"title": "Teaching emotional literacy and problem solving", "description": "",
     "primary_drivers": ["Targeted social-emotional supports"]},
    {"title": "Individualized behavior support", "description": "",
     "primary_drivers": ["Targeted social-emotional supports"]},
    {"title": "Leadership team using data", "description": "",
     "primary_drivers": ["Program-wide systems"]},
    # Serves two primary drivers: the many-to-many the diagram is meant to show.
    {"title": "Staff well-being", "description": "",
     "primary_drivers": ["Program-wide systems", "Nurturing, responsive relationships"]},
    {"title": "Equitable responses to behavior", "description": "",
     "primary_drivers": ["Equity and cultural responsiveness",
                         "Targeted social-emotional supports"]},
    {"title": "Positive identity", "description": "",
     "primary_drivers": ["Equity and cultural responsiveness"]},
]

SEL_CHANGE_IDEAS = [
    {"title": "Daily one-to-one “connection time”",
     "description": "A few minutes a day with each child, one to one, following the child's "
                    "lead; start with the children who are hardest to reach.",
     "secondary_drivers": ["Adult–child relationships"]},
    {"title": "Weekly positive note or call home",
     "description": "Every family hears something good about their child at least once a "
                    "week, by note, text or call, in the family's language.",
     "secondary_drivers": ["Adult–child relationships",
                           "Adult–adult relationships (staff–staff, staff–families)"]},
    {"title": "Family welcome routine in the home language",
     "description": "New families are greeted in their home language, with a call or visit, "
                    "photos of the classroom and a question about what their child loves.",
     "secondary_drivers": ["Adult–adult relationships (staff–staff, staff–families)",
                           "Positive identity"]},
    {"title": "Visual schedules",
     "description": "A picture schedule of the day at children's eye level, gone over at "
                    "morning circle and pointed to at every change.",
     "secondary_drivers": ["Predictable routines"]},
    {"title": "Transition warnings",
     "description": "A signal a few minutes before each transition (a song, a timer, a "
                    "picture card), so children know what comes next.",
     "secondary_drivers": ["Predictable routines"]},
    {"title": "Teaching 3 classroom expectations with pictures",
     "description": "Three expectations said in positive words (be safe, be kind, be a "
                    "helper), taught with pictures, practised, and noticed when children "
                    "follow them.",
     "secondary_drivers": ["Explicit teaching of expectations"]},
    {"title": "Feelings check-in",
     "description": "Children point to a feelings face when they arrive; adults name feelings "
                    "through the day and check in with a child who arrives upset.",
     "secondary_drivers": ["Teaching emotional literacy and problem solving"]},
    {"title": "Solution kit",
     "description": "Picture cards with solutions to everyday problems (take turns, use a "
                    "timer, ask for help), taught first and used when a conflict starts.",
     "secondary_drivers": ["Teaching emotional literacy and problem solving"]},
    {"title": "Team-based support plan after 3 incidents",
     "description": "After a child's third behavior incident in a month, the family and the "
                    "team meet and make a support plan from what the behavior is telling us.",
     "secondary_drivers": ["Individualized behavior support"]},
    {"title": "Monthly behavior-incident review with an equity lens",
     "description": "The leadership team looks at the month's incidents by classroom, time of "
                    "day and children's race/ethnicity, and picks one thing to act on.",
     "secondary_drivers": ["Leadership team using data", "Equitable responses to behavior"]},
    {"title": "Reflective supervision",
     "description": "Each teaching staff member has a regular one-to-one session with a "
                    "supervisor or mentor about their work and how it feels.",
     "secondary_drivers": ["Staff well-being"]},
    {"title": "Staff recognition board",
     "description": "A board where staff, families and children thank a colleague for "
                    "something they did; the notes are read out at staff meetings.",
     "secondary_drivers": ["Staff well-being"]},
    {"title": "Wellness check-ins",
     "description": "A short check-in at the start of staff meetings and an easy way to ask "
                    "for a break, so stress is noticed early.",
     "secondary_drivers": ["Staff well-being"]},
    {"title": "Pause-and-reflect protocol before any exclusion",
     "description": "Before any suspension, expulsion or early pick-up, the director and the "
                    "educator stop and go through a short list of other options and of "
                    "possible bias.",
     "secondary_drivers": ["Equitable responses to behavior"]},
    {"title": "Family conference instead of early pick-up",
     "description": "After a hard day the family is invited to talk with the educator about "
                    "what helps, instead of being asked to take the child home.",
     "secondary_drivers": ["Equitable responses to behavior"]},
    {"title": "Books and materials reflecting children’s families",
     "description": "Books, dolls, pictures and music that show the languages, cultures and "
                    "families of the children in the room.",
     "secondary_drivers": ["Positive identity"]},
]

SEL_GROUPS = ["Black", "Hispanic/Latino", "White", "Asian", "Multiracial or other"]
SEL_REFERENCE_GROUP = "White"

SEL_MEASURES = [
    {"name": "Exclusionary discipline rate", "type": "outcome", "unit": "rate", "rate_per": 100,
     "direction": "down", "chart_kind": "u", "goal": Decimal("2.0"), "baseline_length": 6,
     "operational_definition": "Suspensions, expulsions and early pick-ups in the month, per "
     "100 enrolled children. Count each event once, whatever its length.",
     "numerator_label": "Exclusion events", "denominator_label": "Children enrolled on the 15th",
     "numerator_definition": "Exclusion events (suspensions + expulsions + early pick-ups)",
     "denominator_definition": "Children enrolled on the 15th of the month",
     "stratification": "Child's race/ethnicity",
     "strata": [{"label": label, "is_reference": label == SEL_REFERENCE_GROUP}
                for label in SEL_GROUPS]},
    {"name": "Classrooms implementing with fidelity", "type": "outcome", "unit": "percent",
     "direction": "up", "chart_kind": "p", "goal": Decimal("80"), "baseline_length": 6,
     "operational_definition": "Classrooms scoring 80% or more on the program's Pyramid Model "
     "practice observation this month.",
     "numerator_label": "Classrooms at 80% or more", "denominator_label": "Classrooms observed",
     "numerator_definition": "Classrooms scoring ≥ 80% on the practice observation",
     "denominator_definition": "Classrooms observed this month"},
    {"name": "Behavior incidents reviewed within 7 days", "type": "process", "unit": "percent",
     "direction": "up", "chart_kind": "p", "goal": Decimal("90"), "baseline_length": 6,
     "operational_definition": "Behavior incidents the leadership team reviewed, with an "
     "equity lens, within 7 days of the incident.",
     "numerator_label": "Incidents reviewed within 7 days", "denominator_label": "Incidents recorded",
     "numerator_definition": "Incidents reviewed within 7 days",
     "denominator_definition": "Behavior incidents recorded"},
    {"name": "Positive family contacts", "type": "process", "unit": "mean", "direction": "up",
     "chart_kind": "run", "goal": Decimal("5"), "baseline_length": 6,
     "operational_definition": "Positive notes or calls home per classroom per week, as a "
     "monthly mean.",
     "numerator_label": "Positive notes and calls home", "denominator_label": "Classroom-weeks",
     "numerator_definition": "Positive notes and calls home in the month",
     "denominator_definition": "Classroom-weeks in the month"},
    {"name": "Reflective supervision completed", "type": "process", "unit": "percent",
     "direction": "up", "chart_kind": "run", "goal": Decimal("75"),
     "operational_definition": "Teaching staff who had a reflective supervision session this "
     "month.",
     "numerator_label": "Staff who had a session", "denominator_label": "Teaching staff",
     "numerator_definition": "Teaching staff with a session this month",
     "denominator_definition": "Teaching staff employed"},
    {"name": "Staff well-being", "type": "balancing", "unit": "mean", "direction": "up",
     "chart_kind": "run",
     "operational_definition": "Mean score of the 5-item monthly staff pulse survey (1–5).",
     "numerator_label": "Sum of survey scores", "denominator_label": "Survey items answered",
     "numerator_definition": "Sum of all survey scores",
     "denominator_definition": "Survey items answered"},
    {"name": "Staff turnover", "type": "balancing", "unit": "percent", "direction": "down",
     "chart_kind": "run",
     "operational_definition": "Staff who left this month, of all staff employed.",
     "numerator_definition": "Staff who left", "denominator_definition": "Staff employed",
     "numerator_label": "Staff who left", "denominator_label": "Staff employed"},
]

# A year in the proportions of a typical BSC (the demo's timeline): a month of pre-work,
# three day-long learning sessions each followed by an action period, and a closing. It
# fits any collaborative of 12 months or more; a longer one moves its later periods.
SEL_PERIODS = [
    {"kind": "prework", "number": None, "offset_days": 0, "duration_days": 36},
    {"kind": "learning_session", "number": 1, "offset_days": 37, "duration_days": 0,
     "hours": Decimal("6")},
    {"kind": "action_period", "number": 1, "offset_days": 38, "duration_days": 102},
    {"kind": "learning_session", "number": 2, "offset_days": 141, "duration_days": 0,
     "hours": Decimal("5.5")},
    {"kind": "action_period", "number": 2, "offset_days": 142, "duration_days": 102},
    {"kind": "learning_session", "number": 3, "offset_days": 245, "duration_days": 0,
     "hours": Decimal("6")},
    {"kind": "action_period", "number": 3, "offset_days": 246, "duration_days": 99},
    {"kind": "closing", "number": None, "offset_days": 346, "duration_days": 18},
]

SOCIAL_EMOTIONAL_LEARNING = ChangePackage(
    key="social-emotional-learning",
    name=_("Social-emotional learning (Pyramid Model), with racial justice"),
    summary=_("An aim on Pyramid Model practices and exclusionary discipline; 5 primary "
              "drivers, 10 secondary drivers and 16 change ideas; 7 measures, one stratified "
              "by child's race/ethnicity; a 12-month timeline with 3 learning sessions."),
    aim_statement=(
        "By the end of the collaborative, 80% of participating classrooms use Pyramid Model "
        "practices with fidelity, and exclusionary discipline (suspensions, expulsions, early "
        "pick-ups) falls by half, with no group of children excluded at a higher rate than "
        "others."
    ),
    primary_drivers=_ordered(SEL_PRIMARY_DRIVERS),
    secondary_drivers=_ordered(SEL_SECONDARY_DRIVERS),
    change_ideas=_ordered(SEL_CHANGE_IDEAS),
    measures=_ordered(SEL_MEASURES),
    periods=tuple(SEL_PERIODS),
)

BUILT_IN_PACKAGES: dict[str, ChangePackage] = {
    package.key: package for package in (SOCIAL_EMOTIONAL_LEARNING,)
}
