import datetime

from django.urls import path, register_converter

from measures import chart_views, views
from measures.months import parse_month


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return parse_month(value)

    def to_url(self, value: datetime.date) -> str:
        return value.strftime("%Y-%m")


register_converter(MonthConverter, "month")

app_name = "measures"

urlpatterns = [
    path("collaboratives/<int:collaborative_pk>/measures/", views.measure_list, name="list"),
    path("collaboratives/<int:collaborative_pk>/measures/new/", views.measure_edit, name="create"),
    path("measures/<int:pk>/", chart_views.measure_detail, name="detail"),
    path("measures/<int:pk>/figures.csv", chart_views.measure_figures_export, name="figures-export"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="update"),
    path("teams/<int:pk>/data/", views.team_data, name="team-data"),
    path("teams/<int:pk>/data/<month:month>/", views.team_data_month, name="team-data-month"),
    path("teams/<int:pk>/data/import/", views.team_data_import, name="team-data-import"),
    path("teams/<int:pk>/data/template.csv", views.team_data_template, name="team-data-template"),
    path("teams/<int:pk>/data/export.csv", views.team_data_export, name="team-data-export"),
]
