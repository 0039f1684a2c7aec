from django.urls import path

from teams.views import collaboratives as views

app_name = "collaboratives"

urlpatterns = [
    path("", views.collaborative_list, name="list"),
    path("new/", views.collaborative_create, name="create"),
    path("<int:pk>/", views.collaborative_detail, name="detail"),
    path("<int:pk>/edit/", views.collaborative_update, name="update"),
    path("<int:pk>/timeline/new/", views.period_edit, name="period-create"),
    path("<int:pk>/timeline/<int:period_pk>/edit/", views.period_edit, name="period-update"),
    path("<int:pk>/timeline/<int:period_pk>/delete/", views.period_delete, name="period-delete"),
    path("<int:pk>/leaders/add/", views.staff_add, name="staff-add"),
    path("<int:pk>/leaders/<int:role_pk>/remove/", views.staff_remove, name="staff-remove"),
]
