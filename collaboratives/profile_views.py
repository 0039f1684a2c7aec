"""The profile page: everyone signed in sees and changes their own name, email and which
scheduled emails they get, and makes and revokes their own API tokens. Nobody else's
profile or tokens are reachable from here.

Sections, in order: details and email preferences (one form), then API tokens; each
section is its own form posting to its own URL, so another can be added without touching
these."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from collaboratives.forms import add_service_errors, posted
from collaboratives.language import language_cookie_set, remember_in_session
from collaboratives.models import ApiToken, NotificationPreferences
from collaboratives.profile import notification_preferences_of, profile_update
from collaboratives.tokens import (
    api_token_create,
    api_token_days_max,
    api_token_revoke,
    api_tokens_of,
)

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
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the portal and your emails"), required=False,
        choices=[("", gettext_lazy("My browser's language")), *settings.LANGUAGES],
        widget=forms.RadioSelect)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(gettext_lazy("About you"), "first_name", "last_name", "email"),
            Fieldset(gettext_lazy("Language"), "language"),
            Fieldset(gettext_lazy("Emails"), "due_reminders", "weekly_digest"),
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=ApiToken._meta.get_field("name").help_text)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        most = api_token_days_max()  # a setting: read per form, not at import
        self.fields["days"] = forms.IntegerField(
            label=gettext_lazy("Expires after (days)"), min_value=1, max_value=most,
            initial=most, help_text=_("From 1 to %(max)d days.") % {"max": most})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has it


def _profile_form(request: HttpRequest, *, bound: bool) -> ProfileForm:
    user = request.user
    preferences = notification_preferences_of(user)
    return ProfileForm(posted(request) if bound else None, initial={
        "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "due_reminders": preferences.due_reminders, "weekly_digest": preferences.weekly_digest,
        "language": preferences.language,
    })


def _profile_page(request: HttpRequest, *, form: ProfileForm | None = None,
                  token_form: ApiTokenForm | None = None, new_key: str = "",
                  new_token: ApiToken | None = None) -> HttpResponse:
    """The page with every section; a section that was just posted brings its own form."""
    return render(request, "accounts/profile.html", {
        "form": form or _profile_form(request, bound=False),
        "token_form": token_form or ApiTokenForm(),
        "api_tokens": api_tokens_of(request.user),
        "new_key": new_key, "new_token": new_token,
    })


# Every answer here is private, and one of them carries a key: never stored by a cache.
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = _profile_form(request, bound=True)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # This session follows the new choice at once ("" goes back to the browser's).
            language = form.cleaned_data["language"]
            remember_in_session(request, language)
            if language:
                translation.activate(language)
            messages.success(request, _("Your profile is saved."))
            response = redirect("profile")
            language_cookie_set(response, language)
            return response
    return _profile_page(request, form=form)


@never_cache
@login_required
@require_POST
def profile_token_create(request: HttpRequest) -> HttpResponse:
    """Make a token and show its key on this answer only: not through a redirect, so the
    key is never kept in a message, the session or a URL."""
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            token, key = api_token_create(user=request.user, **token_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(token_form, exc)
        else:
            return _profile_page(request, new_key=key, new_token=token)
    return _profile_page(request, token_form=token_form)


@never_cache
@login_required
@require_POST
def profile_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(user=request.user, token_id=token_id)  # another's: 404
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.")
                     % {"name": token.name})
    return redirect("profile")
