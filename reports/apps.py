from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The team page lives in a lower layer; this layer adds its panel to it.
        from reports.panels import team_month_panel
        from teams import panels

        panels.register("team-month", "reports/partials/team_month.html", team_month_panel)
