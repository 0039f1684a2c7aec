from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The team page lives in a lower layer; this layer adds its panels to it, in the
        # order a member needs them (the page shows them in registration order).
        from reports import panels as report_panels
        from reports import setup
        from teams import panels

        # First: what the advisor has not set up yet, which explains any empty panel below.
        panels.register("team-setup-notice", "reports/partials/team_setup_notice.html",
                        setup.team_setup_notice_panel)
        panels.register("team-todo", "reports/partials/team_todo.html", report_panels.team_todo_panel)
        panels.register("team-feedback", "reports/partials/team_feedback.html",
                        report_panels.team_feedback_panel)
        panels.register("team-measures", "reports/partials/team_measures.html",
                        report_panels.team_measures_panel)
        panels.register("team-worth-a-look", "reports/partials/team_worth_a_look.html",
                        report_panels.team_worth_a_look_panel)
