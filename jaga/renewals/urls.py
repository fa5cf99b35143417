from django.urls import path

from jaga.renewals import demo_rdap
from jaga.renewals.views import cases, feeds, register

app_name = "renewals"

urlpatterns = [
    path("kalender/<str:token>.ics", feeds.feed, name="feed"),
    path("demo-rdap/domain/<str:name>", demo_rdap.domain, name="demo_rdap"),
    path("<slug:slug>/", register.register, name="register"),
    path("<slug:slug>/menunggu-saya/", cases.waiting, name="waiting"),
    path("<slug:slug>/kalender/", feeds.feed_list, name="feeds"),
    path("<slug:slug>/kalender/<int:pk>/cabut/", feeds.feed_revoke_view, name="feed_revoke"),
    path("<slug:slug>/layanan/baru/", register.service_create_view, name="service_create"),
    path("<slug:slug>/layanan/<int:service_id>/", register.service_detail, name="service_detail"),
    path("<slug:slug>/layanan/<int:service_id>/ubah/", register.service_edit, name="service_edit"),
    path("<slug:slug>/layanan/<int:service_id>/periksa/", register.service_check, name="service_check"),
    path("<slug:slug>/layanan/<int:service_id>/tanggal-manual/", register.service_override, name="service_override"),
    path("<slug:slug>/layanan/<int:service_id>/dokumen/", register.service_document_add, name="service_document_add"),
    path("<slug:slug>/layanan/<int:service_id>/buka-kasus/", register.case_open_view, name="case_open"),
    path("<slug:slug>/kasus/<int:case_id>/", cases.case_view, name="case_detail"),
    path("<slug:slug>/kasus/<int:case_id>/langkah/", cases.case_step, name="case_step"),
    path("<slug:slug>/kasus/<int:case_id>/tolak/", cases.case_reject_view, name="case_reject"),
    path("<slug:slug>/dokumen/<int:document_id>/", register.document_download, name="document_download"),
]
