"""CEN-like seizure records: the full intelligence record of a seizure, its import/export and feedback."""
