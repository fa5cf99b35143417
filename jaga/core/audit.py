"""The audit trail: who changed what, recorded from the model signals, with the actor of the change.

Every change to an audited model is recorded while an *actor* is known:

- a web request (``AuditContextMiddleware``): its user, or for the API the token's user with
  ``via="token: <name>"`` (read from ``request.auth``, which django-ninja sets to the ``ApiToken`` that
  authenticated the request, wherever the token authentication lives);
- a block of code run on someone's behalf: ``with actor_as(user=user, via="token: skrip"): ...``;
- Jaga itself: ``with actor_system("worker"): ...``, actor "Jaga" and the process as ``via``. ``jaga``'s
  entry point (:mod:`jaga.cli`) makes the sub-command the process-wide default (``process_actor_set``), so
  the worker, the scheduler, the probe and every command (``bootstrap``, ``demo``, ``createsuperuser``...)
  are in the trail without any code of theirs knowing; the worker names the task it runs.

The actor lives in a context variable: each thread and each asyncio task sees its own, and asgiref's
``sync_to_async`` carries it into the thread that runs the ORM. Threads started by a process (which begin
with an empty context) fall back to the process-wide default. Without any actor (a test calling a service
directly) nothing is recorded. A model opts out with the class attribute ``AUDIT = False`` (machine data
that is its own record: check results, rollups, deliveries).
"""

from __future__ import annotations

import datetime
import decimal
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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
from jaga.core.models import ApiToken, AuditAction, AuditEvent, Institution

logger = logging.getLogger(__name__)

MASK = "***"
SYSTEM_NAME = "Jaga"
# Fields that are bookkeeping, not a decision: a change to only these is not recorded. A model adds its own
# with ``AUDIT_IGNORE_FIELDS`` (e.g. the state a machine keeps up to date on it).
IGNORED_FIELDS = frozenset({"last_login", "updated_at", "modified_at", "last_used_at"})
SECRET_NAME_PARTS = ("password", "secret", "token_hash", "ssh_key", "api_key")
VIA_MAX_LENGTH = 150


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (``user``), Jaga itself (``system``), or the user of a web request (resolved late,
    because a request's user changes when it logs in). ``via`` says through what: ``token: skrip``,
    ``worker``, ``command: demo``."""

    user: Any = None
    via: str = ""
    system: bool = False
    request: HttpRequest | None = None

    def resolve(self) -> tuple[Any, str, str]:
        """(user or None, name shown in the trail, via)."""
        if self.system:
            return None, SYSTEM_NAME, self.via
        user, via = self.user, self.via
        if user is None and self.request is not None:
            token = getattr(self.request, "auth", None)
            if isinstance(token, ApiToken):
                user, via = token.user, via or token_via(token)
            else:
                candidate = getattr(self.request, "user", None)
                if candidate is not None and candidate.is_authenticated:
                    user = candidate
        return user, (user.get_username() if user is not None else ""), via


_current: ContextVar[Actor | None] = ContextVar("jaga_audit_actor", default=None)
_process_actor: Actor | None = None


def token_via(token: ApiToken) -> str:
    return f"token: {token.name}"


def current_actor() -> Actor | None:
    """The innermost actor of this context, else the process-wide default, else None."""
    return _current.get() or _process_actor


def _enclosing_request() -> HttpRequest | None:
    actor = _current.get()
    return actor.request if actor is not None else None


@contextmanager
def actor_as(*, user: Any, via: str = "") -> Iterator[Actor]:
    """Changes inside are recorded as made by ``user`` (through ``via``, e.g. ``"token: skrip"``)."""
    actor = Actor(user=user, via=via[:VIA_MAX_LENGTH], request=_enclosing_request())
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


@contextmanager
def actor_system(process: str) -> Iterator[Actor]:
    """Changes inside are recorded as made by Jaga, through ``process`` (``worker``, ``probe``, ``command: x``)."""
    actor = Actor(system=True, via=process[:VIA_MAX_LENGTH])
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def process_actor_set(process: str | None) -> None:
    """Make Jaga (through ``process``) the actor of everything this process does outside a narrower actor,
    threads included. ``None`` removes it. Called once, at the start of a process."""
    global _process_actor
    _process_actor = Actor(system=True, via=process[:VIA_MAX_LENGTH]) if process else None


def process_actor_name(argv: list[str]) -> str:
    """The ``via`` of a ``jaga`` invocation: the long-running processes by name, anything else as a command."""
    command = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else "help"
    if command in {"web", "worker", "scheduler", "probe", "up"}:
        return command
    return f"command: {command}"


def via_label(via: str) -> str:
    """``via`` in the reader's language: "token API «skrip»", "pekerja latar (tugas x)", "perintah jaga demo"."""
    from django.utils.translation import gettext as _

    prefix, _sep, rest = via.partition(": ")
    rest = rest.strip()
    if prefix == "token" and rest:
        return _("token API «%(name)s»") % {"name": rest}
    if prefix == "command" and rest:
        return _("perintah «jaga %(name)s»") % {"name": rest}
    if prefix == "worker" and rest:
        return _("pekerja latar (tugas %(task)s)") % {"task": rest}
    labels = {
        "web": _("proses web"),
        "worker": _("pekerja latar"),
        "scheduler": _("penjadwal"),
        "probe": _("probe pemantauan"),
        "up": _("pengawas proses (jaga up)"),
        "admin": _("admin Django"),
    }
    return labels.get(via, via)


def audit_context_set(request: HttpRequest) -> Any:
    """Start recording for ``request``; returns the token for :func:`audit_context_reset`."""
    return _current.set(Actor(request=request))


def audit_context_reset(token: Any) -> None:
    _current.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


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
        if model._meta.apps is not apps:
            return False  # a migration's historical model: the trail's own table may not be migrated yet
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
    via: str = "",
    instance: models.Model | None = None,
    institution_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> AuditEvent:
    """Write one audit event. The actor defaults to the current one (:func:`current_actor`); ``request``
    (for the address) to the current request."""
    current = current_actor()
    if request is None and current is not None:
        request = current.request
    if actor is None and current is not None and not actor_name:
        actor, actor_name, current_via = current.resolve()
        via = via or current_via
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_name=(actor_name or (actor.get_username() if actor is not None else ""))[:150],
        via=via[:VIA_MAX_LENGTH],
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
    return not raw and current_actor() is not None and is_audited(sender)


def _ignored_fields(model: type[models.Model]) -> frozenset[str]:
    return IGNORED_FIELDS | frozenset(getattr(model, "AUDIT_IGNORE_FIELDS", ()))


def audit_read_keep(instance: models.Model) -> None:
    """``instance`` is its row as just read under a lock: its next save's changes are taken from this copy
    instead of reading the row again (a batch of saves of rows read together costs no query each)."""
    if _recording(type(instance)):
        instance.__dict__["_audit_read"] = snapshot(instance)


def _on_pre_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    read = instance.__dict__.pop("_audit_read", None)
    if not _recording(sender, raw) or instance._state.adding or instance.pk is None:
        return
    if read is None:
        old = sender._default_manager.filter(pk=instance.pk).first()
        read = snapshot(old) if old is not None else None
    instance.__dict__["_audit_before"] = read


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
    if action == AuditAction.UPDATE and not set(changes) - _ignored_fields(sender):
        return
    audit_record(action=action, instance=instance, changes=masked(sender, changes))


def _on_post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _recording(sender):
        return
    before = snapshot(instance)
    changes = {name: [value, None] for name, value in before.items() if value not in (None, "")}
    audit_record(action=AuditAction.DELETE, instance=instance, changes=masked(sender, changes))


def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, request=request, actor=user, via=_login_via(request))


def _login_via(request: HttpRequest | None) -> str:
    # Django's admin and Jaga's log-in page both end here; say which, so that an admin log-in stands out.
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else ""


def _on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, request=request, actor=user)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    # The account that was tried, when it exists, so that its members' trail shows the attempts.
    account = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username[:150]}).first()
    audit_record(action=AuditAction.LOGIN_FAILED, request=request, actor=account, actor_name=username[:150])


# --- the worker names the task it runs ---------------------------------------------------------------


def _task_name(task_result: Any) -> str:
    task = getattr(task_result, "task", None)
    return str(getattr(task, "module_path", "") or getattr(task, "name", "") or "")


def _on_task_started(sender: Any, task_result: Any = None, **kwargs: Any) -> None:
    # Only in a worker process: a task run at once inside a web request (the immediate backend) keeps the
    # request's actor. The worker's own ``actor_system("worker")`` (or the process default) resets whatever
    # is set here when it ends; a task that dies before ``task_finished`` is overwritten by the next one.
    actor = current_actor()
    if actor is not None and actor.system and actor.via.startswith("worker"):
        name = _task_name(task_result)
        _current.set(Actor(system=True, via=f"worker: {name}" if name else "worker"))


def _on_task_finished(sender: Any, **kwargs: Any) -> None:
    actor = _current.get()
    if actor is not None and actor.system and actor.via.startswith("worker: "):
        _current.set(Actor(system=True, via="worker"))


def connect() -> None:
    pre_save.connect(_on_pre_save, dispatch_uid="jaga_audit_pre_save")
    post_save.connect(_on_post_save, dispatch_uid="jaga_audit_post_save")
    post_delete.connect(_on_post_delete, dispatch_uid="jaga_audit_post_delete")
    user_logged_in.connect(_on_logged_in, dispatch_uid="jaga_audit_logged_in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="jaga_audit_logged_out")
    user_login_failed.connect(_on_login_failed, dispatch_uid="jaga_audit_login_failed")

    from django_tasks.signals import task_finished, task_started

    task_started.connect(_on_task_started, dispatch_uid="jaga_audit_task_started")
    task_finished.connect(_on_task_finished, dispatch_uid="jaga_audit_task_finished")
