from django.urls import path

from jaga.incidents import views

app_name = "incidents"

urlpatterns = [
    path("<slug:slug>/", views.incident_list, name="list"),
    path("<slug:slug>/situs/<int:site_id>/", views.site_incidents, name="site_list"),
    path("<slug:slug>/situs/<int:site_id>/lapor/", views.incident_new, name="new"),
    path("<slug:slug>/<int:incident_id>/", views.incident_view, name="detail"),
    path("<slug:slug>/<int:incident_id>/tangani/", views.incident_acknowledge_view, name="acknowledge"),
    path("<slug:slug>/<int:incident_id>/entri/", views.incident_entry_view, name="entry"),
    path("<slug:slug>/<int:incident_id>/status/", views.incident_state_view, name="state"),
    path("<slug:slug>/lampiran/<int:entry_id>/", views.attachment_download, name="attachment"),
]
