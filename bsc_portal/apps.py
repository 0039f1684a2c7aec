from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app, only to wire its own plumbing (no models)."""

    name = "bsc_portal"
    verbose_name = "BSC Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Imported for its signal receivers: sign-ins, failures and lock-outs are logged.
        import bsc_portal.security_log  # noqa: F401
        from bsc_portal.middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="bsc_portal.session_stamp")
