"""The report pages: the archive and drafts, the build form, one report (its letter, its edits, sending it,
the Secretary's "Mengetahui"), its PDF and the CSV of its tables. Every fetch goes through the permission
helper; the services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jaga.core import clock
from jaga.core.confirm import confirmation_page
from jaga.core.models import Institution
from jaga.core.permissions import Action, get_for_user, user_can
from jaga.reports import delivery, scheduled, selectors, services
from jaga.reports.builders import REGISTRY
from jaga.reports.builders.common import conclusions_text
from jaga.reports.export import table_csv, tables_zip
from jaga.reports.forms import AcknowledgeForm, ReportCreateForm, ReportEditForm, ReportScheduleForm, previous_month
from jaga.reports.models import Report, ReportSchedule


def _institution(request: HttpRequest, slug: str, action: Action = "view") -> Institution:
    return get_for_user(request.user, Institution, action=action, slug=slug)  # type: ignore[arg-type]


def _report(request: HttpRequest, slug: str, report_id: int, action: Action = "view") -> Report:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        selectors.report_detail(report_id=report_id),
        action=action,
        pk=report_id,
        institution__slug=slug,
    )


def _can(request: HttpRequest, institution: Institution, action: Action) -> bool:
    return user_can(request.user, institution, action)  # type: ignore[arg-type]


def institution_today(institution: Institution) -> Any:
    from zoneinfo import ZoneInfo

    return clock.now().astimezone(ZoneInfo(institution.time_zone)).date()


@login_required
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    institution = _institution(request, slug)
    kind = request.GET.get("jenis", "")
    rows = [
        {"report": report, "state": selectors.report_state(report), "kind_label": selectors.kind_label(report.kind)}
        for report in selectors.reports_for(institution=institution, kind=kind)[:200]
    ]
    context = {
        "institution": institution,
        "rows": rows,
        "kinds": REGISTRY.choices(),
        "kind": kind,
        "can_operate": _can(request, institution, "operate"),
        "awaiting": selectors.reports_awaiting_acknowledgement(institution=institution).count(),
        "last_month": previous_month(institution_today(institution)),
        "schedules": selectors.report_schedules_for(institution=institution),
    }
    return render(request, "reports/report_list.html", context)


@login_required
def report_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    institution = _institution(request, slug, "operate")
    period = previous_month(institution_today(institution))
    initial = {"kind": "situation", "period_start": period.start, "period_end": period.end, "language": "id"}
    form = ReportCreateForm(request.POST or None, institution=institution, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                institution=institution,
                kind=form.cleaned_data["kind"],
                period=form.period,
                site=form.cleaned_data["site"],
                language=form.cleaned_data["language"],
                created_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(report.get_absolute_url())
    context = {"institution": institution, "form": form, "title": _("Susun laporan")}
    return render(request, "reports/report_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def report_quick(request: HttpRequest, slug: str) -> HttpResponse:
    """One click: the draft of last month's situation report for the whole institution."""
    institution = _institution(request, slug, "operate")
    report = services.report_create(
        institution=institution,
        kind="situation",
        period=previous_month(institution_today(institution)),
        created_by=request.user,  # type: ignore[arg-type]
    )
    return redirect(report.get_absolute_url())


def _detail_context(request: HttpRequest, report: Report, **forms: Any) -> dict[str, Any]:
    institution = report.institution
    document = services.report_build(report=report)
    can_operate = _can(request, institution, "operate")
    if not report.is_issued and can_operate and "edit_form" not in forms:
        forms["edit_form"] = ReportEditForm(
            initial={
                "conclusions": report.conclusions
                if report.conclusions_edited
                else conclusions_text(document.conclusions, document.recommendations),
                "signer_name": report.signer_name,
                "signer_position": report.signer_position or document.signer.get("position", ""),
                "signer_nip": report.signer_nip,
            }
        )
    may_acknowledge = (
        report.is_sent and not report.is_acknowledged and delivery.may_acknowledge(user=request.user, report=report)  # type: ignore[arg-type]
    )
    if may_acknowledge and "ack_form" not in forms:
        forms["ack_form"] = AcknowledgeForm()
    return {
        "institution": institution,
        "report": report,
        "doc": document,
        "state": selectors.report_state(report),
        "kind_label": selectors.kind_label(report.kind),
        "tables": [table for table in document.tables() if table.rows],
        "csv_groups": _csv_groups(document),
        "can_operate": can_operate,
        "may_acknowledge": may_acknowledge,
        "span": selectors.report_ledger_span(report=report),
        **forms,
    }


def _csv_groups(document: Any) -> list[dict[str, Any]]:
    """The tables with rows, by the part of the letter they belong to (B, then each section of C): a visitor log
    of ten sites has some ninety tables, listed under their section rather than as ninety buttons."""
    groups = []
    if document.activities and document.activities.rows:
        groups.append({"title": document.labels.get("b", ""), "tables": [document.activities]})
    for section in document.sections:
        tables = [table for table in section.tables if table.rows]
        if tables:
            groups.append({"title": section.title, "tables": tables})
    return groups


@login_required
def report_detail(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, report_id)
    return render(request, "reports/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_edit(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, report_id, "operate")
    form = ReportEditForm(request.POST)
    if not form.is_valid():
        return render(
            request, "reports/report_detail.html", _detail_context(request, report, edit_form=form), status=400
        )
    try:
        services.report_draft_update(report=report, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Konsep disimpan."))
    return redirect(report.get_absolute_url())


@login_required
@require_POST
def report_send_view(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, report_id, "operate")
    if report.is_sent:
        messages.info(request, _("Laporan ini sudah dikirim."))
        return redirect(report.get_absolute_url())
    try:
        report = delivery.report_send(report=report, user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(
            request, _("Laporan %(number)s diterbitkan dan dikirim kepada Sekretaris.") % {"number": report.number}
        )
    return redirect(report.get_absolute_url())


@login_required
@require_POST
def report_acknowledge_view(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, report_id)
    if not delivery.may_acknowledge(user=request.user, report=report):  # type: ignore[arg-type]
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return render(
            request, "reports/report_detail.html", _detail_context(request, report, ack_form=form), status=400
        )
    try:
        delivery.report_acknowledge(
            report=report,
            user=request.user,  # type: ignore[arg-type]
            disposition=form.cleaned_data["disposition"],
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Laporan ditandai Mengetahui."))
    return redirect(report.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])  # a GET (a link) only asks
def report_delete_view(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, report_id, "operate")
    asked = confirmation_page(
        request,
        title=_("Hapus konsep laporan"),
        question=_("Hapus konsep %(kind)s %(start)s–%(end)s?")
        % {
            "kind": selectors.kind_label(report.kind),
            "start": date_format(report.period_start, "j F Y"),
            "end": date_format(report.period_end, "j F Y"),
        },
        consequences=_("Konsep ini belum bernomor dan belum dikirim; yang dihapus tidak dapat dikembalikan."),
        confirm_label=_("Ya, hapus konsep"),
        cancel_url=report.get_absolute_url(),
        extra={"institution": report.institution},
    )
    if asked is not None:
        return asked
    try:
        services.report_draft_delete(report=report)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(report.get_absolute_url())
    messages.success(request, _("Konsep dihapus."))
    return redirect(reverse("reports:report_list", kwargs={"slug": slug}))


def _filename(report: Report, extension: str, suffix: str = "") -> str:
    base = report.number.replace("/", "-") if report.number else f"konsep-{report.kind}-{report.period_start}"
    return f"{base}{suffix}.{extension}"


@login_required
def report_pdf(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    """The PDF as sent (an issued report's stored file, never re-rendered) or a draft's preview."""
    report = _report(request, slug, report_id)
    data = services.report_pdf_bytes(report=report)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if request.GET.get("lihat") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_filename(report, "pdf")}"'
    if report.pdf_sha256:
        response["X-Content-SHA256"] = report.pdf_sha256
    return response


@login_required
def report_csv(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, report_id)
    key = request.GET.get("tabel", "")
    document = services.report_build(report=report)
    table = next((t for t in document.tables() if t.key == key), None)
    if table is None:
        raise Http404
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv", "-" + key)}"'
    return response


@login_required
def report_csv_zip(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    """Every table of the report as one CSV each, in one zip (one download for a report of many tables)."""
    report = _report(request, slug, report_id)
    document = services.report_build(report=report)
    tables = [table for table in document.tables() if table.rows]
    if not tables:
        raise Http404
    response = HttpResponse(tables_zip(tables), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "zip", "-csv")}"'
    return response


@login_required
def report_archive_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The register of every report (number, period, state, sent, acknowledged, disposition) as CSV."""
    institution = _institution(request, slug)
    table = selectors.report_archive_table(institution=institution, kind=request.GET.get("jenis", ""))
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="arsip-laporan-{institution.slug}.csv"'
    return response


@login_required
def schedule_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    institution = _institution(request, slug, "operate")
    form = ReportScheduleForm(request.POST or None, institution=institution, initial={"language": "id"})
    if request.method == "POST" and form.is_valid():
        try:
            scheduled.report_schedule_create(
                institution=institution, created_by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Jadwal laporan disimpan."))
            return redirect(reverse("reports:report_list", kwargs={"slug": slug}))
    context = {"institution": institution, "form": form, "title": _("Jadwal laporan baru")}
    return render(request, "reports/report_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])  # a GET (a link) only asks
def schedule_delete_view(request: HttpRequest, slug: str, schedule_id: int) -> HttpResponse:
    institution = _institution(request, slug, "operate")
    report_schedule = get_for_user(
        request.user,  # type: ignore[arg-type]
        ReportSchedule.objects.filter(institution=institution),
        action="operate",
        pk=schedule_id,
    )
    asked = confirmation_page(
        request,
        title=_("Hapus jadwal laporan"),
        question=_("Hapus jadwal %(kind)s (%(cadence)s)?")
        % {"kind": selectors.kind_label(report_schedule.kind), "cadence": report_schedule.get_cadence_display()},
        consequences=_("Laporan yang sudah dibuatnya tetap di arsip."),
        confirm_label=_("Ya, hapus jadwal"),
        cancel_url=reverse("reports:report_list", kwargs={"slug": slug}),
        extra={"institution": institution},
    )
    if asked is not None:
        return asked
    scheduled.report_schedule_delete(report_schedule=report_schedule)
    messages.success(request, _("Jadwal laporan dihapus; laporan yang sudah dibuatnya tetap di arsip."))
    return redirect(reverse("reports:report_list", kwargs={"slug": slug}))
