"""Rate limits: the API's throttles, failed API authentication per address, sign-in lock-out.

API (settings REST_FRAMEWORK): a signed-in caller has a burst rate and a sustained rate, keyed
by user; an anonymous caller a strict rate keyed by address. DRF authenticates before it
throttles, so a bad token never reaches a throttle: ``api_exception_handler`` counts every
failed or missing authentication per address in the cache, whichever authentication classes
are configured, and ``ApiAuthFailureLimitMiddleware`` (bsc_portal.middleware) refuses further
calls from that address with 429 *before* any credential is checked, so a guess that happens
to be right is not told apart from one that is wrong.

Sign-in (axes): the lock per username and address stays; ``SignInLimitHandler`` adds a lock
per address on failures across all usernames (``SIGN_IN_ADDRESS_FAILURE_LIMIT`` within the
cool-off), which axes cannot express with its single failure limit.
"""

from __future__ import annotations

import datetime
import math
import time

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from bsc_portal.security_log import client_address, pseudonym

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
AUTH_FAILURE_SCOPE = "auth_failure"
TOO_MANY_AUTH_FAILURES = _("Too many requests without valid credentials from your address.")


def _rate(scope: str) -> str | None:
    # Read at call time, not at import as DRF's THROTTLE_RATES is, so settings overrides apply.
    try:
        return api_settings.DEFAULT_THROTTLE_RATES[scope]
    except KeyError:
        raise ImproperlyConfigured(f"REST_FRAMEWORK DEFAULT_THROTTLE_RATES has no {scope!r}.") from None


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _sep, period = rate.partition("/")
    return int(count), _PERIODS[period[0]]


class _ClientAddressMixin:
    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_ident(self, request: HttpRequest) -> str:
        # DRF's own reading believes any X-Forwarded-For; ours trusts only our proxies.
        return pseudonym(client_address(request), kind="address")


class AnonymousAddressThrottle(_ClientAddressMixin, AnonRateThrottle):
    """Calls without credentials to endpoints that allow them, per address (scope ``anon``)."""


class UserBurstThrottle(_ClientAddressMixin, UserRateThrottle):
    """A signed-in caller's short-term rate (scope ``user_burst``); anonymous calls: see above."""

    scope = "user_burst"

    def get_cache_key(self, request: HttpRequest, view: object) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class UserSustainedThrottle(UserBurstThrottle):
    """A signed-in caller's hourly rate (scope ``user``)."""

    scope = "user"


# --- Failed API authentication, per address -------------------------------------------

def _auth_failure_keys(request: HttpRequest) -> tuple[str, str]:
    key = "bsc:api-auth-failures:" + pseudonym(client_address(request), kind="address")
    return key, key + ":opened"


def api_auth_failure_wait(request: HttpRequest) -> int | None:
    """Seconds until this address may call the API without a session again, or None."""
    rate = _rate(AUTH_FAILURE_SCOPE)
    if rate is None:
        return None
    limit, window = _parse_rate(rate)
    count_key, opened_key = _auth_failure_keys(request)
    counts = cache.get_many([count_key, opened_key])
    if counts.get(count_key, 0) < limit:
        return None
    opened = counts.get(opened_key, time.time())
    return max(1, math.ceil(opened + window - time.time()))


def api_auth_failure_record(request: HttpRequest) -> int | None:
    """Count one failed or missing authentication from this address; the seconds to wait once
    the address is over its limit, else None. A fixed window opens at the first failure."""
    rate = _rate(AUTH_FAILURE_SCOPE)
    if rate is None:
        return None
    limit, window = _parse_rate(rate)
    count_key, opened_key = _auth_failure_keys(request)
    now = time.time()
    cache.add(opened_key, now, window)
    cache.add(count_key, 0, window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # the window closed between add and incr
        cache.set_many({count_key: 1, opened_key: now}, window)
        count = 1
    if count <= limit:
        return None
    opened = cache.get(opened_key, now)
    return max(1, math.ceil(opened + window - now))


def api_too_many_failures_response(wait: int) -> HttpResponse:
    """The 429 the middleware answers before DRF runs: the same JSON shape as DRF's own."""
    detail = str(Throttled(wait=wait, detail=str(TOO_MANY_AUTH_FAILURES)).detail)
    return JsonResponse({"detail": detail}, status=429, headers={"Retry-After": str(wait)})


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, counting failed and missing authentication per address (429 once over)."""
    # Imported here: rest_framework.views reads the throttle classes, in this module, at import.
    from rest_framework.views import exception_handler

    request = context.get("request")
    if request is not None and isinstance(exc, AuthenticationFailed | NotAuthenticated):
        wait = api_auth_failure_record(request)
        if wait is not None:
            exc = Throttled(wait=wait, detail=str(TOO_MANY_AUTH_FAILURES))
    return exception_handler(exc, context)


# --- Sign-in lock-out (axes) ----------------------------------------------------------

def _address_attempts(request: HttpRequest) -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(ip_address=request.axes_ip_address,
                                        attempt_time__gte=get_cool_off_threshold(request))


def _address_is_locked(request: HttpRequest) -> bool:
    failures = _address_attempts(request).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT


class SignInLimitHandler(AxesDatabaseHandler):
    """axes' database handler with a second, larger limit per address across usernames.

    axes compares the largest count of its lockout parameters with one failure limit; an
    address over its own limit reports at least that limit, so axes locks it out wherever it
    checks (before authenticating and after each failure)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if _address_is_locked(request):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def _unlocks_at(request: HttpRequest, credentials: dict | None, address_locked: bool) -> datetime.datetime:
    # Failures during a lock are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
    # is off), so the lock ends one cool-off after the last failure that counts; for an
    # address, after its latest one (never too early).
    attempts = _address_attempts(request)
    if not address_locked:
        attempts = attempts.filter(username=get_client_username(request, credentials))
    last = attempts.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    return max(last + get_cool_off(request), timezone.now())


def sign_in_locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
                       credentials: dict | None = None) -> HttpResponse:
    """The lock-out page (AXES_LOCKOUT_CALLABLE): 429, with when to try again."""
    address_locked = _address_is_locked(request)
    unlocks_at = _unlocks_at(request, credentials, address_locked)
    wait = max(1, math.ceil((unlocks_at - timezone.now()).total_seconds()))
    context = {"unlocks_at": unlocks_at, "minutes": math.ceil(wait / 60),
               "address_locked": address_locked}
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    response["Retry-After"] = str(wait)
    return response
