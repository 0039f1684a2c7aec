"""Keeps a half-signed-in session on the two-factor pages.

A session that has given the password but not yet the code (or that must set up a second
factor first) reaches only the code page (or the set-up pages), signing out and static
files; everything else, the admin and the session-authenticated API included, sends it
there. It reads what the session owes from the session alone (noted at sign-in by
``two_factor_note_sign_in``), so a request by someone without a second factor costs no
query. Goes after django-otp's OTPMiddleware, which tells whether the code was given.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from collaboratives.two_factor import (
    SESSION_STATE,
    STATE_SETUP,
    STATE_VERIFY,
    session_state_for,
    two_factor_note_sign_in,
)

# Also connected by CollaborativesConfig.ready() (same dispatch_uid), so that sessions made
# before the first request loaded this middleware are noted too.
user_logged_in.connect(two_factor_note_sign_in, dispatch_uid="collaboratives.two_factor_sign_in")

_OPEN_WHILE = {
    STATE_VERIFY: ("two-factor-verify", "logout"),
    STATE_SETUP: ("two-factor", "two-factor-start", "two-factor-recovery-codes", "logout"),
}
_TARGET = {STATE_VERIFY: "two-factor-verify", STATE_SETUP: "two-factor"}


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owed = self._owed(request)
        if owed is None or self._is_open(request, owed):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Finish signing in first: enter the code from your "
                                             "authenticator app.")}, status=403)
        target = reverse(_TARGET[owed])
        if request.method == "GET" and owed == STATE_VERIFY:
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)

    @staticmethod
    def _owed(request: HttpRequest) -> str | None:
        """STATE_VERIFY or STATE_SETUP when the session still owes it, else None."""
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return None  # nobody signed in: no query, not even for the user
        state = session.get(SESSION_STATE)
        if state is None:
            # Signed in before this was deployed (or before the receiver was connected).
            if not request.user.is_authenticated:
                return None
            state = session[SESSION_STATE] = session_state_for(request.user)
        if state == STATE_VERIFY:
            user = request.user
            return STATE_VERIFY if user.is_authenticated and not user.is_verified() else None
        if state == STATE_SETUP and settings.BSC_REQUIRE_2FA_FOR_LEADERS:
            return STATE_SETUP if request.user.is_authenticated else None
        return None

    @staticmethod
    def _is_open(request: HttpRequest, owed: str) -> bool:
        if request.path.startswith(settings.STATIC_URL):
            return True
        return request.path in {reverse(name) for name in _OPEN_WHILE[owed]}
