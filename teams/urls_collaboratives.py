from django.urls import path

from teams.views import collaboratives as views
from teams.views import framework

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
    # The change framework; <kind> is primary-driver, secondary-driver or change-idea.
    path("<int:pk>/framework/", framework.framework, name="framework"),
    path("<int:pk>/framework/<slug:kind>/new/", framework.framework_item_edit,
         name="framework-item-create"),
    path("<int:pk>/framework/<slug:kind>/<int:item_pk>/edit/", framework.framework_item_edit,
         name="framework-item-update"),
    path("<int:pk>/framework/<slug:kind>/<int:item_pk>/delete/", framework.framework_item_delete,
         name="framework-item-delete"),
    path("<int:pk>/framework/<slug:kind>/<int:item_pk>/move/", framework.framework_item_move,
         name="framework-item-move"),
]
