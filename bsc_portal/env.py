"""Strict parsing of environment variables: a bad value stops start-up with a clear message."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and not raw.startswith(tuple(f"{scheme}://" for scheme in schemes)):
        allowed = ", ".join(f"{scheme}://" for scheme in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of: {allowed}")
    return raw


def redis_sibling_db(url: str, step: int = 1) -> str:
    """The same Redis server, ``step`` database numbers on (``redis://h:6379/0`` → ``/1``);
    empty for an empty URL."""
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    number = (int(path) if path.isdigit() else 0) + step
    return urlunsplit(parts._replace(path=f"/{number}"))


def is_loopback_host(host: str) -> bool:
    """Whether an ALLOWED_HOSTS entry names only this machine: ``localhost`` (and its
    subdomains), a loopback address, or Django's test client host. ``*`` does not."""
    name = host.strip().lower().rstrip(".")
    if name in {"localhost", "testserver"} or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False
