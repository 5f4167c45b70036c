"""Decisions, inspections and seizures: what happened to a consignment after it was assessed."""
