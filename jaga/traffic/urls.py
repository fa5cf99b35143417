from django.urls import path

from jaga.traffic import views

app_name = "traffic"

urlpatterns = [
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/situs/<int:site_id>/", views.site_panels, name="site"),
    path("<slug:slug>/situs/<int:site_id>/deteksi/", views.site_detections, name="detections"),
    path("<slug:slug>/situs/<int:site_id>/blokir/<slug:format_key>/", views.site_blocklist, name="blocklist"),
]
