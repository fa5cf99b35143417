"""Changing and removing a plan, a source or a repository from the web (the rules: :mod:`..services.edits`).

The same people as for creating them: a plan and its sources are the Administrator's and the Kasubbag PTIP's,
a repository the Administrator's. A removal is confirmed by typing the name of what goes; its page says
beforehand, in words, what is kept and what is not.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jaga.backups.backends import BACKENDS
from jaga.backups.backends.base import MediumMissing
from jaga.backups.forms import PlanForm, RemoveForm, RepositoryEditForm, SourceForm
from jaga.backups.models import MediaExport, Plan, Repository, Run, Source
from jaga.backups.restic import ResticError
from jaga.backups.services.edits import (
    plan_has_backups,
    plan_has_history,
    plan_remove,
    plan_update,
    repository_plans_in_use,
    repository_remove,
    repository_update,
    source_remove,
    source_update,
)
from jaga.backups.sources import REGISTRY
from jaga.backups.views.common import can_restore, plan_for, repository_for
from jaga.backups.views.setup import CONFIG_PREFIX, site_key_check
from jaga.core.forms import form_errors_add
from jaga.core.kindconfig import config_dump
from jaga.core.kindconfig_form import KindConfigForm


def _plan_to_change(request: HttpRequest, slug: str, plan_id: int) -> Plan:
    plan = plan_for(request, slug, plan_id, "operate")
    if not can_restore(request, plan.site.institution):
        raise PermissionDenied
    return plan


def _source_to_change(request: HttpRequest, slug: str, plan_id: int, source_id: int) -> tuple[Plan, Source]:
    plan = _plan_to_change(request, slug, plan_id)
    return plan, get_object_or_404(Source, pk=source_id, plan=plan)


def _repository_to_change(request: HttpRequest, slug: str, repo_id: int) -> Repository:
    repository = repository_for(request, slug, repo_id, "admin")
    if repository.removed_at is not None:
        raise PermissionDenied
    return repository


@login_required
def plan_edit(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    plan = _plan_to_change(request, slug, plan_id)
    if plan.removed_at is not None:
        raise PermissionDenied
    institution = plan.site.institution
    fixed = plan_has_backups(plan)
    form = PlanForm(request.POST or None, instance=plan, institution=institution, fixed=fixed)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name in form.changed_data}
        try:
            plan_update(plan=Plan.objects.get(pk=plan.pk), **fields)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Rencana %(name)s disimpan.") % {"name": form.cleaned_data["name"]})
            return redirect(plan.get_absolute_url())
    context = {"institution": institution, "plan": plan, "form": form}
    return render(request, "backups/plan_edit.html", context)


@login_required
def plan_delete(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    plan = _plan_to_change(request, slug, plan_id)
    if plan.removed_at is not None:
        raise PermissionDenied
    form = RemoveForm(request.POST or None, name=plan.name)
    if request.method == "POST" and form.is_valid():
        outcome = plan_remove(plan=plan)
        if outcome == "archived":
            messages.success(
                request,
                _("Rencana %(name)s diarsipkan: tidak dijalankan lagi; riwayat dan snapshotnya tetap.")
                % {"name": plan.name},
            )
            return redirect(plan.get_absolute_url())
        messages.success(request, _("Rencana %(name)s dihapus.") % {"name": plan.name})
        return redirect("backups:index", slug=slug)
    context = {
        "institution": plan.site.institution, "plan": plan, "form": form, "has_history": plan_has_history(plan),
        "runs": Run.objects.filter(plan=plan).count(), "exports": MediaExport.objects.filter(plan=plan).count(),
        "sources": plan.sources.count(),
    }  # fmt: skip
    return render(request, "backups/plan_delete.html", context)


@login_required
def source_edit(request: HttpRequest, slug: str, plan_id: int, source_id: int) -> HttpResponse:
    plan, source = _source_to_change(request, slug, plan_id, source_id)
    kind = REGISTRY.get(source.kind)
    data = request.POST if request.method == "POST" else None
    name_fixed = plan_has_backups(plan)
    form = SourceForm(data, plan=plan, kind=kind, source=source, name_fixed=name_fixed, initial={"name": source.name})
    config_form = KindConfigForm(
        kind.Config, data=data, initial=dict(source.config or {}), field_prefix=CONFIG_PREFIX,
    )  # fmt: skip
    if data is not None and form.is_valid() and config_form.is_valid() and config_form.config is not None:
        config = config_dump(config_form.config)
        try:
            site_key_check(config, site=plan.site, secret=form.cleaned_data.get("secret", "") or source.secret,
                           asks_secret="secret" in form.fields)  # fmt: skip
            source_update(
                source=source, name=form.cleaned_data["name"], config=config, secret=form.cleaned_data.get("secret", "")
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Sumber %(name)s disimpan.") % {"name": source.name})
            return redirect(plan.get_absolute_url())
    context = {
        "institution": plan.site.institution, "plan": plan, "source": source, "form": form,
        "config_form": config_form, "kind_label": REGISTRY.entry(source.kind).label,
    }  # fmt: skip
    return render(request, "backups/source_edit.html", context)


@login_required
def source_delete(request: HttpRequest, slug: str, plan_id: int, source_id: int) -> HttpResponse:
    plan, source = _source_to_change(request, slug, plan_id, source_id)
    form = RemoveForm(request.POST or None, name=source.name)
    if request.method == "POST" and form.is_valid():
        source_remove(source=source)
        messages.success(request, _("Sumber %(name)s dihapus dari rencana ini.") % {"name": source.name})
        return redirect(plan.get_absolute_url())
    context = {
        "institution": plan.site.institution, "plan": plan, "source": source, "form": form,
        "last": plan.sources.count() == 1, "kind_label": REGISTRY.entry(source.kind).label,
    }  # fmt: skip
    return render(request, "backups/source_delete.html", context)


@login_required
def repository_edit(request: HttpRequest, slug: str, repo_id: int) -> HttpResponse:
    repository = _repository_to_change(request, slug, repo_id)
    backend = BACKENDS.get(repository.kind)
    data = request.POST if request.method == "POST" else None
    form = RepositoryEditForm(
        data, backend=backend, has_credentials=bool(repository.credentials),
        initial={"name": repository.name, "location": repository.location},
    )  # fmt: skip
    options_form = KindConfigForm(
        backend.Config, data=data, initial=dict(repository.options or {}), field_prefix=CONFIG_PREFIX
    )
    if data is not None and form.is_valid() and options_form.is_valid() and options_form.config is not None:
        values = form.cleaned_data
        try:
            repository_update(
                repository=Repository.objects.get(pk=repository.pk), name=values["name"],
                location=values["location"].strip(), options=config_dump(options_form.config),
                credentials=values.get("credentials", ""),
            )  # fmt: skip
        except ValidationError as error:
            form_errors_add(form, error)
        except (ResticError, MediumMissing) as error:
            form.add_error(None, _("Repositori tidak dapat dijangkau di sana: %(e)s") % {"e": error.message})
        else:
            messages.success(request, _("Repositori %(name)s disimpan.") % {"name": values["name"]})
            return redirect(repository.get_absolute_url())
    context = {
        "institution": repository.institution, "repository": repository, "form": form, "options_form": options_form,
        "kind_label": BACKENDS.entry(repository.kind).label,
    }  # fmt: skip
    return render(request, "backups/repository_edit.html", context)


@login_required
def repository_delete(request: HttpRequest, slug: str, repo_id: int) -> HttpResponse:
    repository = _repository_to_change(request, slug, repo_id)
    in_use = repository_plans_in_use(repository)
    form = RemoveForm(request.POST or None, name=repository.name, data_choice=True)
    if request.method == "POST" and not in_use and form.is_valid():
        try:
            said = repository_remove(repository=repository, delete_data=form.cleaned_data["delete_data"])
        except ValidationError as error:
            form_errors_add(form, error)
        except (ResticError, MediumMissing) as error:
            form.add_error(None, _("Data restic tidak dapat dihapus, repositori tetap: %(e)s") % {"e": error.message})
        else:
            messages.success(request, said)
            return redirect(repository.get_absolute_url())
    context = {"institution": repository.institution, "repository": repository, "form": form, "in_use": in_use}
    return render(request, "backups/repository_delete.html", context)
