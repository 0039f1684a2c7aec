"""Account pages that belong with the invitation flow of this layer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person sets their password, then lands on their home page signed in."""

    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")
    title = gettext_lazy("Welcome to BSC Portal")

    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password is set. Welcome!"))
        return super().form_valid(form)
