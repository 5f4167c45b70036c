"""Ingestion: one reader per format, content-based detection, validation, and the batch pipeline."""
