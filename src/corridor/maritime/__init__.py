"""The maritime picture: AIS and radar ingest, vessel tracks, and detectors of suspicious behaviour.

Positions are kept as Polars frames sorted by vessel and time; every detector is a vectorised
function from frames to events, and every event carries the evidence that produced it.
"""
