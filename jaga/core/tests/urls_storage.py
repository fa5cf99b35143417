"""The site's URLs plus a view that writes to the SQLite file named by ``settings.STORAGE_TEST_DATABASE``
through Django's own SQLite back end (the storage tests put it on a small, full tmpfs)."""

from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import path

from jaga.urls import handler400, handler403, handler404, handler500
from jaga.urls import urlpatterns as site_urlpatterns


def write(request: HttpRequest) -> HttpResponse:
    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": settings.STORAGE_TEST_DATABASE,
        "OPTIONS": {},
    }
    connection = DatabaseWrapper(settings_dict, alias="full")
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS t (b BLOB)")
            cursor.execute("INSERT INTO t VALUES (randomblob(2000000))")
    finally:
        connection.close()
    return HttpResponse("disimpan")


urlpatterns = [path("uji/tulis/", write), *site_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
