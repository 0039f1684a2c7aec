"""Account pages that belong with the invitation flow of this layer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collaboratives.auth_backends import user_for_email


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person sets their password, then lands on their home page signed in.
    The page says what they will sign in with next time: their email address."""

    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    # The backend that signs in by email or username (settings AUTHENTICATION_BACKENDS):
    # the session keeps its path, and a path that is not configured signs the person out.
    post_reset_login_backend = "collaboratives.auth_backends.EmailOrUsernameBackend"
    success_url = reverse_lazy("home")
    title = gettext_lazy("Welcome to BSC Portal")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context.get("validlink"):
            email = self.user.email
            # Older data may give one address to two accounts; then only the username works.
            context["sign_in_email"] = email if email and user_for_email(email) == self.user else ""
            context["sign_in_username"] = self.user.get_username()
        return context

    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password is set. Welcome!"))
        return super().form_valid(form)
