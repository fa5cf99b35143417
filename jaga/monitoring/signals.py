"""Signals the monitoring app sends; other apps connect to them in their own ``AppConfig.ready()``.

``monitor_status_changed`` is sent once per status transition of a monitor (down, up again, degraded),
after the transition is stored and outside its transaction, with ``monitor`` and ``transition``
(:class:`jaga.monitoring.services.Transition`). Transitions inside a maintenance window are sent too,
with ``transition.in_maintenance`` set; a receiver decides what that means for it. A receiver that raises
is logged and never loses the result (``send_robust``).
"""

from __future__ import annotations

from django.dispatch import Signal

monitor_status_changed = Signal()
