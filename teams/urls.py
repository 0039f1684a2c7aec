from django.urls import path

from teams.views import teams as views

app_name = "teams"

urlpatterns = [
    path("teams/", views.team_list, name="list"),
    path("collaboratives/<int:collaborative_pk>/teams/new/", views.team_create, name="create"),
    path("teams/<int:pk>/", views.team_detail, name="detail"),
    path("teams/<int:pk>/edit/", views.team_update, name="update"),
    path("teams/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("teams/<int:pk>/members/<int:membership_pk>/edit/", views.member_update,
         name="member-update"),
    path("teams/<int:pk>/members/<int:membership_pk>/remove/", views.member_remove,
         name="member-remove"),
]
