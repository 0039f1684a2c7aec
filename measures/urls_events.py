from django.urls import path

from measures import event_views

app_name = "events"

urlpatterns = [
    path("teams/<int:pk>/measures/<int:measure_pk>/events/", event_views.event_list, name="list"),
    path("events/<int:pk>/delete/", event_views.event_delete, name="delete"),
]
