from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from jaga.sop.forms import ActivityAdminForm, ActivityInlineFormSet
from jaga.sop.models import Activity, Equipment, EvidenceFile, LedgerEntry, LegalBasis, Qualification, Sop


class LegalBasisInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LegalBasis
    fk_name = "sop"
    extra = 0
    fields = ["order", "text", "replaced_by"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self._parent = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        # Only a legal basis of the same SOP can replace another.
        if db_field.name == "replaced_by":
            parent = getattr(self, "_parent", None)
            kwargs["queryset"] = LegalBasis.objects.filter(sop=parent) if parent else LegalBasis.objects.none()
        field: ModelChoiceField[Any] | None = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return field


class QualificationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Qualification
    extra = 0
    fields = ["order", "text"]


class EquipmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Equipment
    extra = 0
    fields = ["order", "text"]


class ActivityInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Activity
    form = ActivityAdminForm
    formset = ActivityInlineFormSet
    extra = 0


@admin.register(Sop)
class SopAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "title", "institution", "effective_date", "is_active"]
    list_filter = ["is_active", "institution"]
    search_fields = ["number", "title"]
    fields = [
        "institution",
        "number",
        "title",
        "created_date",
        "revision_date",
        "effective_date",
        "approved_by",
        "warning",
        "related_sops",
        "is_active",
    ]
    inlines = [LegalBasisInline, QualificationInline, EquipmentInline, ActivityInline]


class EvidenceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EvidenceFile
    extra = 0
    fields = readonly_fields = ("file", "original_name", "sha256", "size", "uploaded_by", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The ledger is evidence: it is read here, written only through ``ledger_record``/``ledger_open``."""

    list_display = [
        "started_at",
        "activity_number",
        "activity_key",
        "institution",
        "site",
        "performed_by",
        "outcome",
        "met_standard",
    ]
    list_filter = ["activity_key", "outcome", "met_standard", "institution"]
    date_hierarchy = "started_at"
    inlines = [EvidenceInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
