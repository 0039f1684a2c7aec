from django.urls import path

from measures import phase_views

app_name = "phases"

urlpatterns = [
    path("measures/<int:pk>/phases/", phase_views.pooled_phases, name="pooled"),
    path("teams/<int:team_pk>/measures/<int:pk>/phases/", phase_views.team_phases, name="team"),
    path("phases/<int:pk>/delete/", phase_views.phase_delete, name="delete"),
]
