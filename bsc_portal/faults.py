"""What the portal does when a service it leans on goes away for a while.

- Redis (the cache) down: ``TolerantRedisCache`` answers as an empty cache, so pages are
  computed afresh (slower) instead of failing; see its docstring for why it empties the
  cache once Redis answers again. Celery tasks due meanwhile wait in the outbox
  (``collaboratives.outbox``).
- PostgreSQL restarted: ``DatabaseUnavailableMiddleware`` turns the request that lost its
  connection into a friendly 503 with ``Retry-After``; ``CONN_HEALTH_CHECKS`` makes the next
  request open a new connection, so the portal recovers without a restart.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
MESSAGE = _("The portal lost its database for a moment; try again.")

# --- The cache -------------------------------------------------------------------------------

_state = threading.Lock()
_missed_write = False  # a write was lost while Redis was unreachable (this process)
_last_warning = 0.0


class TolerantRedisCache(RedisCache):
    """Django's Redis cache that treats an unreachable Redis as an empty cache: reads miss,
    writes are dropped, and a warning is logged (at most once a minute).

    A dropped write may be an invalidation (``measures.aggregates.forget_measure`` bumps a
    version key), so if Redis was only unreachable and comes back with its data, an entry
    could be stale. Hence the first call that reaches Redis again after a lost write empties
    the cache (its own Redis database: never the broker's queue). A process that dies before
    that leaves such entries to expire on their own (a day at most)."""

    def _tolerant(self, default: Any, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        global _missed_write
        try:
            if _missed_write:
                self._recover()
            return method(*args, **kwargs)
        except REDIS_DOWN as exc:
            if method.__name__ not in ("get", "get_many", "has_key"):
                _missed_write = True
            _warn(exc)
            return default

    def _recover(self) -> None:
        global _missed_write
        super().clear()  # raises again while Redis is still away
        with _state:
            _missed_write = False
        logger.warning("cache: Redis is back; emptied the cache after writes were lost")

    # Django's own signatures, untyped as in its base class.
    def add(self, key, value, timeout=None, version=None):
        return self._tolerant(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._tolerant(default, super().get, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._tolerant(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._tolerant(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._tolerant(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._tolerant({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._tolerant(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # As if the counter started afresh: a rate limit counts from zero while Redis is away.
        return self._tolerant(delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=None, version=None):
        return self._tolerant(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._tolerant(None, super().delete_many, keys, version)

    def clear(self):
        return self._tolerant(False, super().clear)


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    with _state:
        if now - _last_warning < 60:
            return
        _last_warning = now
    logger.warning("cache: Redis unreachable (%s); serving without the cache", type(exc).__name__)


# --- The database ----------------------------------------------------------------------------

class DatabaseUnavailableMiddleware:
    """A request whose database connection broke (PostgreSQL restarted, failed over, or was
    unreachable for a moment) gets a short 503 page with ``Retry-After`` instead of a 500.
    Django closes a broken connection at the end of the request, and ``CONN_HEALTH_CHECKS``
    checks a kept one before reuse, so the next request connects afresh. Errors raised in
    other middleware (the session, the user) never reach ``process_exception``; the 500
    handler, ``server_error``, answers those the same way."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_DOWN):
            return None
        return database_unavailable(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the friendly 503 when the error was the database going away, else
    Django's own 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable(request, exception)
    return defaults.server_error(request)


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    logger.warning("database unavailable during %s %s (%s)", request.method, request.path,
                   type(exception).__name__)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": str(MESSAGE)}, status=503)
    else:
        # No request context: the page must render without the database (no user, no
        # navigation, no session).
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
