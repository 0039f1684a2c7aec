from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CollaborativesConfig(AppConfig):
    name = "collaboratives"
    verbose_name = _("Collaboratives")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in

        from collaboratives.language import language_at_sign_in
        from collaboratives.services import advisor_group_ensure
        from collaboratives.signals import account_changes_applied, account_changes_noted
        from collaboratives.two_factor import two_factor_note_sign_in

        # Permissions exist only after migrate; the group is made right after them.
        post_migrate.connect(
            lambda **kwargs: advisor_group_ensure(), sender=self,
            dispatch_uid="collaboratives.advisor_group",
        )
        # A new password or deactivation revokes API tokens; deactivation ends sessions.
        user_model = get_user_model()
        pre_save.connect(account_changes_noted, sender=user_model,
                         dispatch_uid="collaboratives.account_changes_noted")
        post_save.connect(account_changes_applied, sender=user_model,
                          dispatch_uid="collaboratives.account_changes_applied")
        # Every sign-in (form, admin, invitation, force_login) notes what two-factor still
        # owes; connected here so a session made before the first request has its note.
        user_logged_in.connect(two_factor_note_sign_in,
                               dispatch_uid="collaboratives.two_factor_sign_in")
        # The saved language into the session (or the sign-in page's choice saved).
        user_logged_in.connect(language_at_sign_in, dispatch_uid="collaboratives.language_at_sign_in")
