"""Writes of the metrics app, one module per subject (ingest, records, rollups, health, NPS)."""
