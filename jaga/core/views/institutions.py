from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jaga.core.forms import InstitutionForm, MembershipForm, SiteForm
from jaga.core.models import Institution, Membership, Role, Site
from jaga.core.permissions import get_for_user, user_can, user_roles
from jaga.core.selectors import members_of
from jaga.core.services import membership_add, membership_remove
from jaga.core.views.common import institution_for


def _abilities(request: HttpRequest, institution: Institution) -> dict[str, bool]:
    user = request.user
    return {
        "can_admin": user_can(user, institution, "admin"),
        "can_operate": user_can(user, institution, "operate"),
        "can_audit": user_can(user, institution, "admin") or Role.AUDITOR in user_roles(user, institution),
    }


@login_required
def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    return render(
        request,
        "core/institution_detail.html",
        {"institution": institution, "sites": institution.sites.all(), **_abilities(request, institution)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_create(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_superuser", False):
        raise PermissionDenied
    form = InstitutionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        institution = form.save()
        messages.success(request, _("Instansi %(name)s dibuat.") % {"name": institution.name})
        return redirect("core:institution_detail", slug=institution.slug)
    return render(request, "core/form.html", {"form": form, "title": _("Instansi baru")})


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug, "admin")
    form = InstitutionForm(request.POST or None, request.FILES or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        institution = form.save()
        messages.success(request, _("Perubahan disimpan."))
        return redirect("core:institution_detail", slug=institution.slug)
    return render(
        request,
        "core/form.html",
        {"form": form, "institution": institution, "title": _("Ubah instansi %(name)s") % {"name": institution.name}},
    )


@login_required
def site_detail(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site, action="view", pk=site_id, institution__slug=slug)
    return render(
        request,
        "core/site_detail.html",
        {"site": site, "institution": site.institution, **_abilities(request, site.institution)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug, "operate")
    form = SiteForm(request.POST or None, instance=Site(institution=institution))
    if request.method == "POST" and form.is_valid():
        site = form.save()
        messages.success(request, _("Situs %(name)s ditambahkan.") % {"name": site.name})
        return redirect("core:site_detail", slug=slug, site_id=site.pk)
    return render(request, "core/form.html", {"form": form, "institution": institution, "title": _("Situs baru")})


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site, action="operate", pk=site_id, institution__slug=slug)
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Perubahan disimpan."))
        return redirect("core:site_detail", slug=slug, site_id=site.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "institution": site.institution, "title": _("Ubah situs %(name)s") % {"name": site.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_list(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug, "admin")
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = membership_add(
            institution=institution,
            username=data["username"],
            role=data["role"],
            password=data["password"],
            full_name=data["full_name"],
            email=data["email"],
        )
        messages.success(request, _("%(who)s ditambahkan.") % {"who": membership})
        return redirect("core:membership_list", slug=slug)
    return render(
        request,
        "core/membership_list.html",
        {"institution": institution, "memberships": members_of(institution=institution), "form": form},
    )


@login_required
@require_POST
def membership_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_for_user(request.user, Membership, action="admin", pk=pk, institution__slug=slug)
    admins = Membership.objects.filter(institution=membership.institution, role=Role.ADMINISTRATOR)
    if membership.role == Role.ADMINISTRATOR and admins.count() <= 1:
        messages.error(request, _("Administrator terakhir instansi tidak dapat dihapus."))
    else:
        membership_remove(membership=membership)
        messages.success(request, _("Keanggotaan dihapus."))
    return redirect("core:membership_list", slug=slug)
