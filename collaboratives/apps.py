from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CollaborativesConfig(AppConfig):
    name = "collaboratives"
    verbose_name = _("Collaboratives")

    def ready(self) -> None:
        from collaboratives.services import advisor_group_ensure

        # Permissions exist only after migrate; the group is made right after them.
        post_migrate.connect(
            lambda **kwargs: advisor_group_ensure(), sender=self,
            dispatch_uid="collaboratives.advisor_group",
        )
