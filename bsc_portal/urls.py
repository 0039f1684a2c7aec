"""Root URLs: the apps' pages, accounts, the API and the admin."""

from django.contrib import admin
from django.contrib.auth.views import LoginView, PasswordResetView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from bsc_portal.schema import api_not_found
from collaboratives.forms import PasswordResetByEmailForm, SignInForm
from collaboratives.language import language_set
from collaboratives.profile_views import profile, profile_token_create, profile_token_revoke
from collaboratives.views import InvitationAcceptView
from measures.api import MeasureValueViewSet, MeasureViewSet, ParetoTallyViewSet
from pdsa.api import CycleViewSet
from reports.api import ReportViewSet
from teams.api import ChangeIdeaViewSet, CollaborativeViewSet, MembershipViewSet, TeamViewSet
from teams.views.home import home

# A lost database connection outside a view (the session, the user) is a 503, not a 500.
handler500 = "bsc_portal.faults.server_error"

router = DefaultRouter()
router.register("collaboratives", CollaborativeViewSet, basename="collaborative")
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("measures", MeasureViewSet, basename="measure")
router.register("measure-values", MeasureValueViewSet, basename="measure-value")
router.register("pareto-tallies", ParetoTallyViewSet, basename="pareto-tally")
router.register("pdsa-cycles", CycleViewSet, basename="pdsa-cycle")
router.register("change-ideas", ChangeIdeaViewSet, basename="change-idea")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("", home, name="home"),
    path("accounts/invitation/<uidb64>/<token>/", InvitationAcceptView.as_view(),
         name="invitation-accept"),
    path("accounts/profile/", profile, name="profile"),
    path("accounts/profile/tokens/", profile_token_create, name="profile-token-create"),
    path("accounts/profile/tokens/<int:token_id>/revoke/", profile_token_revoke,
         name="profile-token-revoke"),
    path("accounts/two-factor/", include("collaboratives.urls_two_factor")),
    # Sign in with the email or the username; reset reaches invited people with no password
    # yet (collaboratives.forms). Before Django's own, which they replace.
    path("accounts/login/", LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(form_class=PasswordResetByEmailForm),
         name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch: Django's set_language, saved on the person's profile when signed in.
    path("i18n/setlang/", language_set, name="set_language"),
    path("collaboratives/", include("teams.urls_collaboratives")),
    path("", include("teams.urls")),
    path("teams/", include("teams.urls_invitations")),
    path("", include("measures.urls")),
    path("", include("measures.urls_pareto")),
    path("", include("measures.urls_phases")),
    path("", include("measures.urls_events")),
    path("", include("pdsa.urls")),
    path("", include("reports.urls")),
    path("", include("reports.urls_activity")),
    path("", include("reports.urls_setup")),
    path("", include("teams.urls_participation")),
    path("", include("teams.urls_evaluations")),
    path("state/system/", include("reports.urls_system")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include((router.urls, "api"))),
    path("api/<path:rest>", api_not_found),  # JSON 404, as documented (bsc_portal.schema)
    path("admin/", admin.site.urls),
]
