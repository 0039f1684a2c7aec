"""PDSA pages: quick entry, the worksheet, status, sharing, deleting, comments, spread."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdsa.models import Cycle, CycleComment
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db


def worksheet(cycle: Cycle, **changes) -> dict:
    """The edit form as the page would post it, with ``changes``."""
    data = {
        "version": cycle.version, "title": cycle.title, "change_idea": cycle.change_idea_id,
        "follows": cycle.follows_id or "", "scale": cycle.scale, "lead": cycle.lead_id or "",
        "prediction": cycle.prediction, "plan_what": cycle.plan_what, "decision": cycle.decision,
        "study_summary": cycle.study_summary,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Quick entry ----------------------------------------------------------------------------

def test_it_logs_a_quick_cycle_led_by_the_person_entering_it(client, world, idea):
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-create", args=[world.team_a.pk]), {
        "title": "Visual schedule at circle time", "change_idea": idea.pk,
        "prediction": "Four of six children follow it", "plan_what": "Post it at eye level",
    })
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == cycle.get_absolute_url()
    assert (cycle.lead, cycle.team, cycle.status) == (world.member_a, world.team_a, "plan")


def test_it_names_the_missing_fields_of_a_quick_cycle(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-create", args=[world.team_a.pk]), {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "change_idea", "prediction",
                                                    "plan_what"}
    assert not Cycle.objects.exists()


def test_it_refuses_a_change_idea_of_another_collaborative_on_quick_entry(client, world,
                                                                          foreign_idea):
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-create", args=[world.team_a.pk]), {
        "title": "T", "change_idea": foreign_idea.pk, "prediction": "P", "plan_what": "W"})
    assert "change framework" in response.context["form"].errors["change_idea"][0]
    assert not Cycle.objects.exists()


def test_it_starts_the_next_cycle_of_a_ramp_from_the_previous_one(client, world, make_cycle):
    first = make_cycle()
    client.force_login(world.member_a)
    url = reverse("pdsa:cycle-create", args=[world.team_a.pk]) + f"?follows={first.pk}"
    form = client.get(url).context["form"]
    assert form.initial == {"follows": first.pk, "change_idea": first.change_idea_id}


# --- Detail ---------------------------------------------------------------------------------

def test_it_shows_the_worksheet_by_section_with_the_ramp(client, world, make_cycle):
    first = complete(make_cycle(title="Cycle one"), decision="adapt")
    second = make_cycle(title="Cycle two", follows=first)
    client.force_login(world.coach)
    page = client.get(second.get_absolute_url()).text
    for heading in ("Plan", "Do", "Study", "Act", "Ramp"):
        assert f">{heading}</h2>" in page
    assert "Cycle 1: Cycle one" in page
    assert "Edit the worksheet" not in page  # coaches read and comment


def test_it_shows_another_team_a_shared_cycle_without_the_thread(client, world, make_cycle):
    cycle = complete(make_cycle(), shared=True)
    CycleComment.objects.create(cycle=cycle, author=world.coach, body="Private coaching note")
    client.force_login(world.member_b)
    page = client.get(cycle.get_absolute_url()).text
    assert cycle.title in page
    assert "Private coaching note" not in page


# --- Worksheet edit -------------------------------------------------------------------------

def test_it_saves_the_worksheet(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-update", args=[cycle.pk]),
                           worksheet(cycle, objective="Calmer transitions",
                                     participants=[world.lead_a.pk]))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.objective, cycle.version) == ("Calmer transitions", 2)
    assert list(cycle.participants.all()) == [world.lead_a]


def test_it_refuses_the_later_of_two_concurrent_edits_and_keeps_what_was_typed(client, world,
                                                                               make_cycle):
    cycle = make_cycle()
    url = reverse("pdsa:cycle-update", args=[cycle.pk])
    client.force_login(world.lead_a)
    assert client.post(url, worksheet(cycle, objective="The lead's objective")).status_code == 302
    client.force_login(world.member_a)
    response = client.post(url, worksheet(cycle, objective="My objective"))
    assert response.status_code == 409
    assert "Someone else saved this worksheet" in response.text
    assert "My objective" in response.text  # typed text kept in the form
    assert [(c.label, c.now) for c in response.context["changes"]] == [
        ("Objective", "The lead's objective")]
    assert response.context["form"]["version"].value() == "2"
    cycle.refresh_from_db()
    assert cycle.objective == "The lead's objective"


def test_it_names_a_lead_who_is_not_on_the_team(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-update", args=[cycle.pk]),
                           worksheet(cycle, lead=world.member_b.pk))
    assert "on the team" in response.context["form"].errors["lead"][0]


def test_it_names_a_done_date_before_the_planned_start(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-update", args=[cycle.pk]),
                           worksheet(cycle, planned_start="2026-04-10", done_on="2026-04-01"))
    assert "before the planned start" in response.context["form"].errors["done_on"][0]
    cycle.refresh_from_db()
    assert cycle.version == 1


def test_it_refuses_worksheet_writes_to_coaches(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.coach)
    response = client.post(reverse("pdsa:cycle-update", args=[cycle.pk]),
                           worksheet(cycle, objective="Coach's"))
    assert response.status_code == 403


# --- Status and sharing ---------------------------------------------------------------------

def test_it_moves_the_status_from_the_detail_page(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.member_a)
    client.post(reverse("pdsa:cycle-status", args=[cycle.pk]), {"status": "do", "version": 1})
    cycle.refresh_from_db()
    assert cycle.status == "do"


def test_it_says_why_a_cycle_cannot_complete(client, world, make_cycle):
    cycle = make_cycle()
    Cycle.objects.filter(pk=cycle.pk).update(status="act")
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-status", args=[cycle.pk]),
                           {"status": "complete", "version": 1}, follow=True)
    assert "Act needs your decision: keep it as it is (adopt)" in response.text
    assert "Do needs what happened" in response.text
    cycle.refresh_from_db()
    assert cycle.status == "act"


def test_it_shares_and_unshares_a_cycle(client, world, make_cycle):
    cycle = make_cycle()
    url = reverse("pdsa:cycle-share", args=[cycle.pk])
    client.force_login(world.member_a)
    client.post(url, {"shared": "yes"})
    cycle.refresh_from_db()
    assert cycle.is_shared
    client.post(url, {"shared": "no"})
    cycle.refresh_from_db()
    assert not cycle.is_shared


def test_it_lets_the_team_lead_delete_a_cycle(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.lead_a)
    response = client.post(reverse("pdsa:cycle-delete", args=[cycle.pk]))
    assert response["Location"] == reverse("pdsa:cycle-list", args=[world.team_a.pk])
    assert not Cycle.objects.exists()


def test_it_refuses_deletion_to_other_members_and_coaches(client, world, make_cycle):
    cycle = make_cycle()
    for person in (world.member_a, world.coach):
        client.force_login(person)
        assert client.post(reverse("pdsa:cycle-delete", args=[cycle.pk])).status_code == 403
    assert Cycle.objects.exists()


# --- Comments -------------------------------------------------------------------------------

def test_it_emails_the_lead_and_team_lead_when_a_coach_comments(
        client, world, make_cycle, mailoutbox, django_capture_on_commit_callbacks):
    cycle = make_cycle()
    client.force_login(world.coach)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdsa:comment-create", args=[cycle.pk]),
                               {"body": "Could you try it at pick-up too?"})
    comment = CycleComment.objects.get()
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [world.member_a.email, world.lead_a.email])
    assert "Could you try it at pick-up too?" in mailoutbox[0].body
    assert cycle.get_absolute_url() in mailoutbox[0].body


def test_it_does_not_email_the_author(client, world, make_cycle, mailoutbox,
                                      django_capture_on_commit_callbacks):
    cycle = make_cycle()
    client.force_login(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pdsa:comment-create", args=[cycle.pk]), {"body": "Done today."})
    assert [mail.to for mail in mailoutbox] == [[world.lead_a.email]]


def test_it_refuses_comments_from_other_teams(client, world, make_cycle):
    cycle = complete(make_cycle(), shared=True)
    client.force_login(world.member_b)
    response = client.post(reverse("pdsa:comment-create", args=[cycle.pk]), {"body": "Nice"})
    assert response.status_code == 403
    assert not CycleComment.objects.exists()


# --- Lists and spread -----------------------------------------------------------------------

def test_it_lists_a_teams_cycles_with_status_decision_and_sharing(client, world, make_cycle):
    complete(make_cycle(title="Arrival schedule"), decision="adapt", shared=True)
    client.force_login(world.member_a)
    page = client.get(reverse("pdsa:cycle-list", args=[world.team_a.pk])).text
    assert "Cycle 1: Arrival schedule" in page
    assert "Decision: Adapt" in page
    assert "shared with the collaborative" in page


def test_it_lists_every_cycle_of_a_team_to_a_superuser(client, superuser, world, five_cycles):
    client.force_login(superuser)
    response = client.get(reverse("pdsa:cycle-list", args=[world.team_a.pk]))
    listed = [cycle.pk for ramp in response.context["ramps"] for cycle in ramp]
    assert sorted(listed) == sorted(cycle.pk for cycle in five_cycles)


def test_it_opens_a_teams_private_cycles_to_a_superuser(client, superuser, five_cycles):
    client.force_login(superuser)
    for cycle in five_cycles:
        assert client.get(cycle.get_absolute_url()).status_code == 200, cycle.title


def test_it_shows_state_viewers_spread_counts_without_cycle_titles(client, world, make_cycle):
    complete(make_cycle(title="Secret title"), shared=True)
    client.force_login(world.state_viewer)
    response = client.get(reverse("pdsa:spread", args=[world.collaborative.pk]))
    assert response.status_code == 200
    assert "Visual schedules" in response.text
    assert "Secret title" not in response.text
    assert response.context["rows"][0].adopted == 1


def test_it_links_other_teams_to_shared_cycles_in_the_spread(client, world, make_cycle):
    cycle = complete(make_cycle(title="Shared title"), shared=True)
    client.force_login(world.member_b)
    page = client.get(reverse("pdsa:spread", args=[world.collaborative.pk])).text
    assert cycle.get_absolute_url() in page


@pytest.fixture
def shared_and_private(world, make_cycle):
    """Team A shared a cycle that adapted the idea; team B adopted it in a private one."""
    complete(make_cycle(title="Shared try"), decision="adapt", shared=True)
    complete(make_cycle(team=world.team_b, created_by=world.member_b, title="Private try"),
             decision="adopt")


@pytest.mark.parametrize(("persona", "tested_adopted_adapted"), [
    ("advisor", (2, 1, 1)), ("coach", (2, 1, 1)),
    ("state_viewer", (1, 0, 1)), ("member_a", (1, 0, 1)),  # team B's private cycle left out
    ("member_b", (2, 1, 1)),  # team B's own cycle: they read it anyway
])
def test_it_counts_in_the_spread_only_shared_cycles_for_those_who_do_not_lead(
        client, world, shared_and_private, persona, tested_adopted_adapted):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("pdsa:spread", args=[world.collaborative.pk]))
    (row,) = response.context["rows"]
    assert (row.teams_tested, row.adopted, row.adapted) == tested_adopted_adapted


def test_it_leaves_private_cycles_out_of_the_spreads_lead_roles(client, world, shared_and_private):
    client.force_login(world.state_viewer)
    response = client.get(reverse("pdsa:spread", args=[world.collaborative.pk]))
    assert response.context["rows"][0].lead_roles == [("Educator", 1)]
    assert "Family member: 1" not in response.text


def test_it_counts_every_cycle_in_the_spread_for_a_superuser(client, superuser, world,
                                                             shared_and_private):
    client.force_login(superuser)
    response = client.get(reverse("pdsa:spread", args=[world.collaborative.pk]))
    (row,) = response.context["rows"]
    assert (row.teams_tested, row.adopted, row.adapted) == (2, 1, 1)


@pytest.mark.parametrize(("persona", "sentence"), [
    ("advisor", "Counts include every team's cycles, shared or not."),
    ("state_viewer", "Counts include only the cycles teams have shared with the collaborative."),
    ("member_a", "Counts include only the cycles teams have shared with the collaborative, "
                 "and all of your own team's cycles."),
])
def test_it_says_in_the_spread_which_cycles_it_counts(client, world, persona, sentence):
    client.force_login(getattr(world, persona))
    page = client.get(reverse("pdsa:spread", args=[world.collaborative.pk])).text
    assert sentence in page.replace("&#x27;", "'")


def test_it_puts_a_pdsa_button_on_the_team_page(client, world):
    client.force_login(world.member_a)
    page = client.get(world.team_a.get_absolute_url()).text
    assert reverse("pdsa:cycle-list", args=[world.team_a.pk]) in page


# --- Refused and empty posts change nothing -------------------------------------------------

WRITE_URLS = ["pdsa:cycle-update", "pdsa:cycle-status", "pdsa:cycle-share", "pdsa:cycle-delete",
              "pdsa:comment-create"]


def pdsa_rows() -> list:
    return [list(model.objects.order_by("pk").values())
            for model in (Cycle, CycleComment, Cycle.participants.through)]


@pytest.mark.parametrize("url_name", WRITE_URLS)
@pytest.mark.parametrize("persona", ["member_a", "member_b", "coach", "state_viewer", "stranger"])
def test_it_changes_no_cycle_on_a_refused_or_empty_post(client, world, make_cycle, url_name,
                                                        persona):
    cycle = make_cycle()
    before = pdsa_rows()
    client.force_login(getattr(world, persona))
    client.post(reverse(url_name, args=[cycle.pk]), {})
    assert pdsa_rows() == before


def test_it_ignores_a_malformed_earlier_cycle_in_the_quick_entry_link(client, world):
    client.force_login(world.member_a)
    url = reverse("pdsa:cycle-create", args=[world.team_a.pk]) + "?follows=abc"
    assert client.get(url).status_code == 200


# --- Review fixes ---------------------------------------------------------------------------

def test_it_ignores_non_ascii_digits_in_the_quick_entry_link(client, world):
    client.force_login(world.member_a)
    url = reverse("pdsa:cycle-create", args=[world.team_a.pk]) + "?follows=²"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_it_refuses_a_line_break_in_a_quick_cycles_title(client, world, idea):
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-create", args=[world.team_a.pk]), {
        "title": "Morning\nschedule", "change_idea": idea.pk, "prediction": "P",
        "plan_what": "W"})
    assert response.status_code == 200
    assert response.context["form"].has_error("title", "invalid")
    assert not Cycle.objects.exists()


def test_it_refuses_a_line_break_in_the_worksheets_title(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-update", args=[cycle.pk]),
                           worksheet(cycle, title="Morning\r\nschedule"))
    assert response.status_code == 200
    assert response.context["form"].has_error("title", "invalid")
    cycle.refresh_from_db()
    assert (cycle.title, cycle.version) == ("Picture schedule at arrival", 1)


@pytest.mark.parametrize("version", ["", "abc", "0"])
def test_it_says_the_worksheet_is_out_of_date_when_its_version_is_missing_or_tampered(
        client, world, make_cycle, version):
    cycle = make_cycle()
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-update", args=[cycle.pk]),
                           worksheet(cycle, version=version, objective="Calmer transitions"))
    assert response.status_code == 200
    assert "This page is out of date; reload it and try again." in response.text
    cycle.refresh_from_db()
    assert (cycle.objective, cycle.version) == ("", 1)


def test_it_leaves_out_of_the_ramp_the_steps_another_team_may_not_read(client, world,
                                                                        make_cycle):
    first = complete(make_cycle(title="Private first try"), decision="adapt")
    second = complete(make_cycle(title="Shared second try", follows=first), shared=True)
    client.force_login(world.member_b)
    response = client.get(second.get_absolute_url())
    assert [step.pk for step in response.context["ramp"]] == [second.pk]
    assert "not shared" not in response.text
    assert "Cycle 1" not in response.text
    client.force_login(world.coach)
    response = client.get(second.get_absolute_url())
    assert [step.pk for step in response.context["ramp"]] == [first.pk, second.pk]


def test_it_offers_the_next_cycle_only_once_the_cycle_is_complete(client, world, make_cycle):
    from pdsa import services

    cycle = make_cycle()
    cycle = services.cycle_update(cycle=cycle, version=cycle.version, decision="adopt",
                                  study_summary="Better than predicted.")
    client.force_login(world.member_a)
    assert "Plan the next cycle" not in client.get(cycle.get_absolute_url()).text
    complete(cycle)
    assert "Plan the next cycle" in client.get(cycle.get_absolute_url()).text


def test_it_records_who_commented_in_the_history(client, world, make_cycle):
    cycle = make_cycle()
    client.force_login(world.coach)
    client.post(reverse("pdsa:comment-create", args=[cycle.pk]), {"body": "Try mornings?"})
    assert CycleComment.objects.get().history.get().history_user == world.coach
