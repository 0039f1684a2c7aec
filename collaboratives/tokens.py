"""API tokens: a person makes named keys on their profile (or a site administrator with
``manage.py create_api_token``), each expires after at most ``API_TOKEN_DAYS`` days, and
any can be revoked. A password change or reset and deactivation revoke them all
(``collaboratives.signals``).

The key is shown once and only its SHA-256 is kept, so neither the database nor the
profile page can give it away again."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from collaboratives.models import ApiToken

# A person rarely needs more than a few; a cap keeps a leaked session from minting hundreds.
TOKENS_PER_PERSON = 20
# last_used is written at most this often, so a busy script does not write on every call.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
# A prefix makes a leaked key easy to recognise (secret scanners, logs) and can never be
# mistaken for an old rest_framework.authtoken key (40 hex digits).
KEY_PREFIX = "bsc_"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_days_max() -> int:
    return settings.API_TOKEN_DAYS


def api_tokens_of(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The person's tokens, newest first, the expired ones included (until revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str,
                     days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token named ``name`` for ``user``, valid ``days`` days (default and maximum
    ``API_TOKEN_DAYS``). Returns the token and its key: the only time the key exists."""
    days = api_token_days_max() if days is None else days
    if not 1 <= days <= api_token_days_max():
        raise ValidationError({"days": ValidationError(
            _("Choose from 1 to %(max)d days.") % {"max": api_token_days_max()},
            code="days_out_of_range")})
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")
    # Lock the person's row so two requests cannot both pass the cap.
    get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).count() >= TOKENS_PER_PERSON:
        raise ValidationError(
            _("You have %(count)d tokens, the most one person may have. Revoke one you no "
              "longer use first.") % {"count": TOKENS_PER_PERSON}, code="too_many")
    name = name.strip()
    if ApiToken.objects.filter(user=user, name=name).exists():
        raise ValidationError({"name": ValidationError(
            _("You already have a token with this name."), code="name_taken")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(user=user, name=name, key_hash=key_hash(key), created=now,
                     expires=now + datetime.timedelta(days=days))
    token.full_clean(exclude=["key_hash"])
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens; anyone else's is a 404 (Http404)."""
    token = get_object_or_404(ApiToken.objects.select_for_update(), pk=token_id, user=user)
    token.delete()
    return token


def api_tokens_revoke_all(*, user: AbstractBaseUser) -> int:
    """Revoke every token of the person; returns how many there were."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    return deleted


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, checked against the stored hashes.

    An unknown, expired or revoked key, or one of a deactivated person, gets the same 401
    (with ``WWW-Authenticate: Token``), so the answer says nothing about which it was."""

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, ApiToken]:
        now = timezone.now()
        token = (ApiToken.objects.select_related("user")
                 .filter(key_hash=key_hash(key), expires__gt=now).first())
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token
