from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jaga.core.confirm import confirmation_page
from jaga.core.forms import InstitutionForm, MembershipForm, MembershipRoleForm, OneTimePasswordForm, SiteForm
from jaga.core.models import Institution, Membership, Role, Site
from jaga.core.passwords import reset_by_email_available
from jaga.core.permissions import get_for_user, user_can, user_roles
from jaga.core.selectors import members_of, memberships_of_user, password_settable_by
from jaga.core.services import (
    membership_add,
    membership_remove,
    membership_role_change,
    password_set_by_administrator,
)
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
def site_delete(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    """Administrators remove a site from Jaga, after confirming. Its ledger entries stay (without the site)."""
    site = get_for_user(request.user, Site, action="admin", pk=site_id, institution__slug=slug)
    asked = confirmation_page(
        request,
        title=_("Hapus situs %(name)s") % {"name": site.name},
        question=_("Hapus situs %(name)s (%(url)s) dari Jaga?") % {"name": site.name, "url": site.base_url},
        consequences=_(
            "Monitor, hasil pemeriksaan dan jadwal situs ini ikut dihapus. Catatan buku kegiatan SOP tetap "
            "disimpan sebagai bukti. Untuk berhenti sementara, ubah situs menjadi tidak aktif."
        ),
        cancel_url=reverse("core:site_detail", kwargs={"slug": slug, "site_id": site.pk}),
        extra={"institution": site.institution},
    )
    if asked is not None:
        return asked
    name = site.name
    site.delete()
    messages.success(request, _("Situs %(name)s dihapus.") % {"name": name})
    return redirect("core:institution_detail", slug=slug)


def _member_rows(
    request: HttpRequest, institution: Institution, bound: MembershipRoleForm | None = None
) -> list[dict[str, object]]:
    """One row per membership, each with its role form (``bound``: the one that was just sent, with errors)."""
    return [
        {
            "membership": membership,
            "role_form": bound
            if bound is not None and bound.membership.pk == membership.pk
            else MembershipRoleForm(
                initial={"role": membership.role}, membership=membership, prefix=f"m{membership.pk}"
            ),
            "may_set_password": password_settable_by(actor=request.user, target=membership.user),
        }
        for membership in members_of(institution=institution)
    ]


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
        {
            "institution": institution,
            "rows": _member_rows(request, institution),
            "form": form,
            "reset_by_email": reset_by_email_available(),
        },
    )


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change the role a membership holds (the last Administrator keeps theirs)."""
    membership = get_for_user(request.user, Membership, action="admin", pk=pk, institution__slug=slug)
    form = MembershipRoleForm(request.POST, membership=membership, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            changed = membership_role_change(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Peran %(user)s sekarang %(role)s.")
                % {"user": changed.user.get_username(), "role": changed.get_role_display()},
            )
        return redirect("core:membership_list", slug=slug)
    institution = membership.institution
    return render(
        request,
        "core/membership_list.html",
        {
            "institution": institution,
            "rows": _member_rows(request, institution, bound=form),
            "form": MembershipForm(),
            "reset_by_email": reset_by_email_available(),
        },
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_for_user(request.user, Membership, action="admin", pk=pk, institution__slug=slug)
    asked = confirmation_page(
        request,
        title=_("Hapus keanggotaan"),
        question=_("Cabut peran %(role)s dari %(user)s di %(institution)s?")
        % {
            "role": membership.get_role_display(),
            "user": membership.user.get_full_name() or membership.user.get_username(),
            "institution": membership.institution.name,
        },
        consequences=_("Akunnya tetap ada; ia tidak lagi dapat membuka instansi ini dengan peran tersebut."),
        confirm_label=_("Ya, cabut peran"),
        cancel_url=reverse("core:membership_list", kwargs={"slug": slug}),
        extra={"institution": membership.institution},
    )
    if asked is not None:
        return asked
    try:
        membership_remove(membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Keanggotaan dihapus."))
    return redirect("core:membership_list", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def membership_password(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An Administrator gives a member a one-time password, to be changed at the member's next log-in."""
    membership = get_for_user(request.user, Membership, action="admin", pk=pk, institution__slug=slug)
    target = membership.user
    if not password_settable_by(actor=request.user, target=target):
        raise PermissionDenied
    form = OneTimePasswordForm(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_set_by_administrator(user=target, password=form.cleaned_data["new_password1"])
        messages.success(
            request,
            _(
                "Kata sandi sekali pakai untuk %(user)s disimpan. Sampaikan secara langsung; ia wajib "
                "menggantinya saat masuk berikutnya."
            )
            % {"user": target.get_username()},
        )
        return redirect("core:membership_list", slug=slug)
    return render(
        request,
        "core/membership_password.html",
        {
            "institution": membership.institution,
            "membership": membership,
            "target": target,
            "form": form,
            "reset_by_email": reset_by_email_available(),
            "other_memberships": memberships_of_user(user=target).exclude(pk=membership.pk),
        },
    )
