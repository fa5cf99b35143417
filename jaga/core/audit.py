"""The audit trail: who changed what, recorded from the model signals while a web request is running.

``AuditContextMiddleware`` puts the request in a context variable; the signal handlers below look at
it to know who acts and from which address. Changes made outside a request (worker, probe, scheduler)
are machine work and are not recorded here. A model opts out with the class attribute ``AUDIT = False``.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from jaga.core.fields import EncryptedTextField
from jaga.core.models import AuditAction, AuditEvent, Institution

logger = logging.getLogger(__name__)

MASK = "***"
# Fields that are bookkeeping, not a person's decision: a change to only these is not recorded.
IGNORED_FIELDS = frozenset({"last_login", "updated_at", "modified_at"})
SECRET_NAME_PARTS = ("password", "secret", "token_hash", "ssh_key", "api_key")


@dataclass(frozen=True)
class AuditContext:
    request: HttpRequest


_current: ContextVar[AuditContext | None] = ContextVar("jaga_audit_context", default=None)


def audit_context_set(request: HttpRequest) -> Any:
    """Start recording for ``request``; returns the token for :func:`audit_context_reset`."""
    return _current.set(AuditContext(request=request))


def audit_context_reset(token: Any) -> None:
    _current.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


def _actor(request: HttpRequest | None) -> Any:
    if request is None:
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def _is_secret(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, EncryptedTextField) or any(part in field.name for part in SECRET_NAME_PARTS)


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} byte>"
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if hasattr(value, "name"):  # FieldFile
        return str(value.name or "")
    return str(value)


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Field name -> plain value (foreign keys as ids), secrets not masked yet."""
    return {f.name: _plain(f.value_from_object(instance)) for f in _fields(type(instance))}


def masked(model: type[models.Model], changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    secret = {f.name for f in _fields(model) if _is_secret(f)}
    return {
        name: [MASK if (name in secret and value not in (None, "")) else value for value in pair]
        for name, pair in changes.items()
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


_audited_cache: dict[type[models.Model], bool] = {}


def is_audited(model: type[models.Model]) -> bool:
    if model not in _audited_cache:
        concrete = model._meta.concrete_model or model
        app_config = apps.get_app_config(concrete._meta.app_label)
        ours = app_config.name.startswith("jaga.") or concrete is get_user_model()
        _audited_cache[model] = bool(ours and getattr(model, "AUDIT", True))
    return _audited_cache[model]


def institution_id_of(instance: models.Model) -> int | None:
    if isinstance(instance, Institution):
        return instance.pk
    path = getattr(type(instance), "INSTITUTION_PATH", None)
    if not path:
        return None
    parts = str(path).split("__")
    target: Any = instance
    try:
        for part in parts[:-1]:
            target = getattr(target, part)
        value = getattr(target, f"{parts[-1]}_id", None)
    except Exception:  # a half-deleted chain: the event keeps no institution rather than failing the change
        return None
    return int(value) if value is not None else None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    actor_name: str = "",
    instance: models.Model | None = None,
    institution_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> AuditEvent:
    """Write one audit event. ``request`` defaults to the current one; ``actor`` to its user."""
    if request is None:
        context = _current.get()
        request = context.request if context else None
    if actor is None:
        actor = _actor(request)
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_name=(actor_name or (actor.get_username() if actor is not None else ""))[:150],
        institution_id=institution_id,
        changes=changes or {},
        ip_address=client_ip(request) if request is not None else None,
    )
    if instance is not None:
        event.content_type = ContentType.objects.get_for_model(type(instance), for_concrete_model=True)
        event.object_id = str(instance.pk)
        event.object_repr = str(instance)[:255]
        if institution_id is None:
            event.institution_id = institution_id_of(instance)
    event.save()
    return event


# --- signal handlers ------------------------------------------------------------------------------


def _recording(sender: type[models.Model], raw: bool = False) -> bool:
    return not raw and _current.get() is not None and is_audited(sender)


def _on_pre_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if not _recording(sender, raw) or instance._state.adding or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance.__dict__["_audit_before"] = snapshot(old) if old is not None else None


def _on_post_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if not _recording(sender, raw):
        return
    after = snapshot(instance)
    before = instance.__dict__.pop("_audit_before", None)
    if created or before is None:
        changes = {name: [None, value] for name, value in after.items() if value not in (None, "")}
        action = AuditAction.CREATE
    else:
        changes = diff(before, after)
        if update_fields is not None:
            changes = {name: pair for name, pair in changes.items() if name in update_fields}
        action = AuditAction.UPDATE
    if action == AuditAction.UPDATE and not set(changes) - IGNORED_FIELDS:
        return
    audit_record(action=action, instance=instance, changes=masked(sender, changes))


def _on_post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _recording(sender):
        return
    before = snapshot(instance)
    changes = {name: [value, None] for name, value in before.items() if value not in (None, "")}
    audit_record(action=AuditAction.DELETE, instance=instance, changes=masked(sender, changes))


def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, request=request, actor=user)


def _on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, request=request, actor=user)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    # The account that was tried, when it exists, so that its members' trail shows the attempts.
    account = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    audit_record(action=AuditAction.LOGIN_FAILED, request=request, actor=account, actor_name=username)


def connect() -> None:
    pre_save.connect(_on_pre_save, dispatch_uid="jaga_audit_pre_save")
    post_save.connect(_on_post_save, dispatch_uid="jaga_audit_post_save")
    post_delete.connect(_on_post_delete, dispatch_uid="jaga_audit_post_delete")
    user_logged_in.connect(_on_logged_in, dispatch_uid="jaga_audit_logged_in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="jaga_audit_logged_out")
    user_login_failed.connect(_on_login_failed, dispatch_uid="jaga_audit_login_failed")
