"""What every backups page shares: the institution and the plan through the permission helper."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jaga.backups.models import Plan, Repository, Run
from jaga.core.models import Institution
from jaga.core.permissions import Action, get_for_user, user_can


def institution_for(request: HttpRequest, slug: str, action: Action = "view") -> Institution:
    return get_for_user(request.user, Institution, action=action, slug=slug)  # type: ignore[arg-type]


def plan_for(request: HttpRequest, slug: str, plan_id: int, action: Action = "view") -> Plan:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        Plan.objects.select_related("site__institution", "repository"),
        action=action,
        pk=plan_id,
        site__institution__slug=slug,
    )


def run_for(request: HttpRequest, slug: str, run_id: int) -> Run:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        Run.objects.select_related("plan__site__institution", "plan__repository", "started_by"),
        pk=run_id,
        plan__site__institution__slug=slug,
    )


def repository_for(request: HttpRequest, slug: str, repo_id: int, action: Action = "view") -> Repository:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        Repository.objects.select_related("institution"),
        action=action,
        pk=repo_id,
        institution__slug=slug,
    )


def can(request: HttpRequest, institution: Institution, action: Action) -> bool:
    return user_can(request.user, institution, action)  # type: ignore[arg-type]


def can_restore(request: HttpRequest, institution: Institution) -> bool:
    """A restore is for the Administrator and the Kasubbag PTIP: those who both operate and approve."""
    return can(request, institution, "operate") and can(request, institution, "approve")


def can_export(request: HttpRequest, institution: Institution) -> bool:
    """An export to offline media carries the whole site off the server: the same people as a restore."""
    return can_restore(request, institution)


def first_error(exc: Any) -> str:
    messages = getattr(exc, "messages", None)
    return "; ".join(str(m) for m in messages) if messages else str(exc)
