"""Activity pages: the readable history of a collaborative and of a team."""

from django.urls import path

from reports import activity_views

app_name = "activity"

urlpatterns = [
    path("collaboratives/<int:pk>/activity/", activity_views.collaborative_activity, name="collaborative"),
    path("teams/<int:pk>/activity/", activity_views.team_activity, name="team"),
]
