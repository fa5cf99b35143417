"""The probe engine behind ``jaga probe``.

``ProbeEngine`` is imported on first use, so that :mod:`jaga.monitoring.services` can use the engine's
statements (:mod:`jaga.monitoring.engine.store`) without importing the engine itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jaga.monitoring.engine.probe import ProbeEngine, default_probe_name

__all__ = ["ProbeEngine", "default_probe_name"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from jaga.monitoring.engine import probe

        return getattr(probe, name)
    raise AttributeError(name)
