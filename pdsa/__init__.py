"""PDSA cycles: tests of change linked to the change framework."""
