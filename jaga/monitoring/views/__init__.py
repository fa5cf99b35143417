"""Monitoring pages. Every view fetches through ``jaga.core.permissions`` (404 outside, 403 for the role)."""

from jaga.monitoring.views.content import finding_acknowledge, site_freshness
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
    monitor_test,
    site_monitors,
)
from jaga.monitoring.views.public import public_status, public_status_chart, public_status_logo

__all__ = [
    "finding_acknowledge",
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
    "monitor_test",
    "public_status",
    "public_status_chart",
    "public_status_logo",
    "site_freshness",
    "site_monitors",
]
