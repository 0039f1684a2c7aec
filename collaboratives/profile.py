"""A person's own account: their name, email and which scheduled emails they want, the
longest password they may choose, and ending their sessions. Reads and writes in one small
module; the page is in ``profile_views``, API tokens in ``tokens``."""

from __future__ import annotations

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collaboratives.models import NotificationPreferences

UserModel = get_user_model()
logger = logging.getLogger(__name__)


def notification_preferences_of(user: AbstractBaseUser) -> NotificationPreferences:
    """The person's preferences; the defaults (unsaved) if they never saved any."""
    preferences = NotificationPreferences.objects.filter(user=user).first()
    return preferences or NotificationPreferences(user=user)


@transaction.atomic
def profile_update(*, user: AbstractBaseUser, first_name: str, last_name: str, email: str,
                   due_reminders: bool, weekly_digest: bool, language: str = "") -> NotificationPreferences:
    """Save the person's name, email and email preferences (creating the preferences row
    the first time). An email already used by another account is refused: invitations find
    people by their email."""
    email = UserModel.objects.normalize_email(email).strip()
    if UserModel.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": ValidationError(
            _("Another account uses this email. Ask your improvement advisor for help."),
            code="email_taken")})
    # A fresh row, so a refusal leaves the caller's user object (the request's) as it was.
    person = UserModel.objects.select_for_update().get(pk=user.pk)
    person.first_name, person.last_name, person.email = first_name.strip(), last_name.strip(), email
    person.full_clean(exclude=["password"])
    person.save(update_fields=["first_name", "last_name", "email"])
    preferences = (NotificationPreferences.objects.select_for_update().filter(user=person).first()
                   or NotificationPreferences(user=person))
    preferences.due_reminders, preferences.weekly_digest = due_reminders, weekly_digest
    preferences.language = language
    preferences.full_clean()
    preferences.save()
    return preferences


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters (OWASP ASVS 2.1.2: at least 64
    allowed, more than 128 refused). Django itself has no maximum; this one keeps a
    pasted-in megabyte from being hashed, and is far above any passphrase a person types."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext("This password is too long. It must contain at most %(max_length)d "
                         "character.",
                         "This password is too long. It must contain at most %(max_length)d "
                         "characters.", self.max_length),
                code="password_too_long", params={"max_length": self.max_length})

    def get_help_text(self) -> str:
        return ngettext("A long passphrase is welcome, up to %(max_length)d character.",
                        "A long passphrase is welcome, up to %(max_length)d characters.",
                        self.max_length) % {"max_length": self.max_length}


def user_sessions_end(*, user: AbstractBaseUser) -> int:
    """Sign the person out everywhere: delete every stored session that belongs to them.
    Returns how many were ended.

    Sessions are kept in the database (``SESSION_ENGINE``) with no column for the user, so
    the live ones are read and decoded; this runs on rare events (deactivation), not per
    request. A cache-only engine cannot be listed: there the sessions are left to expire,
    and Django refuses them anyway, since it signs in no inactive person."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        logger.warning("Sessions of user %s not ended: %s cannot list its sessions.",
                       user.pk, settings.SESSION_ENGINE)
        return 0
    user_id = user._meta.pk.value_to_string(user)
    ended = 0
    live = (store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
            .only("session_key", "session_data").iterator(chunk_size=2000))
    decoder = store_class()
    for session in live:
        if decoder.decode(session.session_data).get(SESSION_KEY) == user_id:
            # Through the store, so a cached_db engine also forgets its cached copy.
            store_class(session.session_key).delete()
            ended += 1
    return ended
