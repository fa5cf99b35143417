"""Forms for monitors and maintenance windows.

A monitor's form is its own settings (a ModelForm) plus ``form.config_form``: its kind's configuration
form, built by :mod:`jaga.core.kindconfig_form` from the kind's model (translated labels and help, choice
labels, headers as ``Nama: nilai`` lines, secrets masked). :func:`monitor_config_form` is the entry point
for a page that shows one kind's configuration alone (the kind picker's htmx switch, "test now").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jaga.core import kindconfig
from jaga.core.kindconfig_form import KindConfigForm
from jaga.core.widgets import MomentInput
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import MaintenanceWindow, Monitor
from jaga.monitoring.services import MONITOR_SETTINGS_FIELDS

CONFIG_PREFIX = "cfg_"


def kind_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in REGISTRY.choices()]


def site_context(site: Any) -> dict[str, str]:
    """What a kind's ``prefill`` may ask for: the site's address and its host name."""
    address = str(getattr(site, "base_url", "") or "")
    return {"site_url": address, "site_host": urlsplit(address).hostname or ""}


def monitor_config_form(
    kind: str,
    *,
    data: Any = None,
    site: Any = None,
    monitor: Monitor | None = None,
    initial: Mapping[str, Any] | None = None,
) -> KindConfigForm | None:
    """The configuration form of ``kind`` (None for an unknown kind).

    A new monitor starts from the kind's defaults, the fields its kind fills from the site (the URL from
    the site's address) and ``initial``; an existing one from its stored configuration, secrets masked.
    """
    if kind not in REGISTRY:
        return None
    model = REGISTRY.get(kind).Config
    if monitor is not None and monitor.pk and monitor.kind == kind:
        start = kindconfig.config_masked(model, monitor.config)
        stored = kindconfig.config_plain(monitor.config)
    else:
        context = site_context(site) if site is not None else {}
        start = {name: context[key] for name, key in model.prefill.items() if context.get(key)}
        stored = {}
    start.update(initial or {})
    return KindConfigForm(model, data=data, initial=start, stored=stored, field_prefix=CONFIG_PREFIX)


class MonitorForm(forms.ModelForm):  # type: ignore[type-arg]
    """The monitor's own fields; ``config_form`` holds its kind's configuration (inputs ``cfg_*``)."""

    kind = forms.ChoiceField(label=_("Jenis"), choices=())

    class Meta:
        model = Monitor
        fields = ["kind", *MONITOR_SETTINGS_FIELDS, "enabled"]

    def __init__(self, *args: Any, kind: str | None = None, site: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kind_choices()
        self.kind_name: str | None = kind or self.data.get("kind") or (self.instance.kind if self.instance.pk else None)
        if self.instance.pk:
            self.fields["kind"].disabled = True  # a monitor keeps its kind; make a new one instead
            self.kind_name = self.instance.kind
        self.config_form = (
            monitor_config_form(
                self.kind_name,
                data=self.data if self.is_bound else None,
                site=site or (self.instance.site if self.instance.pk else None),
                monitor=self.instance if self.instance.pk else None,
            )
            if self.kind_name
            else None
        )
        if self.config_form is not None:
            self.fields["kind"].initial = self.kind_name

    @property
    def kind_label(self) -> str:
        return str(REGISTRY.entry(self.kind_name).label) if self.kind_name and self.kind_name in REGISTRY else ""

    @property
    def config(self) -> kindconfig.KindConfig | None:
        """The validated configuration (after ``is_valid()``)."""
        return self.config_form.config if self.config_form is not None else None

    def config_bound_fields(self) -> list[forms.BoundField]:
        return list(self.config_form) if self.config_form is not None else []

    def base_bound_fields(self) -> list[forms.BoundField]:
        return [self[k] for k in self.fields]

    def is_valid(self) -> bool:
        own = super().is_valid()
        config = self.config_form.is_valid() if self.config_form is not None else False
        return own and config  # both run: every invalid field is shown at once

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.config_form is None and "kind" not in self.errors:
            self.add_error("kind", gettext("Jenis monitor tidak dikenal."))
        return cleaned

    def service_errors_place(self, error: ValidationError) -> None:
        """A service's ``ValidationError`` on the matching fields (``config.<path>`` on the config form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, " ".join(error.messages))
            return
        config_errors: dict[str, list[str]] = {}
        for field, items in error.error_dict.items():
            messages = [message for item in items for message in item.messages]
            if field.startswith("config.") and self.config_form is not None:
                config_errors[field.removeprefix("config.")] = messages
            else:
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        if config_errors and self.config_form is not None:
            self.config_form.errors_place(ValidationError(config_errors))


class MaintenanceWindowForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MaintenanceWindow
        fields = ["title", "monitor", "starts_at", "ends_at", "recurrence", "repeat_until"]
        widgets = {
            "starts_at": MomentInput(),
            "ends_at": MomentInput(),
            "repeat_until": MomentInput(),
        }

    def __init__(self, *args: Any, site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        monitor_field = self.fields["monitor"]
        assert isinstance(monitor_field, forms.ModelChoiceField)
        monitor_field.queryset = Monitor.objects.filter(site=site)
        monitor_field.required = False
        for name in ("starts_at", "ends_at", "repeat_until"):
            moment_field = self.fields[name]
            assert isinstance(moment_field, forms.DateTimeField)
            moment_field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", gettext("Waktu selesai harus sesudah waktu mulai."))
        recurrence = cleaned.get("recurrence")
        until = cleaned.get("repeat_until")
        if until and recurrence == MaintenanceWindow.Recurrence.NONE:
            self.add_error("repeat_until", gettext("Isi hanya bila jadwal berulang."))
        return cleaned
