"""Forms for PDSA cycles: the quick entry a teacher or parent fills in on a phone, one form
per stage (Plan, Do, Study, Act), the full worksheet, and the small forms behind the status,
share and comment buttons."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collaboratives.forms import DateInput
from collaboratives.models import ChangeIdea, Collaborative
from pdsa.models import Cycle
from pdsa.selectors import NO_DECISION, UNKNOWN_ROLE
from pdsa.services import STAGE_REQUIREMENTS
from pdsa.validators import validate_one_line
from teams.models import MemberRole, Team

WRONG_CHANGE_IDEA = _("Choose a change idea from your collaborative's change framework.")
WRONG_EARLIER_CYCLE = _("Choose an earlier cycle of your team.")
WRONG_PERSON = _("Choose people who are on the team.")
WRONG_MEASURE = _("Link only measures of your collaborative.")
STALE_FORM = _("This page is out of date; reload it and try again.")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class EarlierCycleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cycle) -> str:
        return _("%(title)s (cycle %(number)s, %(idea)s)") % {
            "title": obj.title, "number": obj.number, "idea": obj.change_idea.display_title}


def _earlier_cycles(team: Team, cycle: Cycle | None = None):
    cycles = team.pdsa_cycles.select_related("change_idea").order_by("change_idea__order", "number")
    return cycles.exclude(pk=cycle.pk) if cycle is not None and cycle.pk else cycles


class QuickCycleForm(forms.ModelForm):
    """Four things, under five minutes on a phone; the rest waits for the full worksheet."""

    follows = EarlierCycleChoice(
        queryset=Cycle.objects.none(), required=False, label=_("Builds on an earlier cycle"),
        empty_label=_("No, this is a first test"),
        error_messages={"invalid_choice": WRONG_EARLIER_CYCLE},
    )

    class Meta:
        model = Cycle
        fields = ["title", "change_idea", "prediction", "plan_what", "follows"]
        labels = {"title": _("Name of the test"), "prediction": _("What do you predict?"),
                  "plan_what": _("What will you do?")}
        help_texts = {"prediction": _("For example: “At least 4 of 6 children will use a "
                                      "calm-down strategy without a prompt.”")}
        widgets = {"prediction": forms.Textarea(attrs={"rows": 3}),
                   "plan_what": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"change_idea": {"invalid_choice": WRONG_CHANGE_IDEA}}

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The model's validators run only in _post_clean, which these forms skip.
        self.fields["title"].validators.append(validate_one_line)
        self.fields["change_idea"].queryset = team.collaborative.change_ideas.all()
        self.fields["change_idea"].empty_label = _("Choose a change idea")
        self.fields["follows"].queryset = _earlier_cycles(team)
        self.fields["prediction"].required = True
        self.fields["plan_what"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _post_clean(self) -> None:
        # cycle_create checks the cycle as a whole; checking the half-built instance here
        # would report the same problems twice.
        return


class VersionedCycleForm(forms.ModelForm):
    """A form over a cycle that carries the version the person started from: the service
    refuses the save if someone else saved in between, and checks the cycle as a whole."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict:
        # The version is a hidden field, whose errors the page does not show; a missing or
        # tampered one means the page is not the one we served.
        if self._errors.pop("version", None) is not None:
            self.add_error(None, ValidationError(STALE_FORM, code="stale_form"))
        return super().clean()

    def _post_clean(self) -> None:
        # The service (cycle_update, cycle_stage_save) checks the cycle as a whole, and
        # against concurrent saves.
        return


class CycleForm(VersionedCycleForm):
    """The full IHI worksheet, by section."""

    follows = EarlierCycleChoice(
        queryset=Cycle.objects.none(), required=False, label=_("Builds on an earlier cycle"),
        empty_label=_("No, this is a first test"),
        error_messages={"invalid_choice": WRONG_EARLIER_CYCLE},
    )
    lead = PersonChoice(queryset=get_user_model().objects.none(), required=False,
                        label=_("Lead"), empty_label=_("No lead yet"),
                        error_messages={"invalid_choice": WRONG_PERSON})
    participants = PeopleChoice(queryset=get_user_model().objects.none(), required=False,
                                label=_("Who took part"), widget=forms.CheckboxSelectMultiple,
                                error_messages={"invalid_choice": WRONG_PERSON,
                                                "invalid_pk_value": WRONG_PERSON})

    class Meta:
        model = Cycle
        fields = [
            "title", "change_idea", "follows", "scale", "lead", "participants",
            "objective", "questions", "prediction", "plan_who", "plan_what", "plan_when",
            "plan_where", "planned_start", "data_collection_plan", "measures",
            "do_what_happened", "do_problems", "do_unexpected", "done_on",
            "study_summary", "study_learned", "decision", "next_step",
        ]
        widgets = {
            "planned_start": DateInput(), "done_on": DateInput(),
            "measures": forms.CheckboxSelectMultiple,
            **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                "objective", "questions", "prediction", "plan_who", "plan_what",
                "data_collection_plan", "do_what_happened", "do_problems", "do_unexpected",
                "study_summary", "study_learned", "next_step")},
        }
        error_messages = {"change_idea": {"invalid_choice": WRONG_CHANGE_IDEA},
                          "measures": {"invalid_choice": WRONG_MEASURE}}

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cycle = self.instance
        members = Q(memberships__team=team, memberships__accepted_at__isnull=False)
        if cycle.lead_id:
            members |= Q(pk=cycle.lead_id)  # a lead who has since left the team stays
        if cycle.pk:
            members |= Q(pdsa_participations__cycle=cycle)
        self.fields["lead"].queryset = get_user_model().objects.filter(members).distinct()
        self.fields["participants"].queryset = get_user_model().objects.filter(members).distinct()
        if cycle.pk:
            self.initial.setdefault("participants", [p.user_id for p in cycle.participations.all()])
            self.initial.setdefault("version", cycle.version)
        self.fields["title"].validators.append(validate_one_line)  # as on QuickCycleForm
        self.fields["change_idea"].queryset = team.collaborative.change_ideas.all()
        self.fields["follows"].queryset = _earlier_cycles(team, cycle)
        self.fields["measures"].queryset = team.collaborative.measures.all()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "version",
            Fieldset(_("The test"), "title", "change_idea", "follows", "scale", "lead",
                     "participants"),
            Fieldset(_("Plan"), "objective", "questions", "prediction", "plan_who", "plan_what",
                     "plan_when", "plan_where", "planned_start", "data_collection_plan",
                     "measures"),
            Fieldset(_("Do"), "do_what_happened", "do_problems", "do_unexpected", "done_on"),
            Fieldset(_("Study"), "study_summary", "study_learned"),
            Fieldset(_("Act"), "decision", "next_step"),
        )

    def worksheet_data(self) -> dict:
        """The cleaned fields as cycle_update takes them."""
        data = dict(self.cleaned_data)
        data.pop("version")
        data["measures"] = list(data["measures"])
        data["participants"] = list(data["participants"])
        return data


# The Act decision in plain words, with the improvement word each one stands for.
DECISION_WORDS = [
    (Cycle.Decision.ADOPT, _("Keep it as it is (adopt)")),
    (Cycle.Decision.ADAPT, _("Change it and test again (adapt)")),
    (Cycle.Decision.ABANDON, _("Drop it (abandon)")),
]
# Big radio buttons (Bootstrap's btn-check), a finger's width on a phone.
CHOICE_BUTTONS = "pdsa/partials/choice_buttons.html"


def _more(summary: str, *fields: str) -> tuple:
    """Optional fields folded away on a phone, under a disclosure (opened by
    pdsa_stages.js when one of them has an error)."""
    return (HTML(format_html('<details class="mb-3 stage-more"><summary class="stage-more-'
                             'summary">{}</summary><div class="pt-2">', summary)),
            *fields, HTML("</div></details>"))


class StageForm(VersionedCycleForm):
    """One stage of the worksheet, its questions only. Its required answers are the ones
    ``services.STAGE_REQUIREMENTS`` names, with the same messages."""

    stage: str = ""

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        for name, _code, message in STAGE_REQUIREMENTS[self.stage]:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("version", *self.layout_fields())

    def layout_fields(self) -> tuple:
        return tuple(self.Meta.fields)

    def stage_data(self) -> dict:
        """The cleaned answers as cycle_stage_save takes them."""
        data = dict(self.cleaned_data)
        data.pop("version")
        if "measures" in data:
            data["measures"] = list(data["measures"])
        return data


class PlanStageForm(StageForm):
    stage = Cycle.Status.PLAN
    scale = forms.ChoiceField(choices=Cycle.Scale.choices, widget=forms.RadioSelect,
                              label=_("Who will the test involve?"))

    class Meta:
        model = Cycle
        fields = ["plan_what", "scale", "prediction", "plan_who", "plan_when", "plan_where",
                  "data_collection_plan", "planned_start", "objective", "questions", "measures"]
        labels = {
            "plan_what": _("What will you try?"), "prediction": _("What do you predict will happen?"),
            "plan_who": _("Who will do it?"), "plan_when": _("When?"), "plan_where": _("Where?"),
            "data_collection_plan": _("What will you write down or count?"),
            "planned_start": _("Planned start"), "objective": _("Objective"),
            "questions": _("What do you want to learn?"),
        }
        help_texts = {"questions": "", "prediction": _(
            "For example: “At least 4 of 6 children will use a calm-down strategy without a "
            "prompt.”")}
        widgets = {
            "planned_start": DateInput(), "measures": forms.CheckboxSelectMultiple,
            **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                "plan_what", "prediction", "plan_who", "data_collection_plan", "objective",
                "questions")},
        }
        error_messages = {"measures": {"invalid_choice": WRONG_MEASURE}}

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, team=team, **kwargs)
        self.fields["measures"].queryset = team.collaborative.measures.all()

    def layout_fields(self) -> tuple:
        return ("plan_what", Field("scale", template=CHOICE_BUTTONS), "prediction", "plan_who",
                "plan_when", "plan_where", "data_collection_plan",
                *_more(gettext("More about the plan (optional)"), "planned_start", "objective",
                       "questions", "measures"))


class DoStageForm(StageForm):
    stage = Cycle.Status.DO

    class Meta:
        model = Cycle
        fields = ["do_what_happened", "do_problems", "do_unexpected", "done_on"]
        labels = {"do_what_happened": _("What happened?"),
                  "do_problems": _("Did anything get in the way?"),
                  "do_unexpected": _("What did you notice that you did not expect?"),
                  "done_on": _("Date done")}
        widgets = {"done_on": DateInput(),
                   **{name: forms.Textarea(attrs={"rows": 3}) for name in (
                       "do_what_happened", "do_problems", "do_unexpected")}}


class StudyStageForm(StageForm):
    stage = Cycle.Status.STUDY

    class Meta:
        model = Cycle
        fields = ["study_summary", "study_learned"]
        labels = {"study_summary": _("How did the results compare with your prediction?"),
                  "study_learned": _("What did you learn?")}
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ActStageForm(StageForm):
    stage = Cycle.Status.ACT
    decision = forms.ChoiceField(choices=DECISION_WORDS, widget=forms.RadioSelect,
                                 label=_("What will you do with this change?"))

    class Meta:
        model = Cycle
        fields = ["decision", "next_step"]
        labels = {"next_step": _("Next steps")}
        help_texts = {"next_step": _("For example: the next cycle, who else will try it, or "
                                     "what to change.")}
        widgets = {"next_step": forms.Textarea(attrs={"rows": 3})}

    def layout_fields(self) -> tuple:
        return (Field("decision", template=CHOICE_BUTTONS), "next_step")


STAGE_FORMS: dict[str, type[StageForm]] = {
    form.stage: form for form in (PlanStageForm, DoStageForm, StudyStageForm, ActStageForm)}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Cycle.Status.choices)
    version = forms.IntegerField(min_value=1)


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(choices=[("yes", _("Share")), ("no", _("Stop sharing"))],
                                    coerce=lambda value: value == "yes")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CollaborativeCycleFilterForm(forms.Form):
    """The leaders' list of every team's cycles, filtered from the query string. A value that
    is not one of the choices is reported on its field and that filter alone is dropped."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label=_("Team"), empty_label=_("All teams"),
        error_messages={"invalid_choice": _("Choose a team of this collaborative.")})
    change_idea = forms.ModelChoiceField(
        queryset=ChangeIdea.objects.none(), required=False, label=_("Change idea"),
        empty_label=_("All change ideas"),
        error_messages={"invalid_choice": _("Choose a change idea of this collaborative.")})
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=[("", _("Any status")), *Cycle.Status.choices])
    decision = forms.ChoiceField(required=False, label=_("Decision"), choices=[
        ("", _("Any decision")), *Cycle.Decision.choices, (NO_DECISION, _("No decision yet"))])
    lead_role = forms.ChoiceField(required=False, label=_("Lead's role"), choices=[
        ("", _("Any role")), *MemberRole.choices, (UNKNOWN_ROLE, _("Not recorded"))])
    q = forms.CharField(required=False, max_length=100, label=_("Title contains"),
                        widget=forms.TextInput(attrs={"type": "search"}))
    stalled = forms.BooleanField(required=False, label=_("Only cycles with no change for 4 weeks"))
    sort = forms.ChoiceField(required=False, label=_("Sort by"), choices=[
        ("updated", _("Last change, newest first")), ("team", _("Team")),
        ("status", _("Status"))])

    def __init__(self, *args, collaborative: Collaborative, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = collaborative.teams.order_by("name")
        self.fields["change_idea"].queryset = collaborative.change_ideas.all()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-12 col-sm-6 col-lg-3") for name in (
                "team", "change_idea", "status", "decision", "lead_role", "q", "sort"))),
            "stalled",
        )

    def filters(self) -> dict:
        """The valid filters as ``selectors.collaborative_cycles`` takes them (call after
        ``is_valid()``; a field in error is left out)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "team": data.get("team"), "change_idea": data.get("change_idea"),
            "status": data.get("status", ""), "decision": data.get("decision", ""),
            "lead_role": data.get("lead_role", ""), "stalled": data.get("stalled", False),
            "query": (data.get("q") or "").strip(), "sort": data.get("sort") or "updated",
        }

    @property
    def is_filtering(self) -> bool:
        filters = self.filters()
        filters.pop("sort")
        return any(filters.values())
