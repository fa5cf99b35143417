from django.urls import path

from jaga.reports import views, views_packs

app_name = "reports"

urlpatterns = [
    path("<slug:slug>/", views.report_list, name="report_list"),
    path("<slug:slug>/baru/", views.report_create_view, name="report_create"),
    path("<slug:slug>/arsip.csv", views.report_archive_csv, name="report_archive_csv"),
    path("<slug:slug>/bulan-lalu/", views.report_quick, name="report_quick"),
    path("<slug:slug>/jadwal/baru/", views.schedule_create_view, name="schedule_create"),
    path("<slug:slug>/jadwal/<int:schedule_id>/hapus/", views.schedule_delete_view, name="schedule_delete"),
    path("<slug:slug>/paket-bukti/", views_packs.evidence_list, name="evidence_list"),
    path("<slug:slug>/paket-bukti/<int:pack_id>/", views_packs.evidence_detail, name="evidence_detail"),
    path("<slug:slug>/paket-bukti/<int:pack_id>/unduh/", views_packs.evidence_download, name="evidence_download"),
    path("<slug:slug>/<int:report_id>/", views.report_detail, name="report_detail"),
    path("<slug:slug>/<int:report_id>/ubah/", views.report_edit, name="report_edit"),
    path("<slug:slug>/<int:report_id>/kirim/", views.report_send_view, name="report_send"),
    path("<slug:slug>/<int:report_id>/mengetahui/", views.report_acknowledge_view, name="report_acknowledge"),
    path("<slug:slug>/<int:report_id>/hapus/", views.report_delete_view, name="report_delete"),
    path("<slug:slug>/<int:report_id>/pdf/", views.report_pdf, name="report_pdf"),
    path("<slug:slug>/<int:report_id>/csv/", views.report_csv, name="report_csv"),
    path("<slug:slug>/<int:report_id>/csv.zip", views.report_csv_zip, name="report_csv_zip"),
]
