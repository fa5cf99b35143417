from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("sop/", include("jaga.sop.urls")),
    path("", include("jaga.monitoring.urls")),
    path("demo-situs/", include("jaga.demo.urls")),  # the demo court site; answers only after `jaga demo`
    path("", include("jaga.core.urls")),
]
