"""Forms for learning-session attendance, sign-in sheets and affinity groups.

The attendance forms have two fields a person (``attended-<id>``, ``hours-<id>``) and are
drawn by hand in the templates as a table; the form only reads and checks them, so every
row's problem is named at that row and nothing is saved while any row is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collaboratives.forms import DateInput
from collaboratives.models import Collaborative
from teams import participation
from teams.models import AffinityGroup, AffinityMeeting
from teams.participation import AttendanceRow, Person

MAX_UPLOAD_BYTES = participation.MAX_BYTES


@dataclass(frozen=True)
class PersonRow:
    """One line of an attendance table as the template draws it."""

    person: Person
    attended: bool
    hours: str
    error: str


class AttendanceFieldsMixin:
    """Adds an "attended" box and an hours field for each of ``people``; ``recorded`` are
    the hours already recorded (ticked, with their hours), ``default_hours`` fills the
    hours of everyone else."""

    people: Sequence[Person]

    def add_attendance_fields(self, people: Sequence[Person], recorded: dict[int, Decimal],
                              default_hours: Decimal | None, *, blank_hours: Decimal | None = None) -> None:
        """``blank_hours``: recorded hours shown empty (a meeting's length, so that changing
        the length changes everyone who stayed throughout)."""
        self.people = people
        default = _hours_text(default_hours)
        for person in people:
            hours = recorded.get(person.user_id)
            self.fields[f"attended-{person.user_id}"] = forms.BooleanField(
                required=False, initial=hours is not None,
                label=_("%(name)s attended") % {"name": person.name})
            self.fields[f"hours-{person.user_id}"] = forms.CharField(
                required=False, max_length=10,
                initial=default if hours is None or hours == blank_hours else _hours_text(hours),
                label=_("Hours for %(name)s") % {"name": person.name})

    def attendance_rows(self, default_hours: Decimal | None) -> list[AttendanceRow]:
        """Read every person's row (call from ``clean``); a problem goes on the row's hours."""
        rows = []
        for person in self.people:
            field = f"hours-{person.user_id}"
            if field not in self.data:
                continue  # not on the screen that was posted (a list that changed since): untouched
            attended = bool(self.cleaned_data.get(f"attended-{person.user_id}"))
            if not attended:
                rows.append(AttendanceRow(person.user_id, False))
                continue  # hours of someone not ticked mean nothing: not worth an error
            try:
                hours = participation.hours_parse(self.cleaned_data.get(field))
            except ValidationError as error:
                self.add_error(field, error)
                continue
            if hours is None and default_hours is None:
                self.add_error(field, ValidationError(_("Give the hours %(name)s attended."),
                                                      code="required", params={"name": person.name}))
                continue
            rows.append(AttendanceRow(person.user_id, True, hours))
        return rows

    def person_rows(self) -> list[PersonRow]:
        """The table, as posted (with each row's error) or as recorded."""
        rows = []
        for person in self.people:
            attended = self[f"attended-{person.user_id}"]
            hours = self[f"hours-{person.user_id}"]
            errors = self.errors.get(f"hours-{person.user_id}") if self.is_bound else None
            rows.append(PersonRow(person, bool(attended.value()), hours.value() or "",
                                  " ".join(errors) if errors else ""))
        return rows

    def problem_count(self) -> int:
        return sum(1 for name in self.errors if name.startswith("hours-"))


class SessionAttendanceForm(AttendanceFieldsMixin, forms.Form):
    def __init__(self, *args: Any, people: Sequence[Person], recorded: dict[int, Decimal],
                 default_hours: Decimal | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_hours = default_hours
        self.add_attendance_fields(people, recorded, default_hours)

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["rows"] = self.attendance_rows(self.default_hours)
        if self.people and not cleaned["rows"] and not self.errors:
            # An empty post is a broken form, not "nobody came": removing everyone's
            # attendance takes unticking them.
            raise ValidationError(_("The form came back empty; nothing was saved."), code="empty")
        return cleaned


def marked(data: Any, people: Sequence[Person], default_hours: Decimal | None) -> Any:
    """The posted data with every one of ``people`` ticked (the "everyone on this team"
    button, which works without JavaScript); empty hours get the default."""
    data = data.copy()
    for person in people:
        data[f"attended-{person.user_id}"] = "on"
        if not (data.get(f"hours-{person.user_id}") or "").strip():
            data[f"hours-{person.user_id}"] = _hours_text(default_hours)
    return data


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Sign-in sheet (CSV)"),
        help_text=_("Columns: email (or username) and hours; the first line names them. "
                    "Hours left empty are the session's length."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."), code="too_large")
        return upload


class AffinityGroupForm(forms.ModelForm):
    class Meta:
        model = AffinityGroup
        fields = ["name", "role", "coach", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, collaborative: Collaborative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = participation.collaborative_leaders(collaborative)
        self.fields["coach"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.fields["coach"].help_text = _("One of the collaborative's leaders.")

    def _post_clean(self) -> None:
        # The service checks the name (ignoring case) and the coach, naming the field.
        return


class AffinityMeetingForm(AttendanceFieldsMixin, forms.ModelForm):
    class Meta:
        model = AffinityMeeting
        fields = ["date", "hours", "topic", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, people: Sequence[Person], recorded: dict[int, Decimal],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Empty hours: the meeting's length, whatever it is changed to.
        self.add_attendance_fields(people, recorded, None, blank_hours=self.instance.hours)

    def meeting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self._meta.fields]

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["attendance"] = self.attendance_rows(cleaned.get("hours") or Decimal(1))
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the meeting; the model's checks would repeat its errors.
        return


def _hours_text(hours: Decimal | None) -> str:
    return "" if hours is None else f"{hours.normalize():f}"
