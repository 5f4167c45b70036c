"""Corridor: risk targeting and secure information exchange for customs."""

__version__ = "0.1.0"
