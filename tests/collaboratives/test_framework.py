"""The change framework: the driver diagram's rules, its pages and its picture."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaboratives import selectors, services
from collaboratives.models import ChangeIdea, PrimaryDriver, SecondaryDriver
from reports.demo.framework import seed_framework

pytestmark = pytest.mark.django_db


def primary(collaborative, title="Nurturing relationships"):
    return services.primary_driver_create(collaborative=collaborative, title=title)


def secondary(collaborative, *primaries, title="Adult–child relationships"):
    return services.secondary_driver_create(collaborative=collaborative, title=title,
                                            primary_drivers=primaries)


def idea(collaborative, *secondaries, title="Connection time"):
    return services.change_idea_create(collaborative=collaborative, title=title,
                                       secondary_drivers=secondaries)


def messages_of(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- Services ----------------------------------------------------------------------------

def test_it_refuses_a_sixth_primary_driver(world):
    for number in range(5):
        primary(world.collaborative, f"Driver {number}")
    with pytest.raises(ValidationError, match="at most 5 primary drivers"):
        primary(world.collaborative, "Driver 6")
    assert world.collaborative.primary_drivers.count() == 5


def test_it_counts_primary_drivers_per_collaborative(world):
    for number in range(5):
        primary(world.collaborative, f"Driver {number}")
    assert primary(world.other_collaborative, "Driver 6").pk


def test_it_requires_a_secondary_driver_to_serve_a_primary_driver(world):
    with pytest.raises(ValidationError) as exc:
        secondary(world.collaborative)
    assert messages_of(exc) == {
        "primary_drivers": ["Link the secondary driver to at least one primary driver."]
    }
    assert not SecondaryDriver.objects.exists()


def test_it_requires_a_change_idea_to_serve_a_secondary_driver(world):
    with pytest.raises(ValidationError) as exc:
        idea(world.collaborative)
    assert list(messages_of(exc)) == ["secondary_drivers"]
    assert not ChangeIdea.objects.exists()


def test_it_refuses_a_link_to_another_collaboratives_driver(world):
    theirs = primary(world.other_collaborative, "Their driver")
    with pytest.raises(ValidationError) as exc:
        secondary(world.collaborative, theirs)
    assert messages_of(exc)["primary_drivers"] == [
        "Links stay within one collaborative; “Their driver” belongs to another."
    ]


def test_it_refuses_a_change_idea_linked_across_collaboratives_on_update(world):
    ours = secondary(world.collaborative, primary(world.collaborative))
    theirs = secondary(world.other_collaborative, primary(world.other_collaborative))
    change = idea(world.collaborative, ours)
    with pytest.raises(ValidationError) as exc:
        services.change_idea_update(change_idea=change, title=change.title,
                                    secondary_drivers=[ours, theirs])
    assert list(messages_of(exc)) == ["secondary_drivers"]
    assert list(change.secondary_drivers.all()) == [ours]


def test_it_refuses_a_duplicate_title_ignoring_case_and_names_the_field(world):
    primary(world.collaborative, "Supportive environments")
    with pytest.raises(ValidationError) as exc:
        primary(world.collaborative, "supportive environments ")
    assert list(messages_of(exc)) == ["title"]
    assert "already has a primary driver called" in messages_of(exc)["title"][0]


def test_it_allows_the_same_title_in_another_collaborative(world):
    primary(world.collaborative, "Supportive environments")
    assert primary(world.other_collaborative, "Supportive environments").pk


def test_it_refuses_to_delete_a_primary_driver_a_secondary_driver_serves(world):
    driver = primary(world.collaborative)
    also = primary(world.collaborative, "Program-wide systems")
    secondary(world.collaborative, driver, also, title="Staff well-being")
    with pytest.raises(ValidationError, match="1 secondary driver serves this primary driver: "
                                              "“Staff well-being”"):
        services.primary_driver_delete(primary_driver=driver)
    assert PrimaryDriver.objects.filter(pk=driver.pk).exists()


def test_it_deletes_a_primary_driver_nothing_depends_on(world):
    driver = primary(world.collaborative)
    services.primary_driver_delete(primary_driver=driver)
    assert not PrimaryDriver.objects.filter(pk=driver.pk).exists()


def test_it_refuses_to_delete_a_secondary_driver_change_ideas_serve(world):
    driver = secondary(world.collaborative, primary(world.collaborative))
    idea(world.collaborative, driver, title="Feelings check-in")
    idea(world.collaborative, driver, title="Solution kit")
    with pytest.raises(ValidationError, match="2 change ideas serve this secondary driver: "
                                              "“Feelings check-in”, “Solution kit”"):
        services.secondary_driver_delete(secondary_driver=driver)


def test_it_names_the_pdsa_cycles_that_test_a_change_idea_it_will_not_delete(world):
    change = idea(world.collaborative, secondary(world.collaborative, primary(world.collaborative)))
    cycles = ["Cycle 2: whole class", "Cycle 1: one child"]
    protected = ProtectedError("protected", cycles)
    with mock.patch.object(ChangeIdea, "delete", side_effect=protected), \
            pytest.raises(ValidationError) as exc:
        services.change_idea_delete(change_idea=change)
    assert exc.value.messages == [
        "2 PDSA cycles test this change idea: “Cycle 1: one child”, “Cycle 2: whole class”"
    ]


def test_it_deletes_a_change_idea_no_cycle_tests(world):
    change = idea(world.collaborative, secondary(world.collaborative, primary(world.collaborative)))
    services.change_idea_delete(change_idea=change)
    assert not ChangeIdea.objects.filter(pk=change.pk).exists()


def test_it_reorders_without_touching_links(world):
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    driver = secondary(world.collaborative, first, second)
    services.framework_item_move(item=second, direction="up")
    assert list(world.collaborative.primary_drivers.order_by("order")) == [second, first]
    assert set(driver.primary_drivers.all()) == {first, second}


def test_it_renumbers_items_that_share_an_order(world):
    first, second, third = (PrimaryDriver.objects.create(collaborative=world.collaborative,
                                                         title=title, order=0)
                            for title in ("A", "B", "C"))
    services.framework_item_move(item=third, direction="up")
    assert list(world.collaborative.primary_drivers.order_by("order")) == [first, third, second]


def test_it_leaves_the_first_item_where_it_is_when_moved_up(world):
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    services.framework_item_move(item=first, direction="up")
    assert list(world.collaborative.primary_drivers.order_by("order")) == [first, second]


def test_it_keeps_links_when_the_text_is_edited(world):
    driver = primary(world.collaborative)
    linked = secondary(world.collaborative, driver)
    services.secondary_driver_update(secondary_driver=linked, title="Renamed", description="Why")
    assert list(linked.primary_drivers.all()) == [driver]


def test_it_records_history_of_text_and_links(world):
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    driver = secondary(world.collaborative, first)
    services.secondary_driver_update(secondary_driver=driver, title="Renamed",
                                     primary_drivers=[first, second])
    latest = driver.history.first()
    assert latest.title == "Renamed"
    assert {link.primarydriver_id for link in latest.primary_drivers.all()} == {first.pk, second.pk}
    assert driver.history.last().title == "Adult–child relationships"


# --- The diagram ---------------------------------------------------------------------------

def test_it_lays_out_the_diagram_in_one_query_whatever_its_size(world):
    drivers = [primary(world.collaborative, f"Driver {n}") for n in range(5)]
    secondaries = [secondary(world.collaborative, *drivers[: n + 1], title=f"Secondary {n}")
                   for n in range(8)]
    for n in range(12):
        idea(world.collaborative, *secondaries[n % 8: n % 8 + 2], title=f"Idea {n}")
    with CaptureQueriesContext(connection) as queries:
        diagram = selectors.driver_diagram(world.collaborative)
    assert len(queries) == 1
    assert len(diagram.boxes) == 1 + 5 + 8 + 12
    assert len(diagram.edges) == 5 + sum(range(1, 6)) + 3 * 5 + 12 + 11


def test_it_draws_a_line_for_every_link(world):
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    secondary(world.collaborative, first, second)
    diagram = selectors.driver_diagram(world.collaborative)
    # Aim -> two primaries, and the secondary to both.
    assert len(diagram.edges) == 4


def test_it_puts_an_item_under_each_of_its_parents_in_the_list(world):
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    shared = secondary(world.collaborative, first, second, title="Shared")
    idea(world.collaborative, shared, title="Idea")
    tree = selectors.driver_diagram(world.collaborative).aim
    assert [(p.title, [(s.title, [i.title for i in s.children]) for s in p.children])
            for p in tree.children] == [("First", [("Shared", ["Idea"])]),
                                        ("Second", [("Shared", ["Idea"])])]


def test_it_wraps_long_titles_into_lines(world):
    primary(world.collaborative, "Program-wide systems that support every classroom and family")
    box = next(b for b in selectors.driver_diagram(world.collaborative).boxes if b.kind == "primary")
    assert [line.text for line in box.lines] == [
        "Program-wide systems that", "support every classroom and", "family",
    ]


# --- Pages ---------------------------------------------------------------------------------

def framework_url(world) -> str:
    return reverse("collaboratives:framework", args=[world.collaborative.pk])


def create_url(world, kind: str) -> str:
    return reverse("collaboratives:framework-item-create", args=[world.collaborative.pk, kind])


def test_it_lets_an_advisor_add_each_kind_of_item(client, world):
    client.force_login(world.advisor)
    response = client.post(create_url(world, "primary-driver"),
                           {"title": "Supportive environments", "description": ""})
    assert response.url == framework_url(world) + "#primary-drivers"
    driver = PrimaryDriver.objects.get(title="Supportive environments")
    client.post(create_url(world, "secondary-driver"),
                {"title": "Predictable routines", "primary_drivers": [driver.pk]})
    routines = SecondaryDriver.objects.get(title="Predictable routines")
    client.post(create_url(world, "change-idea"),
                {"title": "Visual schedules", "secondary_drivers": [routines.pk]})
    assert list(ChangeIdea.objects.get(title="Visual schedules").secondary_drivers.all()) == [routines]
    assert list(routines.primary_drivers.all()) == [driver]


def test_it_lets_a_coach_edit_an_item(client, world):
    driver = primary(world.collaborative)
    client.force_login(world.coach)
    url = reverse("collaboratives:framework-item-update",
                  args=[world.collaborative.pk, "primary-driver", driver.pk])
    client.post(url, {"title": "Warm relationships", "description": "Every child, every day"})
    driver.refresh_from_db()
    assert (driver.title, driver.description) == ("Warm relationships", "Every child, every day")


def test_it_offers_only_the_collaboratives_own_drivers_as_links(client, world):
    primary(world.collaborative, "Ours")
    primary(world.other_collaborative, "Theirs")
    client.force_login(world.advisor)
    page = client.get(create_url(world, "secondary-driver")).text
    assert 'type="checkbox"' in page
    assert "Ours" in page
    assert "Theirs" not in page


def test_it_shows_a_missing_link_on_its_field(client, world):
    primary(world.collaborative)
    client.force_login(world.advisor)
    response = client.post(create_url(world, "secondary-driver"), {"title": "Orphan"})
    assert response.status_code == 200
    assert "Link the secondary driver to at least one primary driver." in response.text
    assert not SecondaryDriver.objects.exists()


def test_it_says_when_there_is_nothing_to_link_to(client, world):
    client.force_login(world.advisor)
    page = client.get(create_url(world, "change-idea")).text
    assert "There is nothing yet for a change idea to serve" in page


def test_it_shows_a_duplicate_title_on_the_title_field(client, world):
    primary(world.collaborative, "Supportive environments")
    client.force_login(world.advisor)
    response = client.post(create_url(world, "primary-driver"),
                           {"title": "Supportive Environments"})
    assert response.status_code == 200
    assert re.search(r'id="error_1_id_title"', response.text)


def test_it_tells_the_advisor_what_depends_on_a_driver_it_will_not_remove(client, world):
    driver = primary(world.collaborative)
    secondary(world.collaborative, driver, title="Predictable routines")
    client.force_login(world.advisor)
    url = reverse("collaboratives:framework-item-delete",
                  args=[world.collaborative.pk, "primary-driver", driver.pk])
    response = client.post(url, follow=True)
    assert "1 secondary driver serves this primary driver: “Predictable routines”" in response.text
    assert PrimaryDriver.objects.filter(pk=driver.pk).exists()


def test_it_moves_an_item_down(client, world):
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    client.force_login(world.advisor)
    url = reverse("collaboratives:framework-item-move",
                  args=[world.collaborative.pk, "primary-driver", first.pk])
    response = client.post(url, {"direction": "down"}, follow=True)
    assert "“First” moved down." in response.text
    assert list(world.collaborative.primary_drivers.order_by("order")) == [second, first]


def test_it_answers_404_for_an_unknown_kind(client, world):
    client.force_login(world.advisor)
    assert client.get(create_url(world, "tertiary-driver")).status_code == 404


def test_it_answers_404_for_another_collaboratives_item(client, world):
    theirs = primary(world.other_collaborative, "Theirs")
    client.force_login(world.advisor)
    url = reverse("collaboratives:framework-item-update",
                  args=[world.collaborative.pk, "primary-driver", theirs.pk])
    assert client.get(url).status_code == 404


def test_it_refuses_a_team_member_403(client, world):
    client.force_login(world.member_a)
    response = client.post(create_url(world, "primary-driver"), {"title": "Mine"})
    assert response.status_code == 403
    assert not PrimaryDriver.objects.exists()


def test_it_hides_the_framework_from_a_stranger_404(client, world):
    client.force_login(world.stranger)
    assert client.get(framework_url(world)).status_code == 404
    assert client.post(create_url(world, "primary-driver"), {"title": "X"}).status_code == 404


def test_it_shows_a_member_the_framework_without_edit_controls(client, world):
    primary(world.collaborative, "Supportive environments")
    client.force_login(world.member_a)
    page = client.get(framework_url(world)).text
    assert "Supportive environments" in page
    assert "Move down" not in page
    assert "Add a primary driver" not in page


@pytest.fixture
def diagram_page(client, world) -> str:
    first, second = primary(world.collaborative, "First"), primary(world.collaborative, "Second")
    shared = secondary(world.collaborative, first, second, title="Shared secondary")
    idea(world.collaborative, shared, title="Visual schedules")
    client.force_login(world.member_a)
    return client.get(world.collaborative.get_absolute_url()).text


def test_it_draws_the_diagram_on_the_collaborative_page(diagram_page):
    svg = re.search(r"<svg class=\"driver-diagram-svg\".*?</svg>", diagram_page, re.S).group(0)
    assert 'aria-hidden="true"' in svg
    assert svg.count("<rect") == 5
    assert svg.count("<path") == 2 + 2 + 1
    assert "Visual schedules" in svg


def test_it_gives_screen_readers_the_diagram_as_a_nested_list(diagram_page):
    tree = re.search(r'<ul class="driver-tree">.*</ul>', diagram_page, re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tree))
    # The shared secondary driver and its change idea appear under both primary drivers.
    assert text.count("Secondary driver: Shared secondary") == 2
    assert text.count("Change idea: Visual schedules") == 2


def test_it_draws_the_diagram_without_style_attributes(diagram_page):
    section = re.search(r'<section class="my-4 driver-diagram".*?</section>', diagram_page,
                        re.S).group(0)
    assert "style=" not in section


def test_it_says_when_there_is_no_diagram_yet(client, world):
    client.force_login(world.member_a)
    assert "No driver diagram yet." in client.get(world.collaborative.get_absolute_url()).text


# --- Demo ----------------------------------------------------------------------------------

def test_it_seeds_the_demo_diagram_idempotently(world):
    def shape() -> tuple:
        return (
            sorted(PrimaryDriver.objects.values_list("title", flat=True)),
            sorted(SecondaryDriver.primary_drivers.through.objects
                   .values_list("secondarydriver__title", "primarydriver__title")),
            sorted(ChangeIdea.secondary_drivers.through.objects
                   .values_list("changeidea__title", "secondarydriver__title")),
        )

    seed_framework(world.collaborative)
    first = shape()
    seed_framework(world.collaborative)
    assert shape() == first
    assert len(first[0]) == 5
    assert ChangeIdea.objects.count() == 16
