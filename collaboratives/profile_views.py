"""The profile page: everyone signed in sees and changes their own name, email and which
scheduled emails they get. Nobody else's profile is reachable from here."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from collaboratives.models import NotificationPreferences
from collaboratives.profile import notification_preferences_of, profile_update

_PREFERENCE = NotificationPreferences._meta


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"),
                             help_text=gettext_lazy("Where the portal sends your emails."))
    due_reminders = forms.BooleanField(
        label=gettext_lazy("Email me a reminder before my team's data or report is due"),
        help_text=_PREFERENCE.get_field("due_reminders").help_text, required=False)
    weekly_digest = forms.BooleanField(
        label=gettext_lazy("Email me the weekly digest"),
        help_text=_PREFERENCE.get_field("weekly_digest").help_text, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(gettext_lazy("About you"), "first_name", "last_name", "email"),
            Fieldset(gettext_lazy("Emails"), "due_reminders", "weekly_digest"),
        )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    preferences = notification_preferences_of(user)
    form = ProfileForm(posted(request), initial={
        "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "due_reminders": preferences.due_reminders, "weekly_digest": preferences.weekly_digest,
    })
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})
