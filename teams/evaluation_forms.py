"""Forms for learning-session evaluations: the form's settings, its questions (an inline
formset) and the answer form built from the questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from collaboratives.models import Collaborative, Period
from teams.evaluations import QuestionInput, answer_field_name, question_text
from teams.models import Evaluation, EvaluationQuestion

ANONYMITY_CHOICES = [
    ("1", _("Anonymous: the advisor sees each answer with the person's role only, never "
            "their name or team.")),
    ("0", _("Named: each answer shows who gave it and their team.")),
]
RATING_CHOICES = [
    ("1", _("1 Strongly disagree")), ("2", "2"), ("3", "3"), ("4", "4"),
    ("5", _("5 Strongly agree")),
]


class EvaluationForm(forms.ModelForm):
    is_anonymous = forms.TypedChoiceField(
        label=_("Are answers anonymous?"), choices=ANONYMITY_CHOICES, initial="1",
        coerce=lambda value: value == "1", widget=forms.RadioSelect,
        help_text=_("The form tells people which, before the first question."),
    )

    class Meta:
        model = Evaluation
        fields = ["period", "title", "title_es", "is_anonymous"]
        labels = {"title_es": _("Title in Spanish (optional)")}

    def __init__(self, *args: Any, collaborative: Collaborative, locked: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        period.queryset = collaborative.periods.filter(
            kind=Period.Kind.LEARNING_SESSION).order_by("start_date")
        period.label_from_instance = lambda p: f"{p.label} ({date_format(p.start_date)})"
        period.empty_label = _("Choose a learning session…")
        if self.instance.pk:
            self.initial["is_anonymous"] = "1" if self.instance.is_anonymous else "0"
        if locked:
            field = self.fields["is_anonymous"]
            field.disabled = True
            field.help_text = _("People have already answered, so this cannot change: they "
                                "answered on the form's word.")

    def _post_clean(self) -> None:
        # The service checks the session and the questions; see collaboratives.forms.
        return


class QuestionForm(forms.ModelForm):
    class Meta:
        model = EvaluationQuestion
        fields = ["kind", "text", "text_es", "required", "order"]
        labels = {"text_es": _("Question in Spanish (optional)")}
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "text_es": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("order"):
            self.initial["order"] = None  # not the model's 0: left empty, it goes last
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Left empty: after the others.")
        self.fields["kind"].choices = EvaluationQuestion.Kind.choices  # no blank choice
        self.locked = locked and bool(self.instance.pk)
        if self.locked:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("This question has answers, so its kind stays.")

    def has_changed(self) -> bool:
        # The kind is always set (there is no blank choice), so an untouched blank row
        # counts as empty unless its question was written.
        if not self.instance.pk and not (self.data.get(self.add_prefix("text")) or "").strip():
            return False
        return super().has_changed()


class BaseQuestionFormSet(BaseInlineFormSet):
    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        self.locked = locked
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "locked": self.locked}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this question")
            if getattr(form, "locked", False):
                # Answers hang on the question: it stays (the service refuses it too).
                del form.fields["DELETE"]

    def question_inputs(self) -> list[QuestionInput]:
        """The rows to pass to the service: every question kept or removed, and every
        new row that has a question written in it."""
        inputs = []
        for form in self.forms:
            if not form.instance.pk and not form.has_changed():
                continue
            data = form.cleaned_data
            delete = bool(data.get("DELETE"))
            if delete and not form.instance.pk:
                continue
            inputs.append(QuestionInput(
                kind=data.get("kind") or form.instance.kind, text=data.get("text", ""),
                text_es=data.get("text_es", ""), required=bool(data.get("required")),
                order=data.get("order"), question=form.instance if form.instance.pk else None,
                delete=delete))
        return inputs


def question_formset(data: Any, *, evaluation: Evaluation, locked: bool,
                     initial: list[dict] | None = None) -> BaseQuestionFormSet:
    """The questions of ``evaluation`` plus blank rows (or the ``initial`` questions offered
    on a new form). Without JavaScript more rows come from "Save and add more"."""
    extra = len(initial) + 1 if initial else 2
    formset_class = inlineformset_factory(
        Evaluation, EvaluationQuestion, form=QuestionForm, formset=BaseQuestionFormSet,
        fields=QuestionForm.Meta.fields, extra=extra, can_delete=True, max_num=40,
        validate_max=True, can_delete_extra=not evaluation.pk)  # offered rows may go; blank ones need not
    return formset_class(data, instance=evaluation, locked=locked, initial=initial,
                         prefix="questions",
                         queryset=EvaluationQuestion.objects.filter(evaluation=evaluation)
                         if evaluation.pk else EvaluationQuestion.objects.none())


class AnswerForm(forms.Form):
    """One field per question, named by ``answer_field_name``, worded in the reader's
    language (``question_text``)."""

    def __init__(self, *args: Any, questions: list[EvaluationQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            messages = {"required": _("Please answer this question."),
                        "invalid_choice": _("Choose a number from 1 to 5.")}
            if question.kind == EvaluationQuestion.Kind.RATING:
                field = forms.ChoiceField(choices=RATING_CHOICES,
                                          widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                                          required=question.required, error_messages=messages)
            else:
                field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                    max_length=3000, required=question.required, error_messages=messages)
            field.label = question_text(question)
            field.question = question
            self.fields[answer_field_name(question)] = field

    def answers(self) -> dict[int, int | str | None]:
        answers: dict[int, int | str | None] = {}
        for question in self.questions:
            value = self.cleaned_data.get(answer_field_name(question))
            if question.kind == EvaluationQuestion.Kind.RATING:
                answers[question.pk] = int(value) if value else None
            else:
                answers[question.pk] = value or ""
        return answers

    def describe_errors(self) -> None:
        """Tie each open question's text box to its error message for screen readers (the
        ratings' fieldset is tied to it in the template)."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_error"
