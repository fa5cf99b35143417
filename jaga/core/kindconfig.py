"""Typed configuration of kinds: the base model, the one validator, secrets at rest, and masking.

Every kind (monitor kind, backup source, log format, report builder, incident kind...) declares its
configuration as a pydantic model derived from :class:`KindConfig`, each field through :func:`setting`
with a label and a help text in Indonesian (marked with ``gettext_noop``: they are translated when a form
is built, in the reader's language)::

    from django.utils.translation import gettext_noop as _
    from jaga.core.kindconfig import KindConfig, Secret, setting

    class Config(KindConfig):
        url: str = setting(label=_("Alamat halaman"), help=_("Diawali http:// atau https://."))
        password: Secret = setting("", label=_("Kata sandi"))

:func:`config_validate` is the ONE validator: services call it (the API only calls the services, the
form builder in :mod:`jaga.core.kindconfig_form` calls it too), and it raises Django's ``ValidationError``
keyed by field path (``url``, ``pages.2.key``) with messages in the user's language.

Secrets (:data:`Secret`, :data:`SecretMap`) are stored encrypted with the deployment's key
(``jaga.core.fields``; the data folder's ``encryption_key``): :func:`config_dump` encrypts them for the
database, :func:`config_plain` gives them back to the code that uses them (the probe), and
:func:`config_masked` is what every reader sees (pages, the API): :data:`MASK` for a value that is set.
A :data:`MASK` sent back (a form left alone, an API client that read, changed one field and wrote the
configuration back) keeps the stored value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticUndefined

from jaga.core import fields as crypto

if TYPE_CHECKING:
    from django import forms

    from jaga.core.registry import Registry

MASK = "********"  # what a reader sees of a secret that is set; sent back, it keeps the stored value
ENCRYPTED = "$secret"  # {"$secret": "<Fernet token of the JSON value>"} in a stored configuration


class SecretMark:
    """Marks a field as a secret (``Annotated[str, SECRET]``): encrypted at rest, masked for every reader."""

    def __repr__(self) -> str:
        return "SECRET"


SECRET = SecretMark()
Secret = Annotated[str, SECRET]  # a password, a token...
SecretMap = Annotated[dict[str, str], SECRET]  # names are shown, values are secret (HTTP request headers)


class KindConfig(BaseModel):
    """Base of every kind's configuration: unknown keys are an error, not silently ignored.

    ``prefill`` names fields a form fills in from its context (``{"url": "site_url"}``): the app that
    builds the form says what each context key is (monitoring: the site's address and host name).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefill: ClassVar[Mapping[str, str]] = {}
    # Field name -> adapter factory ``(name, field_info) -> Adapter`` for a field the form builder should
    # show in its own way (see jaga.core.kindconfig_form).
    form_adapters: ClassVar[Mapping[str, Any]] = {}


def setting(
    default: Any = PydanticUndefined,
    *,
    label: str,
    help: str = "",
    choices: Mapping[str, str] | None = None,
    placeholder: str = "",
    **constraints: Any,
) -> Any:
    """A configuration field with its label, help text and choice labels (Indonesian, ``gettext_noop``)."""
    extra: dict[str, Any] = {}
    if choices:
        extra["x-choices"] = dict(choices)
    if placeholder:
        extra["x-placeholder"] = placeholder
    return Field(default, title=label, description=help or None, json_schema_extra=extra or None, **constraints)


def secret_fields(model_cls: type[BaseModel]) -> list[str]:
    return [name for name, info in model_cls.model_fields.items() if SECRET in info.metadata]


# --- validation -------------------------------------------------------------------------------------

# pydantic error type -> a sentence in the user's language (what was wrong; the field label says where).
ERROR_MESSAGES: dict[str, Any] = {
    "missing": _("Wajib diisi."),
    "int_parsing": _("Harus bilangan bulat."),
    "int_type": _("Harus bilangan bulat."),
    "int_from_float": _("Harus bilangan bulat."),
    "float_parsing": _("Harus angka."),
    "float_type": _("Harus angka."),
    "bool_parsing": _("Harus ya atau tidak."),
    "bool_type": _("Harus ya atau tidak."),
    "string_type": _("Harus teks."),
    "list_type": _("Harus berupa daftar."),
    "dict_type": _("Harus berupa pasangan nama dan nilai."),
    "model_type": _("Harus berupa objek."),
    "model_attributes_type": _("Harus berupa objek."),
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


def error_message(error: Mapping[str, Any]) -> str:
    """A sentence for one pydantic error: the kind's own words for its checks, ours for the types."""
    if error.get("type") in ("value_error", "assertion_error") and error.get("ctx", {}).get("error") is not None:
        return str(error["ctx"]["error"])
    known = ERROR_MESSAGES.get(str(error.get("type", "")))
    if known is not None:
        if error.get("type") in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            limit = next(iter(error.get("ctx", {}).values()), None)
            if limit is not None:
                return gettext("%(message)s Batasnya %(limit)s.") % {"message": known, "limit": limit}
        return str(known)
    return gettext("Tidak valid: %(detail)s") % {"detail": error.get("msg", "")}


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or NON_FIELD_ERRORS


def _nul_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a NUL character hides (PostgreSQL refuses it in text and JSON: a 500 instead of a message)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, Mapping):
        found = []
        for key, item in value.items():
            if "\x00" in str(key):
                found.append((*path, key))
            found += _nul_paths(item, (*path, key))
        return found
    if isinstance(value, list | tuple):
        return [p for index, item in enumerate(value) for p in _nul_paths(item, (*path, index))]
    return []


def _secrets_keep(model_cls: type[BaseModel], data: dict[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Put the stored value back wherever :data:`MASK` was sent (the reader never had the value)."""
    merged = dict(data)
    for name in secret_fields(model_cls):
        value, old = merged.get(name), stored.get(name)
        if value == MASK:
            if old:
                merged[name] = old
            else:
                merged.pop(name)
        elif isinstance(value, Mapping):
            old_map = old if isinstance(old, Mapping) else {}
            merged[name] = {
                key: (old_map.get(key, item) if item == MASK else item) for key, item in value.items() if item != ""
            }
            if any(item == MASK for item in merged[name].values()):
                raise ValidationError(
                    {name: [gettext("Isi nilai untuk nama yang baru; ******** hanya menyimpan nilai lama.")]}
                )
    return merged


def config_model_validate(
    model_cls: type[KindConfig], data: Any, *, stored: Mapping[str, Any] | None = None
) -> KindConfig:
    """Validate ``data`` against ``model_cls``. ``stored``: the plain stored configuration, for masks.

    Raises ``ValidationError`` keyed by field path, every wrong field at once.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(
            {NON_FIELD_ERRORS: [gettext("Konfigurasi harus berupa objek (pasangan nama dan nilai).")]}
        )
    nul = _nul_paths(data)
    if nul:
        raise ValidationError({_path(p): [gettext("Karakter NUL tidak diperbolehkan.")] for p in nul})
    merged = _secrets_keep(model_cls, dict(data), stored or {})
    try:
        return model_cls.model_validate(merged)
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            errors.setdefault(_path(tuple(error.get("loc") or ())), []).append(error_message(error))
        raise ValidationError(errors) from None


def config_model(registry: Registry[Any], key: str) -> type[KindConfig]:
    """The configuration model of ``key`` in ``registry``; ``ValidationError`` on ``kind`` if unknown."""
    if key not in registry:
        raise ValidationError({"kind": [gettext("Jenis tidak dikenal: %(kind)s") % {"kind": key}]})
    model: type[KindConfig] = registry.get(key).Config
    return model


def config_validate(
    registry: Registry[Any], key: str, data: Any, *, stored: Mapping[str, Any] | None = None
) -> KindConfig:
    """THE validator of a kind's configuration (services call it; nothing else re-validates)."""
    return config_model_validate(config_model(registry, key), data, stored=stored)


# --- storage and readers ----------------------------------------------------------------------------


def _is_encrypted(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {ENCRYPTED} and isinstance(value[ENCRYPTED], str)


def config_dump(config: KindConfig) -> dict[str, Any]:
    """The configuration as stored: JSON, the fields set (defaults follow the code), secrets encrypted."""
    data: dict[str, Any] = config.model_dump(mode="json", exclude_unset=True)
    for name in secret_fields(type(config)):
        if data.get(name):
            data[name] = {ENCRYPTED: crypto.encrypt(json.dumps(data[name], ensure_ascii=False))}
    return data


def config_plain(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored configuration with its secrets decrypted: for the code that uses them, never for a page."""
    return {
        name: json.loads(crypto.decrypt(value[ENCRYPTED])) if _is_encrypted(value) else value
        for name, value in (stored or {}).items()
    }


def config_masked(model_cls: type[BaseModel], stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """What every reader sees (pages, the API, any role): secrets as :data:`MASK`, header names kept."""
    plain = config_plain(stored)
    for name in secret_fields(model_cls):
        value = plain.get(name)
        if isinstance(value, Mapping):
            plain[name] = {key: MASK for key in value}
        elif value:
            plain[name] = MASK
    return plain


def config_load(model_cls: type[KindConfig], stored: Mapping[str, Any] | None) -> KindConfig:
    """The stored configuration as its model, secrets decrypted (the probe). ``ValidationError`` if bad."""
    return config_model_validate(model_cls, config_plain(stored))


def messages_joined(error: ValidationError) -> str:
    """One line for a log or a result reason: ``url: Wajib diisi.; port: Nilai terlalu besar.``"""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(message for item in items for message in item.messages)}"
            for field, items in error.error_dict.items()
        )
    return " ".join(error.messages)


def kindconfig_form(model_cls: type[KindConfig], initial: Mapping[str, Any] | None = None, **kwargs: Any) -> forms.Form:
    """A django Form for ``model_cls`` (see :mod:`jaga.core.kindconfig_form`)."""
    from jaga.core.kindconfig_form import KindConfigForm

    return KindConfigForm(model_cls, initial=initial, **kwargs)
