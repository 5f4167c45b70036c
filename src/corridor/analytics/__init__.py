"""Seizure analytics: aggregates, trends, map layers (points, flows, H3 hexagons), charts and reports."""
