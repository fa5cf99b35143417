"""The traffic app in the admin: log sources (local or SFTP), the allow-list of each institution, and custom
detection rules (YAML, checked and their test lines run before they are saved)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from jaga.traffic.logformats import FORMATS, FormatError, format_build
from jaga.traffic.models import AllowedNetwork, CustomRule, LogSource


class LogSourceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = LogSource
        fields = ["site", "kind", "path", "format_key", "format_spec", "is_active", "known_hosts"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format_key"] = forms.ChoiceField(label=self.fields["format_key"].label, choices=FORMATS.choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            format_build(data.get("format_key") or "combined", data.get("format_spec") or "")
        except FormatError as exc:
            self.add_error("format_spec", str(exc))
        return data


@admin.register(LogSource)
class LogSourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = LogSourceForm
    list_display = ["site", "kind", "path", "format_key", "is_active", "last_ingest_at"]
    list_filter = ["kind", "is_active", "site__institution"]
    search_fields = ["path", "site__name"]


class AllowedNetworkForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AllowedNetwork
        fields = ["institution", "network", "note"]

    def clean_network(self) -> str:
        import ipaddress

        value = str(self.cleaned_data["network"]).strip()
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise forms.ValidationError(_("Bukan alamat IP atau jaringan, mis. 203.0.113.0/24.")) from None


@admin.register(AllowedNetwork)
class AllowedNetworkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = AllowedNetworkForm
    list_display = ["network", "institution", "note"]
    list_filter = ["institution"]


class CustomRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CustomRule
        fields = ["text", "institution", "is_active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 30, "cols": 110, "style": "font-family: monospace"})}

    def clean(self) -> dict[str, Any]:
        from jaga.traffic.detection.rules import RuleError  # here: every command imports the admin at start
        from jaga.traffic.services.rules import custom_rule_check, custom_rule_key_problem

        data = super().clean() or {}
        if "text" not in data:
            return data
        try:
            rule = custom_rule_check(str(data["text"]))
        except RuleError as exc:
            self.add_error("text", forms.ValidationError(str(exc).splitlines()))
            return data
        institution = data.get("institution")
        problem = custom_rule_key_problem(
            rule, institution_id=institution.pk if institution else None, editing=self.instance.pk
        )
        if problem:
            self.add_error("text", problem)
        self.instance.key = rule.key
        return data


@admin.register(CustomRule)
class CustomRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CustomRuleForm
    list_display = ["key", "institution", "is_active", "updated_at"]
    list_filter = ["is_active", "institution"]
    readonly_fields = ["key", "updated_at"]
