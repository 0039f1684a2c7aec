"""Team invitations, answered by the person invited."""

from django.urls import path

from teams.views import teams as views

app_name = "invitations"

urlpatterns = [
    path("invitations/", views.invitation_list, name="list"),
    path("invitations/<int:pk>/", views.invitation_respond, name="respond"),
]
