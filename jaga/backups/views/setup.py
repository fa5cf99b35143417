"""Setting up backups from the web: a new repository, a new plan of a site into it, and the plan's sources.

A repository is the Administrator's (its password is on the recovery sheet that only they open); a plan and
its sources are for the Administrator and the Kasubbag PTIP (the roles that both operate and approve, as for
a restore): a plan decides what of the court's site is kept and for how long. A source's settings (and a
repository's options) are its kind's configuration form (:mod:`jaga.core.kindconfig_form`), checked by the
kind itself; secrets are stored encrypted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaga.backups.backends import BACKENDS
from jaga.backups.backends.base import MediumMissing
from jaga.backups.forms import PlanForm, RepositoryForm, SourceForm
from jaga.backups.restic import ResticError
from jaga.backups.services import plan_create, repository_create, source_add
from jaga.backups.sources import REGISTRY
from jaga.backups.views.common import can_restore, institution_for, plan_for
from jaga.core.kindconfig import config_dump
from jaga.core.kindconfig_form import KindConfigForm

CONFIG_PREFIX = "cfg_"


def _may_set_up(request: HttpRequest, institution: Any) -> None:
    if not can_restore(request, institution):
        raise PermissionDenied


@login_required
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug, "operate")
    _may_set_up(request, institution)
    form = PlanForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        fields = {
            name: value for name, value in form.cleaned_data.items() if name not in ("site", "name", "repository")
        }
        plan = plan_create(
            site=form.cleaned_data["site"], name=form.cleaned_data["name"], repository=form.cleaned_data["repository"],
            **fields,
        )  # fmt: skip
        messages.success(request, _("Rencana %(name)s dibuat; tambahkan sumbernya.") % {"name": plan.name})
        return redirect("backups:source_new", slug=slug, plan_id=plan.pk)
    has_repository = institution.backup_repositories.exists()
    context = {"institution": institution, "form": form, "has_repository": has_repository}
    return render(request, "backups/plan_new.html", context)


@login_required
def source_new(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    plan = plan_for(request, slug, plan_id, "operate")
    institution = plan.site.institution
    _may_set_up(request, institution)
    kind_name = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind_name not in REGISTRY:
        kinds = [{"key": key, "label": label, "description": REGISTRY.entry(key).description}
                 for key, label in REGISTRY.choices()]  # fmt: skip
        return render(
            request, "backups/source_kind_pick.html", {"institution": institution, "plan": plan, "kinds": kinds}
        )
    kind = REGISTRY.get(kind_name)
    data = request.POST if request.method == "POST" else None
    form = SourceForm(data, plan=plan, kind=kind, initial={"name": kind_name})
    config_form = KindConfigForm(
        kind.Config, data=data, initial=_prefill(kind_name, plan.site), field_prefix=CONFIG_PREFIX
    )
    if data is not None and form.is_valid() and config_form.is_valid() and config_form.config is not None:
        config = config_dump(config_form.config)
        try:
            site_key_check(config, site=plan.site, secret=form.cleaned_data.get("secret", ""),
                           asks_secret="secret" in form.fields)  # fmt: skip
            source = source_add(
                plan=plan, kind=kind_name, name=form.cleaned_data["name"], config=config,
                secret=form.cleaned_data.get("secret", ""),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sumber %(name)s ditambahkan.") % {"name": source.name})
            return redirect(plan.get_absolute_url())
    context = {
        "institution": institution, "plan": plan, "form": form, "config_form": config_form, "kind": kind_name,
        "kind_label": REGISTRY.entry(kind_name).label, "kind_description": REGISTRY.entry(kind_name).description,
    }  # fmt: skip
    return render(request, "backups/source_new.html", context)


def site_key_check(config: dict[str, Any], *, site: Any, secret: str, asks_secret: bool) -> None:
    """A source that logs in with SSH (its configuration has ``site_key``) has a key: the site's stored one
    when ``site_key`` is ticked (the site must have one), else its own secret."""
    if "site_key" not in config:
        return
    if config["site_key"] and not str(site.server_ssh_key or "").strip():
        raise ValidationError(
            _("Situs %(site)s belum menyimpan kunci SSH: simpan kuncinya di halaman situs, atau tempel kunci di sini.")
            % {"site": site.name}
        )
    if not config["site_key"] and asks_secret and not secret.strip():
        raise ValidationError(_("Tempel kunci SSH privat, atau centang Pakai kunci SSH situs."))


def _prefill(kind: str, site: Any) -> dict[str, Any]:
    """What the site's page already says, for the fields the kind's ``prefill`` names (its database's only
    when the page's database is of this kind)."""
    context: dict[str, Any] = {"web_root": site.web_root, "cms": site.cms, "server_host": site.server_host,
                               "server_port": site.server_port, "server_user": site.server_user,
                               "server_key": bool(str(site.server_ssh_key or "").strip())}  # fmt: skip
    if site.db_engine == kind:
        context.update(db_host=site.db_host, db_port=site.db_port, db_name=site.db_name, db_user=site.db_user)
    prefill = REGISTRY.get(kind).Config.prefill
    return {name: context[key] for name, key in prefill.items() if context.get(key)}


@login_required
def repository_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Create the restic repository now (``restic init``, or adopt the one already at the location); a failure
    is shown on the form and nothing is kept."""
    institution = institution_for(request, slug, "admin")
    kind_name = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind_name not in BACKENDS:
        kinds = [{"key": key, "label": label, "description": BACKENDS.entry(key).description}
                 for key, label in BACKENDS.choices()]  # fmt: skip
        return render(request, "backups/repository_kind_pick.html", {"institution": institution, "kinds": kinds})
    backend = BACKENDS.get(kind_name)
    data = request.POST if request.method == "POST" else None
    form = RepositoryForm(data, backend=backend)
    options_form = KindConfigForm(backend.Config, data=data, field_prefix=CONFIG_PREFIX)
    if data is not None and form.is_valid() and options_form.is_valid() and options_form.config is not None:
        values = form.cleaned_data
        try:
            with transaction.atomic():
                repository = repository_create(
                    institution=institution, name=values["name"], kind=kind_name, location=values["location"].strip(),
                    password=values["password"], options=config_dump(options_form.config),
                    credentials=values.get("credentials", ""),
                )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        except (ResticError, MediumMissing) as error:
            form.add_error(None, _("Repositori tidak dapat dibuat: %(e)s") % {"e": error.message})
        else:
            messages.success(
                request,
                _("Repositori %(name)s dibuat. Cetak lembar pemulihannya sekarang dan simpan di tempat aman.")
                % {"name": repository.name},
            )
            return redirect(repository.get_absolute_url())
    context = {
        "institution": institution, "form": form, "options_form": options_form, "kind": kind_name,
        "kind_label": BACKENDS.entry(kind_name).label, "kind_description": BACKENDS.entry(kind_name).description,
    }  # fmt: skip
    return render(request, "backups/repository_new.html", context)
