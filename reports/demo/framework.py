"""Demo driver diagram (demo-framework.md): a Pyramid-Model-style social-emotional
learning aim with five primary drivers, their secondary drivers and change ideas.

Idempotent: every item is found by its collaborative and title and updated, and its links
are set to exactly the ones below, so running it twice leaves the same diagram. It writes
rows directly, not through the services, so a demo someone has edited is put back as is.
"""

from __future__ import annotations

from collaboratives.models import ChangeIdea, Collaborative, PrimaryDriver, SecondaryDriver
from collaboratives.packages import SOCIAL_EMOTIONAL_LEARNING

# The words of each box, English description and Spanish (title_es, description_es), come
# from the built-in package the demo starts from, so the two never drift apart and a
# Spanish-speaking family member sees the diagram in Spanish.
_TEXT_FIELDS = ("description", "title_es", "description_es")
_TEXTS: dict[type, dict[str, dict[str, str]]] = {
    model: {item["title"]: {name: item.get(name, "") for name in _TEXT_FIELDS} for item in items}
    for model, items in (
        (PrimaryDriver, SOCIAL_EMOTIONAL_LEARNING.primary_drivers),
        (SecondaryDriver, SOCIAL_EMOTIONAL_LEARNING.secondary_drivers),
        (ChangeIdea, SOCIAL_EMOTIONAL_LEARNING.change_ideas),
    )
}

# primary driver -> [(secondary driver, [change ideas])]
DIAGRAM: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("Nurturing, responsive relationships", [
        ("Adult–child relationships", [
            "Daily one-to-one “connection time”",
            "Weekly positive note or call home",
        ]),
        ("Adult–adult relationships (staff–staff, staff–families)", [
            "Weekly positive note or call home",
            "Family welcome routine in the home language",
        ]),
    ]),
    ("Supportive classroom environments", [
        ("Predictable routines", ["Visual schedules", "Transition warnings"]),
        ("Explicit teaching of expectations", [
            "Teaching 3 classroom expectations with pictures",
        ]),
    ]),
    ("Targeted social-emotional supports", [
        ("Teaching emotional literacy and problem solving", [
            "Feelings check-in", "Solution kit",
        ]),
        ("Individualized behavior support", ["Team-based support plan after 3 incidents"]),
    ]),
    ("Program-wide systems", [
        ("Leadership team using data", [
            "Monthly behavior-incident review with an equity lens",
        ]),
        ("Staff well-being", [
            "Reflective supervision", "Staff recognition board", "Wellness check-ins",
        ]),
    ]),
    ("Equity and cultural responsiveness", [
        ("Equitable responses to behavior", [
            "Pause-and-reflect protocol before any exclusion",
            "Monthly behavior-incident review with an equity lens",
            "Family conference instead of early pick-up",
        ]),
        ("Positive identity", [
            "Books and materials reflecting children’s families",
            "Family welcome routine in the home language",
        ]),
    ]),
]

# Secondary drivers that also serve another primary driver: the many-to-many the
# diagram is meant to show.
ALSO_SERVES = {
    "Equitable responses to behavior": ["Targeted social-emotional supports"],
    "Staff well-being": ["Nurturing, responsive relationships"],
}


def seed_framework(collaborative: Collaborative) -> None:
    primaries: dict[str, PrimaryDriver] = {}
    secondary_links: dict[str, list[str]] = {}
    idea_links: dict[str, list[str]] = {}
    for primary_title, secondaries in DIAGRAM:
        primaries[primary_title] = _item(PrimaryDriver, collaborative, primary_title, len(primaries))
        for secondary_title, ideas in secondaries:
            secondary_links.setdefault(secondary_title, []).append(primary_title)
            for idea_title in ideas:
                idea_links.setdefault(idea_title, []).append(secondary_title)
    for secondary_title, also in ALSO_SERVES.items():
        secondary_links[secondary_title] += also

    secondaries: dict[str, SecondaryDriver] = {}
    for order, (title, parents) in enumerate(secondary_links.items()):
        secondaries[title] = _item(SecondaryDriver, collaborative, title, order)
        secondaries[title].primary_drivers.set([primaries[parent] for parent in parents])
    for order, (title, parents) in enumerate(idea_links.items()):
        idea = _item(ChangeIdea, collaborative, title, order)
        idea.secondary_drivers.set([secondaries[parent] for parent in parents])


def _item(
    model: type, collaborative: Collaborative, title: str, order: int
) -> PrimaryDriver | SecondaryDriver | ChangeIdea:
    item, _created = model.objects.update_or_create(
        collaborative=collaborative, title=title,
        defaults={"order": order, **_TEXTS[model].get(title, {})},
    )
    return item
