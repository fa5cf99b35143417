from django.contrib import admin
from django.urls import include, path

from jaga.core.api import api_urls, redoc_script
from jaga.core.views import account

# Error pages in Jaga's layout and language (jaga/core/views/errors.py).
handler400 = "jaga.core.views.errors.bad_request"
handler403 = "jaga.core.views.errors.permission_denied"
handler404 = "jaga.core.views.errors.page_not_found"
handler500 = "jaga.core.views.errors.server_error"

urlpatterns = [
    # The language switch: Django's, plus the signed-in user's saved choice (jaga/core/language.py).
    path("i18n/setlang/", account.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # The one REST API; each app's router is registered from its ready() (jaga/core/api.py).
    path("api/docs/redoc.standalone.js", redoc_script, name="api_docs_js"),
    path("api/", api_urls()),
    path("sop/", include("jaga.sop.urls")),
    path("backups/", include("jaga.backups.urls")),
    path("renewals/", include("jaga.renewals.urls")),
    path("reports/", include("jaga.reports.urls")),
    path("incidents/", include("jaga.incidents.urls")),
    path("traffic/", include("jaga.traffic.urls")),
    path("", include("jaga.monitoring.urls")),
    path("demo-situs/", include("jaga.demo.urls")),  # the demo court site; answers only after `jaga demo`
    path("", include("jaga.core.urls")),
]
