"""The probe engine behind ``jaga probe``."""

from jaga.monitoring.engine.probe import ProbeEngine, default_probe_name

__all__ = ["ProbeEngine", "default_probe_name"]
