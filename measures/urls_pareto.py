from django.urls import path

from measures import pareto_views

app_name = "pareto"

urlpatterns = [
    path("teams/<int:pk>/pareto/", pareto_views.tally_list, name="list"),
    path("teams/<int:pk>/pareto/new/", pareto_views.tally_create, name="create"),
    path("pareto/<int:pk>/", pareto_views.tally_detail, name="detail"),
    path("pareto/<int:pk>/edit/", pareto_views.tally_edit, name="update"),
    path("pareto/<int:pk>/delete/", pareto_views.tally_delete, name="delete"),
]
