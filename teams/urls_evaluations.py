"""Learning-session evaluations: forms set by the advisor, answered by participants."""

from django.urls import path

from teams.views import evaluations as views

app_name = "evaluations"

urlpatterns = [
    path("collaboratives/<int:pk>/evaluations/", views.evaluation_list, name="list"),
    path("collaboratives/<int:pk>/evaluations/new/", views.evaluation_create, name="create"),
    path("evaluations/<int:pk>/edit/", views.evaluation_update, name="update"),
    path("evaluations/<int:pk>/open/", views.evaluation_toggle, name="toggle"),
    path("evaluations/<int:pk>/answer/", views.evaluation_answer, name="answer"),
    path("evaluations/<int:pk>/results/", views.evaluation_results, name="results"),
    path("evaluations/<int:pk>/results.csv", views.evaluation_results_csv, name="results-csv"),
]
