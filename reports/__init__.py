"""Monthly team reports, dashboards and exports built on the lower layers."""
