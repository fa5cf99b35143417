"""Monitoring pages. Every view fetches through ``jaga.core.permissions`` (404 outside, 403 for the role)."""

from jaga.monitoring.views.content import site_freshness
from jaga.monitoring.views.maintenance import maintenance_delete, maintenance_list
from jaga.monitoring.views.monitors import (
    index,
    monitor_chart,
    monitor_create,
    monitor_delete,
    monitor_detail,
    monitor_edit,
    monitor_pause,
    monitor_resume,
    site_monitors,
)
from jaga.monitoring.views.public import public_status, public_status_logo

__all__ = [
    "index",
    "maintenance_delete",
    "maintenance_list",
    "monitor_chart",
    "monitor_create",
    "monitor_delete",
    "monitor_detail",
    "monitor_edit",
    "monitor_pause",
    "monitor_resume",
    "public_status",
    "public_status_logo",
    "site_freshness",
    "site_monitors",
]
