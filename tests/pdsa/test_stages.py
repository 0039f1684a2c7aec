"""A PDSA cycle stage by stage: the page opens at the current stage and asks only its
questions, a stage is not passed with its required answers empty (service and form), a person
goes back to edit an earlier stage, the Act decision in plain words, the scale choices, and the
full worksheet still there."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pdsa import services
from pdsa.forms import PlanStageForm
from pdsa.models import Cycle, CycleComment
from tests.pdsa.conftest import complete

pytestmark = pytest.mark.django_db

ANSWERS = {
    "plan": {"plan_what": "Post a picture schedule at the door.", "scale": "one_child",
             "prediction": "Fewer questions about what comes next."},
    "do": {"do_what_happened": "She looked at it every morning."},
    "study": {"study_summary": "Better than predicted.", "study_learned": "Pictures help."},
    "act": {"decision": "adopt", "next_step": "Try it with the whole room."},
}
REQUIRED = {
    "plan": {"plan_what": "plan_what_required", "scale": "scale_required",
             "prediction": "prediction_required"},
    "do": {"do_what_happened": "do_required"},
    "study": {"study_summary": "study_required", "study_learned": "learned_required"},
    "act": {"decision": "decision_required"},
}
MESSAGES = {
    "plan_what": "Plan needs what you will try.",
    "scale": "Plan needs the scale of the test",
    "prediction": "Plan needs your prediction",
    "do_what_happened": "Do needs what happened",
    "study_summary": "Study needs how the results compare with your prediction.",
    "study_learned": "Study needs what you learned.",
    "decision": "Act needs your decision: keep it as it is (adopt)",
}
STAGES = ["plan", "do", "study", "act"]


def codes(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}


@pytest.fixture
def fresh_cycle(world, idea) -> Cycle:
    """A quick plan as a phone logs it: no scale chosen yet."""
    return services.cycle_create(team=world.team_a, created_by=world.member_a, change_idea=idea,
                                 title="Picture schedule for Mia", prediction="",
                                 plan_what="")


def at_stage(cycle: Cycle, stage: str) -> Cycle:
    """The cycle carried through the stages before ``stage`` with every answer given."""
    for earlier in STAGES[:STAGES.index(stage)]:
        cycle = services.cycle_stage_save(cycle=cycle, stage=earlier, version=cycle.version,
                                          move_on=True, **ANSWERS[earlier])
    return cycle


def stage_post(cycle: Cycle, stage: str, *, move_on: bool = True, **changes) -> dict:
    data = {"version": cycle.version, **ANSWERS[stage], **changes}
    if move_on:
        data["move_on"] = "yes"
    return {key: value for key, value in data.items() if value is not None}


def rows() -> list:
    return [list(model.objects.order_by("pk").values())
            for model in (Cycle, CycleComment, Cycle.participants.through)]


# --- The service ----------------------------------------------------------------------------

def test_it_carries_a_cycle_through_every_stage_to_a_decision(fresh_cycle):
    cycle = at_stage(fresh_cycle, "act")
    assert (cycle.status, cycle.version) == ("act", 4)
    cycle = services.cycle_stage_save(cycle=cycle, stage="act", version=cycle.version,
                                      move_on=True, **ANSWERS["act"])
    assert (cycle.status, cycle.decision, cycle.scale) == ("complete", "adopt", "one_child")
    assert cycle.completed_at is not None


@pytest.mark.parametrize(("stage", "field"), [
    (stage, field) for stage, fields in REQUIRED.items() for field in fields])
def test_it_does_not_pass_a_stage_with_a_required_answer_empty(fresh_cycle, stage, field):
    cycle = at_stage(fresh_cycle, stage)
    answers = {**ANSWERS[stage], field: "", "next_step": None}
    answers = {key: value for key, value in answers.items()
               if value is not None and key in services.STAGE_FIELDS[stage]}
    with pytest.raises(ValidationError) as exc:
        services.cycle_stage_save(cycle=cycle, stage=stage, version=cycle.version, move_on=True,
                                  **answers)
    assert codes(exc) == {field: [REQUIRED[stage][field]]}
    assert MESSAGES[field] in exc.value.error_dict[field][0].message
    saved = Cycle.objects.get(pk=cycle.pk)
    assert (saved.status, saved.version) == (stage, cycle.version)


def test_it_moves_the_status_on_only_with_the_answers_of_the_stage_left(fresh_cycle):
    with pytest.raises(ValidationError) as exc:
        services.cycle_status_move(cycle=fresh_cycle, status="do", version=1)
    assert codes(exc) == {"plan_what": ["plan_what_required"], "scale": ["scale_required"],
                          "prediction": ["prediction_required"]}
    cycle = at_stage(fresh_cycle, "do")
    with pytest.raises(ValidationError) as exc:
        services.cycle_status_move(cycle=cycle, status="study", version=cycle.version)
    assert codes(exc) == {"do_what_happened": ["do_required"]}


def test_it_refuses_a_stage_the_cycle_has_not_reached(fresh_cycle):
    with pytest.raises(ValidationError) as exc:
        services.cycle_stage_save(cycle=fresh_cycle, stage="study", version=1,
                                  study_learned="Too early")
    assert exc.value.code == "stage_not_reached"
    assert Cycle.objects.get(pk=fresh_cycle.pk).study_learned == ""


def test_it_edits_an_earlier_stage_without_moving_the_cycle(fresh_cycle):
    cycle = at_stage(fresh_cycle, "study")
    cycle = services.cycle_stage_save(cycle=cycle, stage="plan", version=cycle.version,
                                      **{**ANSWERS["plan"], "plan_when": "Mornings"})
    assert (cycle.status, cycle.plan_when) == ("study", "Mornings")
    with pytest.raises(ValidationError) as exc:
        services.cycle_stage_save(cycle=cycle, stage="do", version=cycle.version,
                                  do_what_happened=" ")
    assert codes(exc) == {"do_what_happened": ["do_required"]}


def test_it_refuses_to_move_on_from_a_stage_already_passed(fresh_cycle):
    cycle = at_stage(fresh_cycle, "study")
    with pytest.raises(ValidationError) as exc:
        services.cycle_stage_save(cycle=cycle, stage="plan", version=cycle.version,
                                  move_on=True, **ANSWERS["plan"])
    assert exc.value.code == "stage_passed"


def test_it_refuses_a_stage_save_from_an_old_version(fresh_cycle):
    cycle = at_stage(fresh_cycle, "do")
    with pytest.raises(services.CycleConflict):
        services.cycle_stage_save(cycle=cycle, stage="do", version=1, **ANSWERS["do"])
    assert Cycle.objects.get(pk=cycle.pk).do_what_happened == ""


def test_it_takes_only_the_stages_own_fields(fresh_cycle):
    with pytest.raises(TypeError):
        services.cycle_stage_save(cycle=fresh_cycle, stage="plan", version=1, decision="adopt")


# --- Scale ----------------------------------------------------------------------------------

def test_it_offers_scales_for_home_and_classroom_with_no_default(fresh_cycle):
    assert [label for _value, label in Cycle.Scale.choices] == [
        "One child or family", "A few children or families", "One classroom or home group",
        "Several classrooms", "The whole program"]
    assert fresh_cycle.scale == ""
    assert not PlanStageForm(team=fresh_cycle.team, instance=fresh_cycle)["scale"].value()


def test_it_keeps_every_stored_scale_value_under_its_new_name():
    # The migration changes no stored value: each old one is still a choice, renamed.
    migration = importlib.import_module("pdsa.migrations.0003_stage_by_stage")
    assert [(value, str(label)) for value, label in Cycle.Scale.choices] == migration.SCALE_CHOICES
    renamed = {"one_child": "One child or family", "one_classroom": "One classroom or home group",
               "several_classrooms": "Several classrooms", "whole_program": "The whole program"}
    assert {old: Cycle.Scale(old).label for old in renamed} == renamed


# --- The page -------------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_it_opens_the_cycle_at_its_current_stage(client, world, fresh_cycle, stage):
    cycle = at_stage(fresh_cycle, stage)
    client.force_login(world.member_a)
    response = client.get(cycle.get_absolute_url())
    assert response.context["stage"] == stage
    assert set(response.context["stage_form"].fields) - {"version"} == (
        set(services.STAGE_FIELDS[stage]) | ({"measures"} if stage == "plan" else set()))
    label = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act"}[stage]
    assert 'aria-current="step"' in response.text
    assert f"Stage {STAGES.index(stage) + 1} of 4: {label}" in response.text
    assert "What to write here" in response.text
    following = {"plan": "Save and move on to Do", "do": "Save and move on to Study",
                 "study": "Save and move on to Act", "act": "Save and finish the cycle"}[stage]
    assert following in response.text


@pytest.mark.parametrize("stage", STAGES)
def test_it_moves_on_from_the_page_and_opens_the_next_stage(client, world, fresh_cycle, stage):
    cycle = at_stage(fresh_cycle, stage)
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-stage", args=[cycle.pk, stage]),
                           stage_post(cycle, stage), follow=True)
    cycle.refresh_from_db()
    assert cycle.status == ([*STAGES, "complete"])[STAGES.index(stage) + 1]
    if stage != "act":
        assert response.context["stage"] == cycle.status
    else:
        assert "Cycle finished. Your decision: Keep it as it is (adopt)." in response.text


@pytest.mark.parametrize(("stage", "field"), [
    (stage, field) for stage, fields in REQUIRED.items() for field in fields])
def test_it_names_the_missing_answer_on_the_page_and_saves_nothing(client, world, fresh_cycle,
                                                                    stage, field):
    cycle = at_stage(fresh_cycle, stage)
    client.force_login(world.member_a)
    before = rows()
    response = client.post(reverse("pdsa:cycle-stage", args=[cycle.pk, stage]),
                           stage_post(cycle, stage, **{field: ""}))
    assert response.status_code == 200
    assert MESSAGES[field] in response.context["stage_form"].errors[field][0]
    assert 'aria-invalid="true"' in response.text
    assert rows() == before


def test_it_names_an_earlier_stage_left_unfinished(client, world, fresh_cycle):
    """A cycle moved on before the rules (or by the old status buttons) says which stage
    still needs what, above the form."""
    cycle = at_stage(fresh_cycle, "do")
    Cycle.objects.filter(pk=cycle.pk).update(prediction="")
    client.force_login(world.member_a)
    response = client.post(reverse("pdsa:cycle-stage", args=[cycle.pk, "do"]),
                           stage_post(cycle, "do"))
    assert "Plan needs your prediction" in str(response.context["stage_form"].non_field_errors())
    assert Cycle.objects.get(pk=cycle.pk).status == "do"


def test_it_lets_a_person_go_back_to_edit_an_earlier_stage(client, world, fresh_cycle):
    cycle = at_stage(fresh_cycle, "study")
    client.force_login(world.member_a)
    page = client.get(cycle.get_absolute_url()).text
    plan_url = reverse("pdsa:cycle-stage", args=[cycle.pk, "plan"])
    assert f'href="{plan_url}"' in page
    assert reverse("pdsa:cycle-stage", args=[cycle.pk, "act"]) not in page  # not reached
    response = client.get(plan_url)
    assert response.context["stage"] == "plan"
    assert "Save changes to Plan" in response.text
    response = client.post(plan_url, stage_post(cycle, "plan", move_on=False, plan_when="Mornings"))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.status, cycle.plan_when) == ("study", "Mornings")


def test_it_sends_a_stage_not_reached_back_to_the_current_one(client, world, fresh_cycle):
    client.force_login(world.member_a)
    url = reverse("pdsa:cycle-stage", args=[fresh_cycle.pk, "act"])
    response = client.get(url, follow=True)
    assert "This cycle is at Plan: finish that stage first." in response.text
    before = rows()
    client.post(url, stage_post(fresh_cycle, "act"))
    assert rows() == before
    assert client.get(reverse("pdsa:cycle-stage", args=[fresh_cycle.pk, "dream"])).status_code == 404


@pytest.mark.parametrize(("words", "decision"), [
    ("Keep it as it is", "adopt"), ("Change it and test again", "adapt"), ("Drop it", "abandon")])
def test_it_asks_the_decision_in_plain_words(client, world, fresh_cycle, words, decision):
    cycle = at_stage(fresh_cycle, "act")
    client.force_login(world.member_a)
    page = client.get(cycle.get_absolute_url()).text
    assert f"{words} ({decision})</label>" in page
    assert 'class="btn-check"' in page
    client.post(reverse("pdsa:cycle-stage", args=[cycle.pk, "act"]),
                stage_post(cycle, "act", decision=decision))
    cycle.refresh_from_db()
    assert (cycle.status, cycle.decision) == ("complete", decision)


def test_it_keeps_typed_text_when_someone_else_saved_the_stage(client, world, fresh_cycle):
    cycle = at_stage(fresh_cycle, "do")
    url = reverse("pdsa:cycle-stage", args=[cycle.pk, "do"])
    client.force_login(world.lead_a)
    assert client.post(url, stage_post(cycle, "do", move_on=False, do_problems="Rain")).status_code == 302
    client.force_login(world.member_a)
    response = client.post(url, stage_post(cycle, "do", do_what_happened="My words"))
    assert response.status_code == 409
    assert "My words" in response.text
    assert [c.label for c in response.context["changes"]] == ["What happened", "Problems"]
    saved = Cycle.objects.get(pk=cycle.pk)
    assert (saved.status, saved.do_problems) == ("do", "Rain")


def test_it_keeps_the_whole_worksheet_for_reading_printing_and_editing(client, world, fresh_cycle):
    cycle = at_stage(fresh_cycle, "do")
    client.force_login(world.member_a)
    page = client.get(cycle.get_absolute_url() + "?view=worksheet").text
    for heading in ("Plan", "Do", "Study", "Act"):
        assert f">{heading}</h2>" in page
    assert "css/pdsa_stages.css" in page
    assert "js/pdsa_stages.js" in page
    assert "Print the worksheet" in page
    assert "?view=worksheet" in client.get(cycle.get_absolute_url()).text  # linked
    edit = reverse("pdsa:cycle-update", args=[cycle.pk])
    assert client.get(edit).status_code == 200
    data = {"version": cycle.version, "title": cycle.title, "change_idea": cycle.change_idea_id,
            **ANSWERS["plan"], **ANSWERS["do"], "scale": "a_few"}
    assert client.post(edit, data).status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).scale == "a_few"


def test_it_shows_a_finished_cycle_as_the_worksheet_with_every_stage_done(client, world,
                                                                          make_cycle):
    cycle = complete(make_cycle())
    client.force_login(world.member_a)
    response = client.get(cycle.get_absolute_url())
    assert response.context["stage"] is None
    assert [step["done"] for step in response.context["stepper"]] == [True] * 4
    assert reverse("pdsa:cycle-stage", args=[cycle.pk, "act"]) in response.text
    assert "Keep it as it is (adopt)" in response.text


def test_it_shows_readers_the_worksheet_and_no_stage_form(client, world, fresh_cycle):
    cycle = at_stage(fresh_cycle, "do")
    client.force_login(world.coach)
    response = client.get(cycle.get_absolute_url())
    assert response.context["stage"] is None
    assert reverse("pdsa:cycle-stage", args=[cycle.pk, "plan"]) not in response.text


@pytest.mark.parametrize(("persona", "expected"), [
    ("member_a", 200), ("member_b", 404), ("coach", 403), ("state_viewer", 404),
    ("stranger", 404)])
def test_it_keeps_the_access_rules_on_the_stage_pages(client, world, fresh_cycle, persona,
                                                      expected):
    client.force_login(getattr(world, persona))
    url = reverse("pdsa:cycle-stage", args=[fresh_cycle.pk, "plan"])
    assert client.get(url).status_code == expected
    before = rows()
    response = client.post(url, stage_post(fresh_cycle, "plan"))
    assert response.status_code == (302 if persona == "member_a" else expected)
    if persona != "member_a":
        assert rows() == before


def test_it_asks_the_scale_on_plan_with_no_choice_made(client, world, fresh_cycle):
    client.force_login(world.member_a)
    page = client.get(fresh_cycle.get_absolute_url()).text
    assert "One child or family" in page
    assert " checked" not in page.split("Who will the test involve?")[1].split("</fieldset>")[0]
