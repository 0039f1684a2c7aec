"""PDSA cycles: tests of change linked to the change framework (issue: change framework and PDSA cycles)."""
