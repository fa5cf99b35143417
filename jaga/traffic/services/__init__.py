"""The traffic app's writes: ingestion of access logs (``ingest``) and detection rounds (``detection``)."""

from jaga.traffic.services.detection import DetectRound, traffic_detect
from jaga.traffic.services.ingest import sources_for, traffic_ingest

__all__ = ["DetectRound", "sources_for", "traffic_detect", "traffic_ingest"]
