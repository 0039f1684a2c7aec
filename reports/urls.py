from django.urls import path

from reports import dashboard_views, pdf_views, views

app_name = "reports"

urlpatterns = [
    path("collaboratives/<int:pk>/dashboard/", dashboard_views.cohort_dashboard, name="dashboard"),
    path("state/", dashboard_views.state_home, name="state"),
    path("teams/<int:pk>/charts/", views.team_charts, name="team-charts"),
    path("teams/<int:pk>/reports/", views.team_reports, name="team-reports"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/pdf/", pdf_views.report_pdf_download, name="report-pdf"),
    path("collaboratives/<int:pk>/reports/", views.collaborative_reports, name="collaborative-reports"),
    path("collaboratives/<int:pk>/monthly-summary/", views.collaborative_summary,
         name="collaborative-summary"),
    path("collaboratives/<int:pk>/monthly-summary.csv", views.collaborative_summary_csv,
         name="collaborative-summary-csv"),
    path("collaboratives/<int:pk>/monthly-summary.pdf", pdf_views.collaborative_summary_pdf,
         name="collaborative-summary-pdf"),
    path("collaboratives/<int:pk>/reports/build/", views.collaborative_reports_build,
         name="collaborative-reports-build"),
    path("collaboratives/<int:pk>/reports/builds/<int:build_pk>/", views.report_build_status,
         name="report-build-status"),
]
