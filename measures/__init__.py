"""Measures, monthly values, run-chart rules and charts (issue: measures and run charts)."""
