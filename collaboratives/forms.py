"""Forms for collaboratives, their timelines and their leaders."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from collaboratives.auth_backends import user_for_email
from collaboratives.models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    Period,
    PrimaryDriver,
    SecondaryDriver,
)
from collaboratives.validators import DATE_MAX, DATE_MIN, validate_date_in_window, validate_one_line

UserModel = get_user_model()


class DateInput(forms.DateInput):
    """A date picker limited to the dates the portal accepts (the form checks them too)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        attrs = {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(), **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _check_dates(form: forms.Form, *names: str) -> None:
    """Dates outside the window are refused on the form itself, with the field named, before
    a service or the database sees them."""
    for name in names:
        form.fields[name].validators.append(validate_date_in_window)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names when the form
    has that field, otherwise above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        if field == NON_FIELD_ERRORS:
            target = None
        form.add_error(target, errors)


class CollaborativeForm(forms.ModelForm):
    class Meta:
        model = Collaborative
        fields = [
            "name", "topic", "state", "status", "start_date", "end_date", "aim_statement",
            "aim_statement_es", "aim_target_date", "data_due_day", "report_due_day",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "aim_target_date": DateInput(),
            "aim_statement": forms.Textarea(attrs={"rows": 4}),
            "aim_statement_es": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _check_dates(self, "start_date", "end_date", "aim_target_date")
        self.fields["name"].validators.append(validate_one_line)
        for name in ("data_due_day", "report_due_day"):
            self.fields[name].required = False  # left empty: keep the current (or default) day

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("data_due_day", "report_due_day"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                ValidationError(_("The end date must not be before the start date."),
                                code="end_before_start"),
            )
        return cleaned


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["kind", "number", "start_date", "end_date", "hours", "location", "agenda", "notes"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            # One item a line: the learning-session page shows them as a numbered list.
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _check_dates(self, "start_date", "end_date")

    def clean(self) -> dict:
        cleaned = super().clean()
        kind, number = cleaned.get("kind"), cleaned.get("number")
        numbered = kind in (Period.Kind.LEARNING_SESSION, Period.Kind.ACTION_PERIOD)
        if numbered and not number:
            self.add_error(
                "number",
                ValidationError(_("Give the number of this %(kind)s, e.g. 1."),
                                code="number_required",
                                params={"kind": Period.Kind(kind).label.lower()}),
            )
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                ValidationError(_("The end date must not be before the start date."),
                                code="end_before_start"),
            )
        return cleaned

    def _post_clean(self) -> None:
        # The service applies the number/hours rules and the timeline before saving;
        # validating the half-built instance here would report the same errors twice.
        return


class PersonForm(forms.Form):
    """Someone to add by email: an existing account is found, a new one is invited."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("New people get an email with a link to set their password."),
    )


class StaffAddForm(PersonForm):
    role = forms.ChoiceField(label=_("Role"), choices=CollaborativeRole.Role.choices)


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (``request.POST or None`` would treat an
    empty POST as no submission and quietly show a fresh form)."""
    return request.POST if request.method == "POST" else None


class _FrameworkItemForm(forms.ModelForm):
    """A driver-diagram item: the view passes its collaborative, the service saves it."""

    def __init__(self, *args: object, collaborative: Collaborative, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.collaborative = collaborative

    def links(self) -> dict:
        """The links to pass to the service, by its argument name."""
        return {}

    def _post_clean(self) -> None:
        # The service checks titles (ignoring case) and links, naming the field; the
        # model's own checks would report a duplicate a second time, above the form.
        return


class PrimaryDriverForm(_FrameworkItemForm):
    class Meta:
        model = PrimaryDriver
        fields = ["title", "description", "title_es", "description_es"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}),
                   "description_es": forms.Textarea(attrs={"rows": 2})}


class _LinkedItemForm(_FrameworkItemForm):
    """An item linked to items of the column before it, offered as checkboxes and limited
    to the same collaborative."""

    link_field = ""
    link_help = ""
    link_required = ""
    link_missing = False

    def __init__(self, *args: object, collaborative: Collaborative, **kwargs: object) -> None:
        super().__init__(*args, collaborative=collaborative, **kwargs)
        field = self.fields[self.link_field]
        field.queryset = field.queryset.filter(collaborative=collaborative).order_by("order", "pk")
        field.help_text = self.link_help
        field.error_messages["required"] = self.link_required
        if not field.queryset.exists():
            # With nothing to tick, the field's error would have nowhere to show.
            self.link_missing = True

    def links(self) -> dict:
        return {self.link_field: list(self.cleaned_data[self.link_field])}


class SecondaryDriverForm(_LinkedItemForm):
    link_field = "primary_drivers"
    link_help = _("Tick every primary driver this secondary driver serves.")
    link_required = _("Link the secondary driver to at least one primary driver.")

    class Meta:
        model = SecondaryDriver
        fields = ["title", "description", "primary_drivers", "title_es", "description_es"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}),
                   "description_es": forms.Textarea(attrs={"rows": 2}),
                   "primary_drivers": forms.CheckboxSelectMultiple}


class ChangeIdeaForm(_LinkedItemForm):
    link_field = "secondary_drivers"
    link_help = _("Tick every secondary driver this change idea serves.")
    link_required = _("Link the change idea to at least one secondary driver.")

    class Meta:
        model = ChangeIdea
        fields = ["title", "description", "secondary_drivers", "title_es", "description_es"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}),
                   "description_es": forms.Textarea(attrs={"rows": 2}),
                   "secondary_drivers": forms.CheckboxSelectMultiple}


# --- Signing in and resetting a password ------------------------------------------------
# (The backend that takes an email or a username is collaboratives.auth_backends.)

# Set on the request by bsc_portal's session middleware when the person's session ended
# because it sat idle longer than SESSION_IDLE_TIMEOUT_MINUTES.
SIGNED_OUT_IDLE_ATTRIBUTE = "session_idle_expired"


def _idle_timeout_text() -> str:
    minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
    if minutes % 60 == 0:
        return ngettext("You were signed out after %(count)d hour without activity.",
                        "You were signed out after %(count)d hours without activity.",
                        minutes // 60) % {"count": minutes // 60}
    return ngettext("You were signed out after %(count)d minute without activity.",
                    "You were signed out after %(count)d minutes without activity.",
                    minutes) % {"count": minutes}


class SignInForm(AuthenticationForm):
    """Django's sign-in form, asking for the email address or the username (either signs in,
    see EmailOrUsernameBackend), and saying so when the person was signed out for being idle."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email or username and password do not match an account. "
                           "Check them and try again, or reset your password."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Email or username")
        # Phones capitalise the first letter and "correct" addresses; a password manager
        # fills this field from the saved "username".
        username.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"})

    def signed_out_idle_message(self) -> str:
        """The sentence the sign-in page shows after an idle sign-out, or ""."""
        if not getattr(self.request, SIGNED_OUT_IDLE_ATTRIBUTE, False):
            return ""
        going_back = self.request.GET.get("next") or self.request.POST.get("next")
        follow = (gettext("Sign in to go back to where you were.") if going_back
                  else gettext("Sign in to carry on."))
        return f"{_idle_timeout_text()} {follow}"

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class PasswordResetByEmailForm(PasswordResetForm):
    """Django's reset form, plainly worded, that also reaches an invited person who never
    set a password (Django's skips accounts with an unusable password): someone who lost
    the invitation can still choose one. Inactive accounts still get nothing, and the page
    answers the same whether or not the address is known."""

    email = forms.EmailField(
        label=_("Email address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none",
                                       "spellcheck": "false"}),
    )

    def get_users(self, email: str) -> Iterator[AbstractBaseUser]:
        email_field = UserModel.get_email_field_name()
        users = UserModel._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        # As Django does: the database's case-insensitive match may pair characters that
        # differ (a dotless i and an i); only a true Unicode case-insensitive match counts.
        typed = unicodedata.normalize("NFKC", email).casefold()
        return (user for user in users
                if unicodedata.normalize("NFKC", getattr(user, email_field)).casefold() == typed)

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict,
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None,
                  ) -> None:
        # The email says how to sign in afterwards: with the address, unless older data
        # gave it to two accounts (then only the username works).
        user = context["user"]
        context["email_signs_in"] = user_for_email(to_email) == user
        super().send_mail(subject_template_name, email_template_name, context, from_email,
                          to_email, html_email_template_name)
