from django.urls import path

from jaga.incidents.views import incidents, maintenance, vendors

app_name = "incidents"

urlpatterns = [
    path("<slug:slug>/", incidents.incident_list, name="list"),
    path("<slug:slug>/situs/<int:site_id>/", incidents.site_incidents, name="site_list"),
    path("<slug:slug>/situs/<int:site_id>/lapor/", incidents.incident_new, name="new"),
    path("<slug:slug>/situs/<int:site_id>/pemeliharaan/", maintenance.site_maintenance, name="maintenance"),
    path("<slug:slug>/<int:incident_id>/", incidents.incident_view, name="detail"),
    path("<slug:slug>/<int:incident_id>/tangani/", incidents.incident_acknowledge_view, name="acknowledge"),
    path("<slug:slug>/<int:incident_id>/diagnosis/", incidents.incident_diagnose_view, name="diagnose"),
    path("<slug:slug>/<int:incident_id>/entri/", incidents.incident_entry_view, name="entry"),
    path("<slug:slug>/<int:incident_id>/status/", incidents.incident_state_view, name="state"),
    path("<slug:slug>/<int:incident_id>/eskalasi/", incidents.incident_escalate_view, name="escalate"),
    path("<slug:slug>/<int:incident_id>/vendor/", incidents.incident_vendor_view, name="vendor"),
    path("<slug:slug>/<int:incident_id>/tinjauan/", incidents.incident_review_view, name="review"),
    path("<slug:slug>/lampiran/<int:entry_id>/", incidents.attachment_download, name="attachment"),
    path("<slug:slug>/vendor/", vendors.vendor_list, name="vendors"),
    path("<slug:slug>/vendor/<int:vendor_id>/", vendors.vendor_edit, name="vendor_edit"),
    path("<slug:slug>/vendor/<int:vendor_id>/hapus/", vendors.vendor_delete_view, name="vendor_delete"),
]
