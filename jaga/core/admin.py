from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jaga.core.forms import NotificationChannelForm, SiteForm
from jaga.core.models import (
    ApiToken,
    AuditEvent,
    Institution,
    Membership,
    NotificationChannel,
    NotificationDelivery,
    NotificationRoute,
    ProcessBeat,
    Schedule,
    Site,
)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "city", "time_zone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class SiteAdminForm(SiteForm):
    class Meta(SiteForm.Meta):
        fields = ["institution", *SiteForm.Meta.fields]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SiteAdminForm
    list_display = ["name", "institution", "base_url", "cms", "is_active"]
    list_filter = ["institution", "cms", "is_active"]
    search_fields = ["name", "base_url"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "institution", "role"]
    list_filter = ["institution", "role"]
    search_fields = ["user__username", "institution__name"]
    autocomplete_fields = ["user"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["key", "task_path", "interval_seconds", "calendar", "next_run_at", "last_run_at", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["key", "task_path"]
    readonly_fields = ["owner_content_type", "owner_object_id"]


@admin.register(ProcessBeat)
class ProcessBeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The workers Jaga knows of and their last heartbeat; written by the processes themselves."""

    list_display = ["process_id", "role", "host", "pid", "queues", "started_at", "beat_at", "stopped_at"]
    list_filter = ["role", "host"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChannelAdminForm(NotificationChannelForm):
    class Meta(NotificationChannelForm.Meta):
        fields = ["institution", *NotificationChannelForm.Meta.fields]


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ChannelAdminForm
    list_display = ["name", "institution", "enabled", "last_success_at", "last_error_at"]
    list_filter = ["institution", "enabled"]
    readonly_fields = ["last_success_at", "last_error", "last_error_at"]


@admin.register(NotificationRoute)
class NotificationRouteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["event_type", "channel", "role", "institution"]
    list_filter = ["institution", "event_type"]


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The record of every send: evidence, read-only (a resend is on the channels page)."""

    list_display = ["created_at", "event_type", "channel_name", "status", "attempts", "next_attempt_at", "institution"]
    list_filter = ["institution", "status", "event_type"]
    search_fields = ["title", "channel_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "user", "institution", "prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["institution", "revoked"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created on the tokens page, where the raw value is shown once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "actor_name", "action", "content_type", "object_repr", "institution_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_repr"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
