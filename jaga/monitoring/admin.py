"""Admin for monitoring. Results, rollups, status changes and probes are written by the engine: read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jaga.monitoring.models import CheckResult, Finding, MaintenanceWindow, Monitor, Probe, Rollup, StatusChange


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "site", "kind", "status", "enabled", "is_public", "last_checked_at", "last_response_ms")
    list_filter = ("kind", "status", "enabled", "is_public", "site__institution")
    search_fields = ("name", "site__name")
    readonly_fields = (*Monitor.ENGINE_FIELDS, "created_at", "updated_at")


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "checked_at", "probe", "status", "response_ms", "reason")
    list_filter = ("status", "probe")
    date_hierarchy = "checked_at"
    list_select_related = ("monitor",)


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "period", "bucket", "checks", "up", "down", "maintenance")
    list_filter = ("period",)
    list_select_related = ("monitor",)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "at", "from_status", "to_status", "in_maintenance", "reason")
    list_filter = ("to_status", "in_maintenance")
    list_select_related = ("monitor",)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "severity", "code", "message", "location", "last_seen", "resolved_at")
    list_filter = ("severity", "code")
    search_fields = ("message", "evidence", "location")
    list_select_related = ("monitor",)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "site", "monitor", "starts_at", "ends_at", "recurrence")
    list_filter = ("recurrence",)


@admin.register(Probe)
class ProbeAdmin(ReadOnlyAdmin):
    list_display = ("name", "location", "last_seen", "control_ok", "version", "checks_total")
