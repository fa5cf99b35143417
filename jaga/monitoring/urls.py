"""Monitoring URLs, included once at the root: the pages under ``/monitoring/`` (namespace ``monitoring``),
the public status page ``/status/<institution>/<site>/`` and ``/metrics``. Its API router is registered
with core's API in ``MonitoringConfig.ready()``."""

from django.urls import URLPattern, URLResolver, include, path

from jaga.monitoring import metrics, views

pages: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("sites/<int:site_id>/", views.site_monitors, name="site_monitors"),
    path("sites/<int:site_id>/new/", views.monitor_create, name="monitor_create"),
    path("sites/<int:site_id>/test/", views.monitor_test, name="monitor_test"),
    path("sites/<int:site_id>/freshness/", views.site_freshness, name="site_freshness"),
    path("sites/<int:site_id>/maintenance/", views.maintenance_list, name="maintenance_list"),
    path("maintenance/<int:pk>/delete/", views.maintenance_delete, name="maintenance_delete"),
    path("findings/<int:pk>/acknowledge/", views.finding_acknowledge, name="finding_acknowledge"),
    path("<int:pk>/", views.monitor_detail, name="monitor_detail"),
    path("<int:pk>/chart/", views.monitor_chart, name="monitor_chart"),
    path("<int:pk>/edit/", views.monitor_edit, name="monitor_edit"),
    path("<int:pk>/test/", views.monitor_test, name="monitor_test_saved"),
    path("<int:pk>/pause/", views.monitor_pause, name="monitor_pause"),
    path("<int:pk>/resume/", views.monitor_resume, name="monitor_resume"),
    path("<int:pk>/delete/", views.monitor_delete, name="monitor_delete"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("monitoring/", include((pages, "monitoring"))),
    path("status/<slug:slug>/<int:site_id>/", views.public_status, name="public_status"),
    path("status/<slug:slug>/<int:site_id>/logo", views.public_status_logo, name="public_status_logo"),
    path(
        "status/<slug:slug>/<int:site_id>/chart/<int:monitor_id>/",
        views.public_status_chart,
        name="public_status_chart",
    ),
    path("metrics", metrics.metrics_view, name="metrics"),
]
