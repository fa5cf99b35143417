from django.urls import path

from jaga.traffic import views

app_name = "traffic"

urlpatterns = [
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/aturan/", views.rules_list, name="rules"),
    path("<slug:slug>/aturan/baru/", views.rule_edit, name="rule_new"),
    path("<slug:slug>/aturan/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("<slug:slug>/aturan/<int:rule_id>/aktif/", views.rule_active, name="rule_active"),
    path("<slug:slug>/aturan/<int:rule_id>/hapus/", views.rule_delete, name="rule_delete"),
    path("<slug:slug>/situs/<int:site_id>/", views.site_panels, name="site"),
    path("<slug:slug>/situs/<int:site_id>/deteksi/", views.site_detections, name="detections"),
    path("<slug:slug>/situs/<int:site_id>/blokir/<slug:format_key>/", views.site_blocklist, name="blocklist"),
]
