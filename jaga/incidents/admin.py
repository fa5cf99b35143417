"""Admin for incidents: runbooks are edited here by administrators; incidents change through their pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jaga.incidents.models import Incident, Runbook, Vendor


class RunbookForm(forms.ModelForm):  # type: ignore[type-arg]
    """The kinds as boxes to tick, from the kinds' registry: an administrator never types a key (or a JSON list)."""

    kinds = forms.MultipleChoiceField(
        label=_("jenis insiden"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Runbook tampil di halaman insiden dari jenis yang dicentang."),
    )  # fmt: skip

    class Meta:
        model = Runbook
        fields = ["slug", "kinds", "title_id", "title_en", "steps_id", "steps_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from jaga.incidents.kinds import REGISTRY

        super().__init__(*args, **kwargs)
        field: Any = self.fields["kinds"]
        field.choices = REGISTRY.choices()


@admin.register(Runbook)
class RunbookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RunbookForm
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
