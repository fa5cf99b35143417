"""A renewal case: its steps, documents and the form of the step that waits; each person's waiting list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.core.forms import form_errors_add
from jaga.core.permissions import get_for_user
from jaga.renewals.forms import RejectForm, StepForm
from jaga.renewals.models import CaseState, RenewalCase
from jaga.renewals.selectors import case_actions, case_detail, cases_waiting_for, today_for
from jaga.renewals.services.workflow import (
    REJECTIONS,
    WAITING_FOR,
    CaseConflict,
    case_reject,
    case_step_take,
    step_for,
)
from jaga.renewals.views.common import institution_for


def _case(request: HttpRequest, slug: str, case_id: int, action: Any = "view") -> RenewalCase:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        case_detail(case_id=case_id),
        action=action,
        pk=case_id,
        institution__slug=slug,
    )


def _context(request: HttpRequest, case: RenewalCase, **forms: Any) -> dict[str, Any]:
    from jaga.core.models import Role

    actions = case_actions(user=request.user, case=case)
    step = actions["step"]
    if step is not None and "step_form" not in forms and actions["may_step"]:
        forms["step_form"] = StepForm(step=step, initial={"version": case.version, "action": step.action})
    if "reject_form" not in forms and actions["may_reject"]:
        forms["reject_form"] = RejectForm(initial={"version": case.version})
    waiting_roles = [Role(role).label for role in WAITING_FOR.get(case.state, ())]
    today = today_for(case.institution)
    order = list(CaseState.values)
    here = order.index(case.state)
    chain = [
        {"label": CaseState(state).label, "css": "done" if i < here else ("current" if i == here else "")}
        for i, state in enumerate(order)
    ]
    return {
        "chain": chain,
        "institution": case.institution,
        "case": case,
        "service": case.service,
        "days_left": (case.service.expires_on - today).days if case.service.expires_on else None,
        "documents": case.documents.all(),
        "steps": case.steps.all(),
        "waiting_roles": waiting_roles,
        "rejection": REJECTIONS.get(case.state),
        **actions,
        **forms,
    }


@login_required
def case_view(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    return render(request, "renewals/case_detail.html", _context(request, case))


@login_required
@require_POST
def case_step(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    step = step_for(case)
    if step is None:
        messages.error(request, _("Kasus ini sudah selesai."))
        return redirect(case.get_absolute_url())
    if request.POST.get("action") and request.POST.get("action") != step.action:
        messages.error(
            request,
            _("Kasus ini sudah pindah ke tahap %(state)s; langkah Anda tidak disimpan. Periksa lagi.")
            % {"state": case.get_state_display()},
        )
        return redirect(case.get_absolute_url())
    form = StepForm(request.POST, request.FILES, step=step)
    if not form.is_valid():
        return render(request, "renewals/case_detail.html", _context(request, case, step_form=form), status=400)
    data = form.cleaned_data
    try:
        case_step_take(
            case=case,
            action=step.action,
            user=request.user,
            version=data["version"],
            note=data.get("note", ""),
            upload=data.get("upload"),
            invoice_number=data.get("invoice_number", ""),
            invoice_amount=data.get("invoice_amount"),
            invoice_due_on=data.get("invoice_due_on"),
            expires_on=data.get("expires_on"),
        )
    except CaseConflict as exc:
        messages.error(request, str(exc))
        return redirect(case.get_absolute_url())
    except PermissionDenied:
        raise
    except ValidationError as exc:
        form_errors_add(form, exc)
        return render(request, "renewals/case_detail.html", _context(request, case, step_form=form), status=400)
    messages.success(request, _("Langkah disimpan: %(step)s.") % {"step": step.label})
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def case_reject_view(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return render(request, "renewals/case_detail.html", _context(request, case, reject_form=form), status=400)
    try:
        case_reject(
            case=case, user=request.user, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )
    except CaseConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        form.add_error("reason", exc.messages)
        return render(request, "renewals/case_detail.html", _context(request, case, reject_form=form), status=400)
    else:
        messages.success(request, _("Ditolak; kasus dikembalikan dengan alasannya."))
    return redirect(case.get_absolute_url())


@login_required
def waiting(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    context = {"institution": institution, "waiting": cases_waiting_for(user=request.user, institution=institution)}
    return render(request, "renewals/waiting.html", context)
