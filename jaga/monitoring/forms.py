"""Forms for monitors and maintenance windows.

A monitor's configuration form is generated from its kind's pydantic ``Config`` model: ``str``, ``int``,
``float``, ``bool``, ``Literal[...]`` and ``list[str]`` (one value per line) get typed fields, anything
more complex a JSON text area. The kind stays the single source of validation; its errors are shown on
the field they belong to, in Indonesian.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import MaintenanceWindow, Monitor
from jaga.monitoring.services import MONITOR_SETTINGS_FIELDS

CONFIG_PREFIX = "cfg_"

# pydantic error type -> Indonesian message (what was wrong; the field label says where).
ERROR_MESSAGES: dict[str, Any] = {
    "missing": _("Wajib diisi."),
    "int_parsing": _("Harus bilangan bulat."),
    "int_type": _("Harus bilangan bulat."),
    "float_parsing": _("Harus angka."),
    "float_type": _("Harus angka."),
    "bool_parsing": _("Harus ya atau tidak."),
    "string_too_short": _("Terlalu pendek."),
    "string_too_long": _("Terlalu panjang."),
    "greater_than": _("Nilai terlalu kecil."),
    "greater_than_equal": _("Nilai terlalu kecil."),
    "less_than": _("Nilai terlalu besar."),
    "less_than_equal": _("Nilai terlalu besar."),
    "literal_error": _("Pilihan tidak dikenal."),
    "enum": _("Pilihan tidak dikenal."),
    "url_parsing": _("Alamat (URL) tidak valid."),
    "url_scheme": _("Alamat harus diawali http:// atau https://."),
    "extra_forbidden": _("Kunci tidak dikenal."),
    "too_short": _("Terlalu sedikit isian."),
    "too_long": _("Terlalu banyak isian."),
}


def kind_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in REGISTRY.choices()]


def pydantic_error_message(error: Any) -> str:
    """An Indonesian sentence for one pydantic error, keeping pydantic's own words as detail."""
    if error.get("type") == "value_error" and error.get("ctx", {}).get("error") is not None:
        return str(error["ctx"]["error"])  # the kind's own sentence (Indonesian / English)
    known = ERROR_MESSAGES.get(str(error.get("type", "")))
    if known is not None:
        return str(known)
    return gettext("Tidak valid: %(detail)s") % {"detail": error.get("msg", "")}


@dataclass(frozen=True)
class ConfigField:
    name: str  # the key in the kind's config
    shape: str  # "str", "int", "float", "bool", "choice", "lines", "int_lines", "json"
    required: bool
    optional: bool  # None allowed: an empty input means None


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _shape_of(annotation: Any) -> tuple[str, list[str]]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _shape_of(typing.get_args(annotation)[0])
    if annotation is bool:
        return "bool", []
    if annotation is int:
        return "int", []
    if annotation is float:
        return "float", []
    if annotation is str:
        return "str", []
    if origin is Literal:
        return "choice", [str(a) for a in typing.get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice", [str(m.value) for m in annotation]
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        item = args[0] if args else str
        item_shape, _choices = _shape_of(item)
        if item_shape in ("str", "choice"):
            return "lines", []
        if item_shape == "int":
            return "int_lines", []
        return "json", []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "json", []
    if isinstance(annotation, type) and annotation.__module__.startswith("pydantic"):
        return "str", []  # HttpUrl, AnyUrl...: typed as text, validated by the kind
    return "json", []


def _default_of(info: FieldInfo) -> Any:
    if info.is_required():
        return None
    return info.get_default(call_default_factory=True)


def config_fields(config_model: type[BaseModel]) -> dict[str, forms.Field]:
    """Form fields, keyed ``cfg_<name>``, for every field of a kind's Config model."""
    fields: dict[str, forms.Field] = {}
    for name, info in config_model.model_fields.items():
        annotation, optional = _unwrap_optional(info.annotation)
        shape, choices = _shape_of(annotation)
        label = info.title or name.replace("_", " ")
        help_text = info.description or ""
        required = info.is_required() and not optional
        default = _default_of(info)
        field: forms.Field
        if shape == "bool":
            field = forms.BooleanField(required=False, initial=bool(default))
        elif shape == "choice":
            options = [(c, c) for c in choices]
            if not required:
                options = [("", "—"), *options]
            field = forms.ChoiceField(choices=options, required=required, initial=default)
        elif shape in ("lines", "int_lines"):
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                required=required,
                initial="\n".join(str(v) for v in (default or [])),
                help_text=help_text or _("Satu nilai per baris."),
            )
        elif shape == "json":
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                required=required,
                initial=json.dumps(default, ensure_ascii=False) if default is not None else "",
                help_text=help_text or _("Dalam format JSON."),
            )
        else:
            field = forms.CharField(required=required, initial="" if default is None else str(default))
            if shape in ("int", "float"):
                field.widget = forms.NumberInput(attrs={"step": "any" if shape == "float" else "1"})
        field.label = label
        if help_text and not field.help_text:
            field.help_text = help_text
        field.config_field = ConfigField(  # type: ignore[union-attr]
            name=name, shape=shape, required=required, optional=optional
        )
        fields[CONFIG_PREFIX + name] = field
    return fields


def _parse_value(spec: ConfigField, raw: Any) -> Any:
    """Turn one cleaned form value into the config value; ``ValueError`` with an Indonesian message."""
    if spec.shape == "bool":
        return bool(raw)
    text = "" if raw is None else str(raw).strip()
    if spec.shape in ("lines", "int_lines"):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if spec.shape == "int_lines":
            try:
                return [int(line) for line in lines]
            except ValueError:
                raise ValueError(gettext("Setiap baris harus bilangan bulat.")) from None
        return lines
    if text == "":
        return None
    if spec.shape == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                gettext("JSON tidak valid di baris %(line)s kolom %(col)s.") % {"line": exc.lineno, "col": exc.colno}
            ) from None
    return text  # numbers are converted by the kind's model, so the kind's limits apply


class MonitorForm(forms.ModelForm):  # type: ignore[type-arg]
    """The monitor's own fields plus its kind's configuration fields (``cfg_*``)."""

    kind = forms.ChoiceField(label=_("jenis"), choices=())

    class Meta:
        model = Monitor
        fields = ["kind", *MONITOR_SETTINGS_FIELDS, "enabled"]

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kind_choices()
        self.kind_name: str | None = kind or self.data.get("kind") or (self.instance.kind if self.instance.pk else None)
        if self.instance.pk:
            self.fields["kind"].disabled = True  # a monitor keeps its kind; make a new one instead
            self.kind_name = self.instance.kind
        self.config_model: type[BaseModel] | None = None
        if self.kind_name:
            try:
                self.config_model = REGISTRY.get(self.kind_name).Config
            except (KeyError, ImportError, AttributeError):
                self.config_model = None
        if self.config_model is not None:
            self.fields["kind"].initial = self.kind_name
            for key, field in config_fields(self.config_model).items():
                self.fields[key] = field
            if self.instance.pk:
                self._set_config_initial(self.instance.config or {})
        self.config: dict[str, Any] = {}

    def _set_config_initial(self, config: dict[str, Any]) -> None:
        for key, field in self.config_field_items():
            spec: ConfigField = field.config_field  # type: ignore[attr-defined]
            if spec.name not in config:
                continue
            value = config[spec.name]
            if spec.shape in ("lines", "int_lines"):
                self.initial[key] = "\n".join(str(v) for v in value or [])
            elif spec.shape == "json":
                self.initial[key] = json.dumps(value, ensure_ascii=False)
            else:
                self.initial[key] = value

    def config_field_items(self) -> list[tuple[str, forms.Field]]:
        return [(k, f) for k, f in self.fields.items() if k.startswith(CONFIG_PREFIX)]

    def config_bound_fields(self) -> list[forms.BoundField]:
        return [self[k] for k, _f in self.config_field_items()]

    def base_bound_fields(self) -> list[forms.BoundField]:
        return [self[k] for k in self.fields if not k.startswith(CONFIG_PREFIX)]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.config_model is None:
            if "kind" not in self.errors:
                self.add_error("kind", gettext("Jenis monitor tidak dikenal."))
            return cleaned
        raw: dict[str, Any] = {}
        for key, field in self.config_field_items():
            if key in self.errors:
                continue
            spec: ConfigField = field.config_field  # type: ignore[attr-defined]
            try:
                value = _parse_value(spec, cleaned.get(key))
            except ValueError as exc:
                self.add_error(key, str(exc))
                continue
            if value is None and not spec.optional:
                continue  # leave it out: the kind's default applies, or "missing" is reported
            raw[spec.name] = value
        already_wrong = {k for k in self.errors if k.startswith(CONFIG_PREFIX)}
        try:
            validated = self.config_model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error.get("loc") or ()
                key = CONFIG_PREFIX + str(loc[0]) if loc else ""
                message = pydantic_error_message(error)
                if key in already_wrong:
                    continue  # its own message is already there
                if key in self.fields:
                    if len(loc) > 1:
                        message = f"{'.'.join(str(p) for p in loc[1:])}: {message}"
                    self.add_error(key, message)
                else:
                    where = ".".join(str(p) for p in loc) or "-"
                    self.add_error(None, f"{where}: {message}")
            return cleaned
        if not already_wrong:
            self.config = validated.model_dump(mode="json", exclude_unset=True)
        return cleaned


class MaintenanceWindowForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MaintenanceWindow
        fields = ["title", "monitor", "starts_at", "ends_at", "recurrence", "repeat_until"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "repeat_until": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
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
