"""Setting a collaborative up: start it from a change package."""

from django.urls import path

from reports import setup_views

app_name = "setup"

urlpatterns = [
    path("collaboratives/<int:pk>/start-from/", setup_views.start_from, name="start-from"),
]
