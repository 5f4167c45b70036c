"""Stored consignments: current versions, amendment history, parties, goods and equipment."""
