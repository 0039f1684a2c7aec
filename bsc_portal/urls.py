"""Root URLs: the apps' pages, accounts, the API and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from collaboratives.profile_views import profile
from collaboratives.views import InvitationAcceptView
from measures.api import MeasureValueViewSet, MeasureViewSet
from pdsa.api import CycleViewSet
from reports.api import ReportViewSet
from teams.api import ChangeIdeaViewSet, CollaborativeViewSet, MembershipViewSet, TeamViewSet
from teams.views.home import home

router = DefaultRouter()
router.register("collaboratives", CollaborativeViewSet, basename="collaborative")
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("measures", MeasureViewSet, basename="measure")
router.register("measure-values", MeasureValueViewSet, basename="measure-value")
router.register("pdsa-cycles", CycleViewSet, basename="pdsa-cycle")
router.register("change-ideas", ChangeIdeaViewSet, basename="change-idea")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("", home, name="home"),
    path("accounts/invitation/<uidb64>/<token>/", InvitationAcceptView.as_view(),
         name="invitation-accept"),
    path("accounts/profile/", profile, name="profile"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("collaboratives/", include("teams.urls_collaboratives")),
    path("", include("teams.urls")),
    path("", include("measures.urls")),
    path("", include("pdsa.urls")),
    path("", include("reports.urls")),
    path("", include("teams.urls_participation")),
    path("", include("teams.urls_evaluations")),
    path("state/system/", include("reports.urls_system")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include((router.urls, "api"))),
    path("admin/", admin.site.urls),
]
