"""Two-factor sign-in pages, under /accounts/two-factor/ (included before Django's auth URLs)."""

from django.urls import path

from collaboratives import two_factor

urlpatterns = [
    path("", two_factor.two_factor_manage_view, name="two-factor"),
    path("start/", two_factor.two_factor_start_view, name="two-factor-start"),
    path("verify/", two_factor.two_factor_verify_view, name="two-factor-verify"),
    path("recovery-codes/", two_factor.two_factor_recovery_codes_view,
         name="two-factor-recovery-codes"),
    path("turn-off/", two_factor.two_factor_disable_view, name="two-factor-disable"),
]
