"""The one permission helper every view fetches through.

An object belongs to an institution (directly or through its site); each model says how with
``INSTITUTION_PATH`` (``"institution"``, ``"site__institution"``...). Someone who is not a member of
that institution gets 404, as if the object did not exist; a member whose roles do not allow the
action gets 403.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from jaga.core.models import Institution, Membership, Role

Action = Literal["view", "operate", "finance", "approve", "admin"]

# Which roles may do what. "view" is every member; the auditor may only view.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.STAFF_P2TI: frozenset({"view", "operate"}),
    Role.KASUBBAG_PTIP: frozenset({"view", "operate", "approve"}),
    Role.KASUBBAG_UMUM: frozenset({"view", "finance", "approve"}),
    Role.SEKRETARIS: frozenset({"view", "approve"}),
    Role.ADMINISTRATOR: frozenset({"view", "operate", "finance", "approve", "admin"}),
    Role.AUDITOR: frozenset({"view"}),
}

M = TypeVar("M", bound=models.Model)
UserLike = AbstractBaseUser | AnonymousUser


def user_roles(user: UserLike, institution: Institution | int) -> set[str]:
    if not user.is_authenticated:
        return set()
    institution_id = institution.pk if isinstance(institution, Institution) else institution
    memberships = Membership.objects.filter(user_id=user.pk, institution_id=institution_id)
    return set(memberships.values_list("role", flat=True))


def user_can(user: UserLike, institution: Institution | int, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(action in ROLE_ACTIONS.get(role, frozenset()) for role in user_roles(user, institution))


def institutions_for(user: UserLike) -> models.QuerySet[Institution]:
    if not user.is_authenticated:
        return Institution.objects.none()
    if getattr(user, "is_superuser", False):
        return Institution.objects.all()
    return Institution.objects.filter(memberships__user_id=user.pk).distinct()


def _institution_path(model: type[models.Model]) -> str:
    if model is Institution:
        return ""
    path = getattr(model, "INSTITUTION_PATH", None)
    if path is None:
        raise TypeError(f"{model.__name__} has no INSTITUTION_PATH; the permission helper cannot scope it")
    return str(path)


def scope(user: UserLike, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Only the objects of institutions ``user`` is a member of."""
    if getattr(user, "is_superuser", False):
        return queryset
    path = _institution_path(queryset.model)
    member_filter = f"{path}__memberships__user_id" if path else "memberships__user_id"
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{member_filter: user.pk}).distinct()


def institution_of(obj: models.Model) -> Institution:
    if isinstance(obj, Institution):
        return obj
    target: Any = obj
    for part in _institution_path(type(obj)).split("__"):
        target = getattr(target, part)
    assert isinstance(target, Institution)
    return target


def get_for_user(
    user: UserLike, queryset: models.QuerySet[M] | type[M], *, action: Action = "view", **lookup: Any
) -> M:
    """Fetch one object for ``user``: 404 outside their institutions, 403 when the role may not act."""
    qs: models.QuerySet[M] = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        obj = scope(user, qs).get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError, TypeError):
        raise Http404 from None
    if not user_can(user, institution_of(obj), action):
        raise PermissionDenied
    return obj


def require(user: UserLike, institution: Institution, action: Action) -> None:
    """403 unless ``user`` may do ``action`` in ``institution`` (membership already established)."""
    if not user_can(user, institution, action):
        raise PermissionDenied
