"""What a change to a person's account ends, wherever the change is made (the password
pages, the admin, ``manage.py changepassword``, a shell): a new password or deactivation
revokes every API token, and deactivation also ends every session. Connected to the
user model's saves by ``CollaborativesConfig.ready``.

A new password ends the person's other sessions by itself: Django ties a session to a
hash of the password, and the password change page keeps only the session that made it
(``update_session_auth_hash``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from collaboratives.profile import user_sessions_end
from collaboratives.tokens import api_tokens_revoke_all

_WATCHED = {"password", "is_active"}
_ENDS = "_bsc_account_ends"  # what the save ends, noted before it and acted on after it


def account_changes_noted(sender: type, instance: AbstractBaseUser, raw: bool = False,
                          update_fields: frozenset[str] | None = None, **kwargs: object) -> None:
    """pre_save: compare the password and is_active with the stored row."""
    setattr(instance, _ENDS, None)
    if raw or instance.pk is None or (update_fields is not None and not _WATCHED & update_fields):
        return
    # set_password() keeps the new password in _password until the save: no need to look.
    if getattr(instance, "_password", None) is not None and instance.is_active:
        setattr(instance, _ENDS, "tokens")
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    deactivated = stored["is_active"] and not instance.is_active
    # Signing in with a password hashed by an older hasher re-hashes it (a new hash, the
    # same password, saved with update_fields={"password"}): that is not a new password.
    new_password = stored["password"] != instance.password and (
        getattr(instance, "_password", None) is not None or update_fields != {"password"})
    if deactivated or new_password:
        setattr(instance, _ENDS, "everything" if deactivated else "tokens")


def account_changes_applied(sender: type, instance: AbstractBaseUser, raw: bool = False,
                            **kwargs: object) -> None:
    """post_save, in the same transaction as the save: revoke and sign out."""
    ends = getattr(instance, _ENDS, None)
    if raw or ends is None:
        return
    setattr(instance, _ENDS, None)
    api_tokens_revoke_all(user=instance)
    if ends == "everything":
        user_sessions_end(user=instance)
