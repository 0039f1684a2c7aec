"""Request plumbing that belongs to no one app."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

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


# When a signed-in session was last refreshed, kept in a cookie of its own: the session is
# gone once it expires, and this is how the sign-in page tells a person signed out for being
# idle from a first visit. Not secret (a time); a changed value only changes that message.
LAST_ACTIVE_COOKIE = "bsc_last_active"
LAST_ACTIVE_COOKIE_AGE = int(datetime.timedelta(days=30).total_seconds())
# The request attribute that says so (read by collaboratives.forms.SignInForm).
IDLE_SIGNED_OUT = "session_idle_expired"


def _signed_out_for_idleness(request: HttpRequest) -> bool:
    """Whether this request comes from someone whose signed-in session timed out: the
    cookie says they were active, no user is signed in, and the idle timeout has passed
    since (a session ended otherwise, e.g. from another device, is not called idle)."""
    try:
        last_active = int(request.COOKIES[LAST_ACTIVE_COOKIE])
    except (KeyError, ValueError):
        return False
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY in session:
        return False
    idle = int(timezone.now().timestamp()) - last_active
    return idle >= settings.SESSION_COOKIE_AGE - REFRESH_EVERY.total_seconds()


def _is_sign_in_redirect(response: HttpResponse) -> bool:
    return (response.status_code in (301, 302, 303)
            and urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL))


def _back_to_the_page(request: HttpRequest, response: HttpResponse) -> None:
    """A form sent after the session expired cannot be replayed, and its URL may take only
    POST: after signing in, go back to the page the form was on (the Referer, when it is
    one of ours; browsers send it to the same origin). Without one, Django's ``next`` (the
    URL posted to) stays."""
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return
    page, location = urlsplit(referer), urlsplit(response["Location"])
    if page.path == location.path:
        return
    query = QueryDict(location.query, mutable=True)
    query["next"] = page.path + (f"?{page.query}" if page.query else "")
    response["Location"] = f"{location.path}?{query.urlencode(safe='/')}"


class SessionIdleRefreshMiddleware:
    """The idle timeout, with the session row written at most once a minute.

    A session expires ``SESSION_COOKIE_AGE`` (the idle timeout) after it was last saved.
    ``SESSION_SAVE_EVERY_REQUEST`` kept that sliding by writing the row on every request;
    this marks the session modified only when its last save is a minute old or more (or it
    is being saved anyway, e.g. at sign-in), so SessionMiddleware saves it and renews the
    cookie. The expiry then trails the last request by at most a minute: an idle session
    ends between one minute before and exactly the timeout after its last request.

    Goes after SessionMiddleware, so this runs on the response before the session is saved,
    and after the view, so a session just flushed by signing out is left alone.

    It also keeps the LAST_ACTIVE_COOKIE, so that someone signed out for being idle is told
    so on the sign-in page (``request.session_idle_expired``) and, when the request that
    found them signed out was a form sent with POST, goes back to that form's page after
    signing in instead of to a URL that answers only POST."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        had_marker = LAST_ACTIVE_COOKIE in request.COOKIES
        idle_signed_out = had_marker and _signed_out_for_idleness(request)
        if idle_signed_out:
            setattr(request, IDLE_SIGNED_OUT, True)
        response = self.get_response(request)
        session = getattr(request, "session", None)
        signed_in = session is not None and session.session_key is not None and SESSION_KEY in session
        if not signed_in:
            if request.method not in ("GET", "HEAD") and _is_sign_in_redirect(response):
                _back_to_the_page(request, response)
            # Signed out on purpose (or ended elsewhere): no idle message later.
            if had_marker and not idle_signed_out:
                response.delete_cookie(LAST_ACTIVE_COOKIE, samesite="Lax")
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
            if signed_in:
                response.set_cookie(
                    LAST_ACTIVE_COOKIE, str(session[REFRESHED_AT]), max_age=LAST_ACTIVE_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
                )
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
