from django.urls import path

from pdsa import urls_attachments, views, views_leaders

app_name = "pdsa"

urlpatterns = [
    path("teams/<int:pk>/cycles/", views.cycle_list, name="cycle-list"),
    path("teams/<int:pk>/cycles/new/", views.cycle_quick_create, name="cycle-create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:pk>/stages/<slug:stage>/", views.cycle_stage, name="cycle-stage"),
    path("cycles/<int:pk>/edit/", views.cycle_update, name="cycle-update"),
    path("cycles/<int:pk>/status/", views.cycle_status, name="cycle-status"),
    path("cycles/<int:pk>/share/", views.cycle_share, name="cycle-share"),
    path("cycles/<int:pk>/delete/", views.cycle_delete, name="cycle-delete"),
    path("cycles/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("collaboratives/<int:pk>/spread/", views.spread, name="spread"),
    # For those who lead the collaborative: every team's cycles, and who leads them.
    path("collaboratives/<int:pk>/cycles/", views_leaders.collaborative_cycles,
         name="collaborative-cycles"),
    path("collaboratives/<int:pk>/cycles.csv", views_leaders.collaborative_cycles_csv,
         name="collaborative-cycles-csv"),
    path("collaboratives/<int:pk>/leadership/", views_leaders.leadership, name="leadership"),
    path("collaboratives/<int:pk>/leadership.csv", views_leaders.leadership_csv,
         name="leadership-csv"),
    *urls_attachments.urlpatterns,  # photos and files on a cycle
]
