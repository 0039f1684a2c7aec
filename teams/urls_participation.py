"""Learning sessions (agenda, attendance), affinity groups and dosage."""

from django.urls import path

from teams.views import affinity
from teams.views import participation as views

app_name = "participation"

urlpatterns = [
    path("collaboratives/<int:pk>/sessions/", views.session_list, name="sessions"),
    path("collaboratives/<int:pk>/sessions/<int:period_pk>/", views.session_detail, name="session"),
    path("collaboratives/<int:pk>/sessions/<int:period_pk>/attendance/", views.attendance_edit,
         name="attendance"),
    path("collaboratives/<int:pk>/sessions/<int:period_pk>/attendance/import/",
         views.attendance_import, name="attendance-import"),
    path("collaboratives/<int:pk>/sessions/<int:period_pk>/attendance/sign-in-sheet.csv",
         views.attendance_template, name="attendance-template"),
    path("collaboratives/<int:pk>/dosage/", views.dosage_page, name="dosage"),
    path("collaboratives/<int:pk>/dosage.csv", views.dosage_csv, name="dosage-csv"),
    path("collaboratives/<int:pk>/affinity-groups/", affinity.group_list, name="affinity-groups"),
    path("collaboratives/<int:pk>/affinity-groups/new/", affinity.group_create,
         name="affinity-group-create"),
    path("affinity-groups/<int:pk>/edit/", affinity.group_update, name="affinity-group-update"),
    path("affinity-groups/<int:pk>/", affinity.group_detail, name="affinity-group"),
    path("affinity-groups/<int:pk>/meetings/new/", affinity.meeting_edit, name="affinity-meeting-create"),
    path("affinity-groups/<int:pk>/meetings/<int:meeting_pk>/edit/", affinity.meeting_edit,
         name="affinity-meeting-update"),
]
