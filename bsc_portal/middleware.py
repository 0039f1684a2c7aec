"""Request plumbing that belongs to no one app."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from bsc_portal import throttling
from bsc_portal.security_log import log_security_event

# When the session row was last written, in whole seconds since the epoch (JSON-friendly).
REFRESHED_AT = "_bsc_refreshed_at"
REFRESH_EVERY = datetime.timedelta(minutes=1)


def stamp_session_refresh(session: SessionBase) -> None:
    """Note that the session is being saved now (it must be saved after this)."""
    session[REFRESHED_AT] = int(timezone.now().timestamp())


def stamp_session_at_sign_in(sender: type, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Signing in saves the session, so its idle timeout starts there (connected to
    ``user_logged_in`` by PortalConfig; it also covers test clients' ``force_login``)."""
    stamp_session_refresh(request.session)


class SessionIdleRefreshMiddleware:
    """The idle timeout, with the session row written at most once a minute.

    A session expires ``SESSION_COOKIE_AGE`` (the idle timeout) after it was last saved.
    ``SESSION_SAVE_EVERY_REQUEST`` kept that sliding by writing the row on every request;
    this marks the session modified only when its last save is a minute old or more (or it
    is being saved anyway, e.g. at sign-in), so SessionMiddleware saves it and renews the
    cookie. The expiry then trails the last request by at most a minute: an idle session
    ends between one minute before and exactly the timeout after its last request.

    Goes after SessionMiddleware, so this runs on the response before the session is saved,
    and after the view, so a session just flushed by signing out is left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No session (an anonymous visitor, or one just signed out): don't start one.
        if session is None or session.session_key is None:
            return response
        last = session.get(REFRESHED_AT)  # loads it: an expired session comes back empty
        if session.is_empty():
            return response
        age = int(timezone.now().timestamp()) - last if isinstance(last, int) else None
        # A time ahead of now (clocks of two servers disagree) also refreshes.
        is_due = age is None or not 0 <= age < REFRESH_EVERY.total_seconds()
        if is_due or session.modified:
            stamp_session_refresh(session)
        return response


API_PATH_PREFIX = "/api/"


def _is_signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateNoStoreMiddleware:
    """``Cache-Control: no-store`` on every API answer and every page for a signed-in person.

    Nearly every such page shows private data, and a browser's back button, a shared device
    or a proxy must keep no copy of it. A view that sets Cache-Control itself keeps its own
    (the PDF reports use never_cache, which includes no-store). Static files never get here:
    WhiteNoise answers them first. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and (
            request.path.startswith(API_PATH_PREFIX) or _is_signed_in(request)
        ):
            response["Cache-Control"] = "no-store"
        return response


class SecurityEventLogMiddleware:
    """Logs every permission denial (403) and rate limit (429) to ``bsc_portal.security``,
    without personal data (see bsc_portal.security_log). Sign-ins, failures and lock-outs
    are logged from their signals; a lock-out page is not logged twice."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            log_security_event("permission_denied", request)
        elif response.status_code == 429 and not getattr(request, "axes_locked_out", False):
            log_security_event("rate_limited", request)
        return response


class ApiAuthFailureLimitMiddleware:
    """Refuses API calls from an address with too many failed or missing authentications
    (counted by bsc_portal.throttling.api_exception_handler) with 429, before any credential
    is checked: while the address is over its limit, a right token answers like a wrong one.
    A person signed in by session is let through (a session cookie cannot be guessed), so
    others behind the same address keep working. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PATH_PREFIX) and not _is_signed_in(request):
            wait = throttling.api_auth_failure_wait(request)
            if wait is not None:
                return throttling.api_too_many_failures_response(wait)
        return self.get_response(request)
