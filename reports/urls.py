from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("teams/<int:pk>/charts/", views.team_charts, name="team-charts"),
]
