"""The site's URLs plus a view that fails, for the error-page tests (the handlers come from jaga.urls)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from jaga.core.models import Site
from jaga.urls import handler400, handler403, handler404, handler500
from jaga.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    Site.objects.count()  # the database is what fails, in the test that blocks it
    raise RuntimeError("kesalahan buatan / a made-up error")


urlpatterns = [path("uji/galat/", boom), *site_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
