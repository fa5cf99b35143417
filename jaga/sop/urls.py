from django.urls import path

from jaga.sop import views

app_name = "sop"

urlpatterns = [
    path("<slug:slug>/", views.institution_dashboard, name="institution_dashboard"),
    path("<slug:slug>/situs/<int:site_id>/", views.site_dashboard, name="site_dashboard"),
    path("<slug:slug>/sop/", views.sop_detail, name="sop_detail"),
    path("<slug:slug>/aktivitas/<int:number>/", views.compliance, name="compliance"),
    path("<slug:slug>/aktivitas/<int:number>/catat/", views.record, name="record"),
    path("<slug:slug>/bukti/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
]
