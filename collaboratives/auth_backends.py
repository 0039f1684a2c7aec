"""Sign in with the email address or the username.

An invited person never chose a username (the portal made one up from the email), so the
sign-in form takes either. The email is matched case-insensitively, the username exactly
(as Django does). Emails are unique per account by the profile rules, but older data may
hold two active accounts with one email: then the email names nobody and only each
username signs in, so a password can never open the wrong account.

django-axes counts failures per typed "username"; ``axes_username`` (AXES_USERNAME_CALLABLE)
makes the email and the username of one account one counter, so five wrong tries with each
do not give ten.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

UserModel = get_user_model()

# Where a request keeps what axes_username found, so the lookups axes repeats within one
# sign-in (lock check, failure record, lock-out page) cost one query.
_REQUEST_CACHE = "_bsc_sign_in_names"


def user_for_email(email: str) -> AbstractBaseUser | None:
    """The one active account with this email (any case), or None when none or several have it."""
    email_field = UserModel.get_email_field_name()
    matches = list(
        UserModel._default_manager.filter(**{f"{email_field}__iexact": email.strip(), "is_active": True})[:2]
    )
    return matches[0] if len(matches) == 1 else None


def user_for_sign_in(name: str) -> AbstractBaseUser | None:
    """The account a typed "email or username" names: an email first (it holds an @), else
    the username exactly. None when it names nobody."""
    name = name.strip()
    if "@" in name:
        user = user_for_email(name)
        if user is not None:
            return user
    try:
        return UserModel._default_manager.get_by_natural_key(name)
    except UserModel.DoesNotExist:
        return None


class EmailOrUsernameBackend(ModelBackend):
    """ModelBackend that also takes the account's email address in the username field."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> AbstractBaseUser | None:
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_for_sign_in(username)
        if user is None:
            # Run the hasher once, as ModelBackend does, so an unknown name takes as long as
            # a known one with a wrong password (no directory of accounts by timing).
            UserModel().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    async def aauthenticate(self, request: HttpRequest | None, username: str | None = None,
                            password: str | None = None, **kwargs: Any) -> AbstractBaseUser | None:
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The name axes counts failures under (AXES_USERNAME_CALLABLE): the account's username
    for an email that names one account, otherwise what was typed; lower-cased either way,
    so "Rosa@Example.org", "rosa@example.org" and "rosa.diaz" are one person."""
    typed = None
    if credentials:
        typed = credentials.get("username")
    elif request is not None:
        typed = getattr(request, "data", request.POST).get("username")
    if not typed or not isinstance(typed, str):
        return typed
    typed = typed.strip()
    cache: dict[str, str] = {}
    if request is not None:
        cache = request.__dict__.setdefault(_REQUEST_CACHE, {})
    if typed not in cache:
        user = user_for_email(typed) if "@" in typed else None
        cache[typed] = (user.get_username() if user is not None else typed).lower()
    return cache[typed]
