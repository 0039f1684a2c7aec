"""The built-in change package in Spanish (issue #11): every box of its driver diagram and
every measure carries its Spanish, a copy carries it into the collaborative, and a reader who
uses the portal in Spanish sees it there (and the demo, which starts from the package)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from collaboratives.models import ChangeIdea, Collaborative, PrimaryDriver, SecondaryDriver
from collaboratives.packages import AIM, FRAMEWORK, MEASURES, SOCIAL_EMOTIONAL_LEARNING
from measures.models import Measure
from measures.packages import collaborative_copy_from
from reports.demo.framework import seed_framework
from reports.demo.measures import seed_measures
from tests import factories

PACKAGE = SOCIAL_EMOTIONAL_LEARNING
FRAMEWORK_ITEMS = [*PACKAGE.primary_drivers, *PACKAGE.secondary_drivers, *PACKAGE.change_ideas]
MEASURE_TEXTS = ("name", "operational_definition", "numerator_definition",
                 "denominator_definition", "numerator_label", "denominator_label")
# Words that give away English left in a Spanish text.
ENGLISH = re.compile(r"\b(the|and|with|of|for|staff|children|child|classroom|family|per|"
                     r"who|this|month|in)\b", re.IGNORECASE)
IDEA = PACKAGE.change_ideas[0]
PRIMARY = PACKAGE.primary_drivers[0]
MEASURE = PACKAGE.measures[0]


def pairs(item: dict[str, Any], fields: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(field, English, Spanish) for each field the item has English for."""
    return [(name, item[name], item.get(f"{name}_es", "")) for name in fields if item.get(name)]


def assert_spanish(name: str, english: str, spanish: str) -> None:
    assert spanish.strip(), f"{name} of {english!r} has no Spanish"
    assert spanish != english, f"{name}: the Spanish is the English ({english!r})"
    assert not ENGLISH.search(spanish), f"{name}: English left in {spanish!r}"


@pytest.mark.parametrize("item", FRAMEWORK_ITEMS, ids=lambda item: item["title"])
def test_every_box_of_the_diagram_has_its_spanish(item):
    for name, english, spanish in pairs(item, ("title", "description")):
        assert_spanish(name, english, spanish)
    # No Spanish description where there is no English one: nothing to translate.
    assert bool(item.get("description_es")) == bool(item["description"])


@pytest.mark.parametrize("measure", PACKAGE.measures, ids=lambda measure: measure["name"])
def test_every_measure_has_its_spanish(measure):
    for name, english, spanish in pairs(measure, MEASURE_TEXTS):
        assert_spanish(name, english, spanish)
    for name in MEASURE_TEXTS:
        assert bool(measure.get(f"{name}_es")) == bool(measure.get(name)), name


def test_the_aim_has_its_spanish_and_the_english_is_unchanged():
    assert_spanish("aim", PACKAGE.aim_statement, PACKAGE.aim_statement_es)
    assert "Modelo Pirámide" in PACKAGE.aim_statement_es
    assert PACKAGE.aim_statement.startswith("By the end of the collaborative, 80%")
    # Links still name their parents by English title.
    titles = {item["title"] for item in PACKAGE.secondary_drivers}
    assert all(parent in titles for idea in PACKAGE.change_ideas
               for parent in idea["secondary_drivers"])


@pytest.fixture
def copied(db, world) -> Collaborative:
    """The world's collaborative started from the package, aim included."""
    collaborative = world.collaborative
    Collaborative.objects.filter(pk=collaborative.pk).update(aim_statement="")
    collaborative.refresh_from_db()
    collaborative_copy_from(target=collaborative, package=PACKAGE,
                            parts={AIM, FRAMEWORK, MEASURES}, copied_by=world.advisor)
    collaborative.refresh_from_db()
    return collaborative


def test_a_copy_carries_the_spanish_and_every_row_is_valid(copied):
    assert copied.aim_statement_es == PACKAGE.aim_statement_es
    rows = [*PrimaryDriver.objects.filter(collaborative=copied),
            *SecondaryDriver.objects.filter(collaborative=copied),
            *ChangeIdea.objects.filter(collaborative=copied)]
    assert {(row.title, row.title_es, row.description_es) for row in rows} == {
        (item["title"], item["title_es"], item["description_es"]) for item in FRAMEWORK_ITEMS}
    measures = list(Measure.objects.filter(collaborative=copied))
    assert {measure.name: measure.name_es for measure in measures} == {
        item["name"]: item["name_es"] for item in PACKAGE.measures}
    # Lengths and one-line titles as the forms would check them (the copy writes in bulk).
    for row in [*rows, *measures]:
        row.full_clean()


def test_the_model_shows_the_readers_language(copied):
    idea = ChangeIdea.objects.get(collaborative=copied, title=IDEA["title"])
    measure = Measure.objects.get(collaborative=copied, name=MEASURE["name"])
    with translation.override("es"):
        assert (idea.display_title, measure.display_name) == (IDEA["title_es"], MEASURE["name_es"])
        assert copied.display_aim == PACKAGE.aim_statement_es
    with translation.override("en"):
        assert (idea.display_title, measure.display_name) == (IDEA["title"], MEASURE["name"])
        assert copied.display_aim == PACKAGE.aim_statement


@pytest.mark.parametrize(("language", "shown", "hidden"), [("es", "_es", ""), ("en", "", "_es")])
def test_a_family_member_sees_the_framework_in_their_language(client, world, copied, language,
                                                              shown, hidden):
    client.force_login(world.member_b)
    page = client.get(reverse("collaboratives:framework", args=[copied.pk]),
                      HTTP_ACCEPT_LANGUAGE=language).text
    assert escape(IDEA[f"title{shown}"]) in page
    assert escape(IDEA[f"description{shown}"]) in page
    assert escape(PRIMARY[f"title{shown}"]) in page
    # Change ideas are nobody's parent, so their other title appears nowhere on the page.
    assert escape(IDEA[f"title{hidden}"]) not in page


@pytest.mark.parametrize(("language", "shown", "hidden"), [("es", "_es", ""), ("en", "", "_es")])
def test_a_family_member_sees_the_measure_in_their_language(client, world, copied, language,
                                                            shown, hidden):
    package_measure = PACKAGE.measures[1]  # fidelity: one value a team and month
    measure = Measure.objects.get(collaborative=copied, name=package_measure["name"])
    for team in (world.team_a, world.team_b):
        for month in (1, 2, 3):
            factories.MeasureValueFactory(team=team, measure=measure,
                                          month=datetime.date(2026, month, 1))
    client.force_login(world.member_b)
    page = client.get(reverse("measures:detail", args=[measure.pk]),
                      HTTP_ACCEPT_LANGUAGE=language).text
    assert f'<h1 class="h2">{escape(package_measure[f"name{shown}"])}</h1>' in page
    assert escape(package_measure[f"operational_definition{shown}"]) in page
    assert escape(package_measure[f"name{hidden}"]) not in page


def test_the_demo_framework_and_measures_are_in_spanish(db):
    """seed_framework and seed_measures write the Spanish themselves, so a demo seeded
    before the package had it gets it on the next run."""
    collaborative = factories.CollaborativeFactory()
    seed_framework(collaborative)
    seed_measures(collaborative, [], today=datetime.date(2026, 6, 1))
    titles = {item["title"]: item["title_es"] for item in FRAMEWORK_ITEMS}
    for model in (PrimaryDriver, SecondaryDriver, ChangeIdea):
        for title, title_es in model.objects.filter(collaborative=collaborative).values_list(
                "title", "title_es"):
            assert title_es == titles[title]
    assert ChangeIdea.objects.filter(collaborative=collaborative).count() == len(PACKAGE.change_ideas)
    expected = {item["name"]: tuple(item.get(f"{name}_es", "") for name in MEASURE_TEXTS)
                for item in PACKAGE.measures}
    assert {measure.name: tuple(getattr(measure, f"{name}_es") for name in MEASURE_TEXTS)
            for measure in Measure.objects.filter(collaborative=collaborative)} == expected
