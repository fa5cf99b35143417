"""The form builder: a kind's configuration model becomes a django Form, labelled in the reader's language.

Each field of the model gets an *adapter* by its type: ``bool`` a check box, ``int``/``float`` a number,
``str`` a text input, ``Literal``/``Enum`` a choice (labels from ``setting(choices=...)``), ``list[str]`` a
text area with one value per line, ``dict[str, str]`` a text area with ``Nama: nilai`` per line, a
:data:`~jaga.core.kindconfig.Secret` a password input that shows only that a value is set. A model may give
its own adapter for a field (``form_adapters``, e.g. a check list of required pages). Anything else falls
back to JSON, which no kind of Jaga's own uses.

The form does not validate the configuration itself: ``clean()`` turns the inputs into a dict and hands it
to :func:`jaga.core.kindconfig.config_model_validate` (the one validator), then shows each error on its
field. ``form.config`` is the validated model; a service given it does not validate it again.

    form = KindConfigForm(Config, data=request.POST or None, initial={"url": site.base_url})
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping, Set
from typing import Any, ClassVar, Literal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from jaga.core.kindconfig import MASK, SECRET, KindConfig, config_model_validate

OMIT = object()  # an empty input: the model's default applies (or "Wajib diisi." if there is none)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _extra(info: FieldInfo, key: str) -> Any:
    extra = info.json_schema_extra
    return extra.get(key) if isinstance(extra, dict) else None


class Adapter:
    """One configuration field on a form: the django field, the value shown, the value read back."""

    widget_attrs: ClassVar[dict[str, str]] = {}

    def __init__(self, name: str, info: FieldInfo, *, optional: bool = False) -> None:
        self.name = name
        self.info = info
        self.optional = optional
        self.required = info.is_required() and not optional
        self.secret = SECRET in info.metadata

    @property
    def label(self) -> str:
        return gettext(self.info.title) if self.info.title else self.name.replace("_", " ")

    @property
    def help_text(self) -> str:
        return gettext(self.info.description) if self.info.description else ""

    def form_field(self, value: Any) -> forms.Field:
        """The django field; ``value`` is the configuration value the form starts from (may be None)."""
        raise NotImplementedError

    def initial(self, value: Any) -> Any:
        return "" if value is None else value

    def value(self, cleaned: Any) -> Any:
        """The configuration value for a cleaned input; ``OMIT`` when empty; ``ValueError`` with a sentence."""
        text = "" if cleaned is None else str(cleaned).strip()
        if text == "":
            return None if self.optional else OMIT
        return text  # numbers are converted by the model, so its limits and messages apply

    def _finish(self, field: forms.Field) -> forms.Field:
        field.label = self.label
        field.help_text = field.help_text or self.help_text
        field.required = False  # the model says what is missing, in one message
        if self.required:
            field.widget.attrs["required"] = "required"
        placeholder = _extra(self.info, "x-placeholder")
        if placeholder:
            field.widget.attrs["placeholder"] = gettext(placeholder)
        field.widget.attrs.update(self.widget_attrs)
        return field


class TextAdapter(Adapter):
    def form_field(self, value: Any) -> forms.Field:
        return self._finish(forms.CharField())


class NumberAdapter(Adapter):
    def __init__(self, name: str, info: FieldInfo, *, optional: bool = False, step: str = "1") -> None:
        super().__init__(name, info, optional=optional)
        self.step = step

    def form_field(self, value: Any) -> forms.Field:
        return self._finish(forms.CharField(widget=forms.NumberInput(attrs={"step": self.step})))


class BoolAdapter(Adapter):
    def form_field(self, value: Any) -> forms.Field:
        return self._finish(forms.BooleanField())

    def initial(self, value: Any) -> Any:
        return bool(value)

    def value(self, cleaned: Any) -> Any:
        return bool(cleaned)


class ChoiceAdapter(Adapter):
    def __init__(self, name: str, info: FieldInfo, *, optional: bool = False, options: list[str]) -> None:
        super().__init__(name, info, optional=optional)
        self.options = options

    def form_field(self, value: Any) -> forms.Field:
        labels = _extra(self.info, "x-choices") or {}
        choices = [(option, gettext(labels[option]) if option in labels else option) for option in self.options]
        if not self.required:
            choices = [("", "—"), *choices]
        return self._finish(forms.ChoiceField(choices=choices))


class LinesAdapter(Adapter):
    """A list of values, one per line."""

    def __init__(self, name: str, info: FieldInfo, *, optional: bool = False, integers: bool = False) -> None:
        super().__init__(name, info, optional=optional)
        self.integers = integers

    def form_field(self, value: Any) -> forms.Field:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
        field.help_text = self.help_text or gettext("Satu nilai per baris.")
        if self.help_text:
            field.help_text = f"{self.help_text} {gettext('Satu nilai per baris.')}"
        return self._finish(field)

    def initial(self, value: Any) -> Any:
        return "\n".join(str(v) for v in value or [])

    def value(self, cleaned: Any) -> Any:
        lines = [line.strip() for line in str(cleaned or "").splitlines() if line.strip()]
        if self.integers:
            try:
                return [int(line) for line in lines]
            except ValueError:
                raise ValueError(gettext("Setiap baris harus bilangan bulat.")) from None
        return lines


class MappingAdapter(Adapter):
    """Names and values, ``Nama: nilai`` per line (HTTP headers). As a secret, values show as ********."""

    def form_field(self, value: Any) -> forms.Field:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        how = gettext("Satu per baris: Nama: nilai.")
        if self.secret:
            how += " " + gettext(
                "Nilai disimpan terenkripsi dan tidak ditampilkan: biarkan ******** untuk mempertahankannya, "
                "hapus barisnya untuk menghapusnya."
            )
        field.help_text = f"{self.help_text} {how}".strip()
        return self._finish(field)

    def initial(self, value: Any) -> Any:
        return "\n".join(f"{key}: {item}" for key, item in (value or {}).items())

    def value(self, cleaned: Any) -> Any:
        result: dict[str, str] = {}
        for number, line in enumerate(str(cleaned or "").splitlines(), start=1):
            if not line.strip():
                continue
            key, colon, item = line.partition(":")
            if not colon or not key.strip():
                raise ValueError(
                    gettext("Baris %(line)s: tulis Nama: nilai (nama, titik dua, lalu nilainya).") % {"line": number}
                )
            result[key.strip()] = item.strip()
        return result


class SecretTextAdapter(Adapter):
    """A password or a token: the page shows ******** when one is stored, never the value."""

    def form_field(self, value: Any) -> forms.Field:
        field = forms.CharField(widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}))
        field.help_text = " ".join(
            part
            for part in (
                self.help_text,
                gettext(
                    "Disimpan terenkripsi; biarkan ******** untuk mempertahankan nilai, kosongkan untuk menghapus."
                ),
            )
            if part
        )
        return self._finish(field)

    def value(self, cleaned: Any) -> Any:
        text = "" if cleaned is None else str(cleaned)
        return text if text.strip() else ""


class JsonAdapter(Adapter):
    """The fallback for a structure no adapter knows (none of Jaga's own kinds uses it)."""

    def form_field(self, value: Any) -> forms.Field:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
        field.help_text = self.help_text or gettext("Dalam format JSON.")
        return self._finish(field)

    def initial(self, value: Any) -> Any:
        return "" if value is None else json.dumps(to_jsonable_python(value), ensure_ascii=False, indent=1)

    def value(self, cleaned: Any) -> Any:
        text = str(cleaned or "").strip()
        if not text:
            return None if self.optional else OMIT
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                gettext("JSON tidak valid di baris %(line)s kolom %(col)s.") % {"line": exc.lineno, "col": exc.colno}
            ) from None


class ChecklistAdapter(Adapter):
    """A list of objects picked from a known set (each with a key and a title): check boxes, nothing typed.

    Objects already stored that are not among the options (made through the API) are offered too, so that
    saving the form never loses them.
    """

    def __init__(
        self,
        name: str,
        info: FieldInfo,
        *,
        options: Callable[[], list[Any]],
        key: str = "key",
        title: str = "title",
        optional: bool = False,
    ) -> None:
        super().__init__(name, info, optional=optional)
        self.options, self.key, self.title = options, key, title
        self.items: dict[str, dict[str, Any]] = {}

    def _as_dict(self, item: Any) -> dict[str, Any]:
        data = item.model_dump(mode="json", exclude_defaults=True) if isinstance(item, BaseModel) else dict(item)
        return dict(to_jsonable_python(data))

    def form_field(self, value: Any) -> forms.Field:
        self.items = {}
        for item in [*(value or []), *self.options()]:
            data = self._as_dict(item)
            self.items.setdefault(str(data[self.key]), data)
        choices = [(key, gettext(str(data.get(self.title) or key))) for key, data in self.items.items()]
        return self._finish(forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple))

    def initial(self, value: Any) -> Any:
        return [str(self._as_dict(item)[self.key]) for item in value or []]

    def value(self, cleaned: Any) -> Any:
        picked = set(cleaned or [])
        return [data for key, data in self.items.items() if key in picked]


def adapter_for(name: str, info: FieldInfo) -> Adapter:
    """The adapter a field gets by its type."""
    annotation, optional = _unwrap_optional(info.annotation)
    annotation = _strip_annotated(annotation)
    origin = typing.get_origin(annotation)
    secret = SECRET in info.metadata
    if annotation is bool:
        return BoolAdapter(name, info, optional=optional)
    if annotation is int:
        return NumberAdapter(name, info, optional=optional)
    if annotation is float:
        return NumberAdapter(name, info, optional=optional, step="any")
    if annotation is str:
        return SecretTextAdapter(name, info) if secret else TextAdapter(name, info, optional=optional)
    if origin is Literal:
        return ChoiceAdapter(name, info, optional=optional, options=[str(a) for a in typing.get_args(annotation)])
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return ChoiceAdapter(name, info, optional=optional, options=[str(m.value) for m in annotation])
    if origin in (list, tuple, set, frozenset):
        item = _strip_annotated((typing.get_args(annotation) or (str,))[0])
        if item is str or typing.get_origin(item) is Literal:
            return LinesAdapter(name, info, optional=optional)
        if item is int:
            return LinesAdapter(name, info, optional=optional, integers=True)
    if origin is dict and all(_strip_annotated(a) is str for a in typing.get_args(annotation)):
        return MappingAdapter(name, info, optional=optional)
    if isinstance(annotation, type) and annotation.__module__.startswith("pydantic"):
        return TextAdapter(name, info, optional=optional)  # HttpUrl, AnyUrl...: text, checked by the model
    return JsonAdapter(name, info, optional=optional)


class KindConfigForm(forms.Form):
    """The configuration of one kind. Inputs are named ``<field_prefix><field>`` (``cfg_url``).

    ``initial``: the configuration to start from (defaults fill the rest; masked secrets only);
    ``stored``: the plain stored configuration, so that a :data:`MASK` left in place keeps its value.
    """

    def __init__(
        self,
        model_cls: type[KindConfig],
        data: Any = None,
        *,
        initial: Mapping[str, Any] | None = None,
        stored: Mapping[str, Any] | None = None,
        field_prefix: str = "cfg_",
    ) -> None:
        super().__init__(data=data)
        self.model_cls = model_cls
        self.stored = dict(stored or {})
        self.field_prefix = field_prefix
        self.config: KindConfig | None = None
        self.adapters: dict[str, Adapter] = {}
        start = {**_defaults(model_cls), **dict(initial or {})}
        own: Mapping[str, Callable[[str, FieldInfo], Adapter]] = getattr(model_cls, "form_adapters", {})
        for name, info in model_cls.model_fields.items():
            adapter = own[name](name, info) if name in own else adapter_for(name, info)
            self.adapters[name] = adapter
            self.fields[name] = adapter.form_field(start.get(name))
            if name in start:
                self.initial[name] = adapter.initial(start[name])

    def add_prefix(self, field_name: str) -> str:
        return f"{self.field_prefix}{field_name}"

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        raw: dict[str, Any] = {}
        for name, adapter in self.adapters.items():
            if name in self.errors:
                continue
            try:
                value = adapter.value(cleaned.get(name))
            except ValueError as exc:
                self.add_error(name, str(exc))
                continue
            if value is not OMIT:
                raw[name] = value
        wrong = set(self.errors)
        try:
            config = config_model_validate(self.model_cls, raw, stored=self.stored)
        except ValidationError as exc:
            self.errors_place(exc, skip=wrong)
            return cleaned
        if not wrong:
            self.config = config
        return cleaned

    def errors_place(self, error: ValidationError, *, skip: Set[str] = frozenset()) -> None:
        """Put the validator's errors (keyed by path) on their fields; nested paths keep their tail."""
        for path, messages in error.message_dict.items():
            head, _dot, tail = path.partition(".")
            if head in skip:
                continue  # its own message is already there
            for message in messages:
                if head in self.fields:
                    self.add_error(head, f"{tail}: {message}" if tail else message)
                elif path == NON_FIELD_ERRORS:
                    self.add_error(None, message)
                else:
                    self.add_error(None, f"{path}: {message}")


def _defaults(model_cls: type[BaseModel]) -> dict[str, Any]:
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in model_cls.model_fields.items()
        if not info.is_required()
    }


def form_initial(model_cls: type[KindConfig], masked: Mapping[str, Any]) -> dict[str, Any]:
    """The initial values of an edit form: the stored configuration as every reader sees it (masked)."""
    return {name: value for name, value in masked.items() if name in model_cls.model_fields}


__all__ = [
    "MASK",
    "Adapter",
    "BoolAdapter",
    "ChecklistAdapter",
    "ChoiceAdapter",
    "JsonAdapter",
    "KindConfigForm",
    "LinesAdapter",
    "MappingAdapter",
    "NumberAdapter",
    "SecretTextAdapter",
    "TextAdapter",
    "adapter_for",
    "form_initial",
]
