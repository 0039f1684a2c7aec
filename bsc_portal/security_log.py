"""Security events (sign-ins, lock-outs, denials, rate limits), logged without personal data.

Every record goes to the ``bsc_portal.security`` logger with an event name, a pseudonym of
the username and one of the client address (the first 12 hex characters of an HMAC keyed by
SECRET_KEY: the same person or address gives the same mark in every record, so an attack can
be followed, but the mark does not reveal who or where), and the path without its query
string. Never the username, email, password or address itself.

The receivers connect when this module is imported: bsc_portal.middleware imports it, and
PortalConfig.ready() imports that, so they are connected once the apps are loaded.
"""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

logger = logging.getLogger("bsc_portal.security")

# URL arguments that are secrets (password reset and invitation links): log the route instead.
_SECRET_URL_ARGUMENTS = frozenset({"token", "uidb64"})


def client_address(request: HttpRequest) -> str:
    """The client's address, one answer for axes, the API throttles and the logs.

    ``X-Forwarded-For`` is believed only as far as ``BSC_TRUSTED_PROXY_COUNT`` proxies of our
    own appended to it: anything further left was written by the client and would let it take
    a new address for every request.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "BSC_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def pseudonym(value: str | None, *, kind: str) -> str:
    """A keyed, truncated hash of a username or address ("-" when there is none)."""
    if not value:
        return "-"
    digest = salted_hmac(f"bsc_portal.security_log.{kind}", value.strip().lower(),
                         algorithm="sha256")
    return digest.hexdigest()[:12]


def _loggable_path(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and _SECRET_URL_ARGUMENTS & set(match.kwargs):
        return "/" + match.route
    return request.path  # never get_full_path(): a query string may carry anything


def _request_username(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return None


def log_security_event(event: str, request: HttpRequest | None, *, username: str | None = None,
                       level: int = logging.WARNING) -> None:
    """Log one security event; ``username`` defaults to the signed-in user's, if any."""
    if request is not None and username is None:
        username = _request_username(request)
    user_ref = pseudonym(username, kind="username")
    address_ref = pseudonym(client_address(request), kind="address") if request is not None else "-"
    path = _loggable_path(request) if request is not None else "-"
    logger.log(level, "%s user=%s address=%s path=%s", event, user_ref, address_ref, path,
               extra={"security_event": event, "user_ref": user_ref,
                      "address_ref": address_ref, "request_path": path})


@receiver(user_logged_in, dispatch_uid="bsc_portal.security_log.signed_in")
def _log_sign_in(sender: type, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    username = user.get_username() if hasattr(user, "get_username") else None
    log_security_event("sign_in_succeeded", request, username=username, level=logging.INFO)


@receiver(user_login_failed, dispatch_uid="bsc_portal.security_log.sign_in_failed")
def _log_sign_in_failure(sender: object, credentials: dict, request: HttpRequest | None = None,
                         **kwargs: object) -> None:
    log_security_event("sign_in_failed", request, username=str(credentials.get("username") or ""))


# axes sends this when an account or address is locked, and on each attempt during the lock.
@receiver(user_locked_out, dispatch_uid="bsc_portal.security_log.locked_out")
def _log_lockout(sender: object, request: HttpRequest | None = None, username: str | None = None,
                 **kwargs: object) -> None:
    log_security_event("sign_in_locked_out", request, username=username or "")
