"""A person's own profile: their name, email and which scheduled emails they want.
Reads and writes in one small module; the page is in ``profile_views``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collaboratives.models import NotificationPreferences

UserModel = get_user_model()


def notification_preferences_of(user: AbstractBaseUser) -> NotificationPreferences:
    """The person's preferences; the defaults (unsaved) if they never saved any."""
    preferences = NotificationPreferences.objects.filter(user=user).first()
    return preferences or NotificationPreferences(user=user)


@transaction.atomic
def profile_update(*, user: AbstractBaseUser, first_name: str, last_name: str, email: str,
                   due_reminders: bool, weekly_digest: bool) -> NotificationPreferences:
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
    preferences.full_clean()
    preferences.save()
    return preferences
