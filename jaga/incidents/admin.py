"""Admin for incidents: runbooks are edited here by administrators; incidents change through their pages."""

from __future__ import annotations

from django.contrib import admin

from jaga.incidents.models import Incident, Runbook, Vendor


@admin.register(Runbook)
class RunbookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title_id", "slug", "kinds", "updated_at")
    search_fields = ("title_id", "title_en", "steps_id")


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "institution", "contract_reference", "contract_ends_on", "support_hours")
    list_filter = ("institution",)
    search_fields = ("name",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "summary", "site", "kind", "severity", "state", "tier", "opened_at", "resolved_at")
    list_filter = ("state", "kind", "severity", "tier", "site__institution")
    search_fields = ("summary", "cause_key")
    readonly_fields = [f.name for f in Incident._meta.fields]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False
