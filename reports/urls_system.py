"""The system assessment: a state's professional-development offerings on the PD matrix."""

from django.urls import path

from reports import system_views as views

app_name = "system"

urlpatterns = [
    path("", views.assessment, name="assessment"),
    path("export/", views.export, name="export"),
    path("offerings/new/", views.offering_create, name="offering-create"),
    path("offerings/<int:pk>/edit/", views.offering_update, name="offering-update"),
    path("offerings/<int:pk>/delete/", views.offering_delete, name="offering-delete"),
]
