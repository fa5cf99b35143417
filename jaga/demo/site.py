"""The demo court website, served by Jaga on its own address under ``/demo-situs/``.

It answers only while the demo institution exists (after ``jaga demo``), so a production Jaga never shows a
fake court. News dates are relative to today, so the freshness monitor finds a maintained site.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.http import http_date

from jaga.core import clock
from jaga.core.models import Institution
from jaga.demo.content import DEMO_COURT, DEMO_SLUG, HEARINGS, INFO_PAGES, LINKS, NEWS, PAGES, STRUCTURE, News

ENGINE = Engine(dirs=[str(Path(__file__).resolve().parent / "templates")], autoescape=True)
ZONE = ZoneInfo("Asia/Jakarta")


def _published(news: News, today: dt.date) -> dt.datetime:
    day = today - dt.timedelta(days=news.days_ago)
    return dt.datetime(day.year, day.month, day.day, news.hour, 0, tzinfo=ZONE)


def news_items(*, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    today = (now or clock.now()).astimezone(ZONE).date()
    return [{"news": news, "published": _published(news, today)} for news in NEWS]


def _demo_active() -> None:
    if not Institution.objects.filter(slug=DEMO_SLUG).exists():
        raise Http404("Situs demo hanya tersedia setelah `jaga demo` / run `jaga demo` first")


def _render(request: HttpRequest, name: str, context: dict[str, Any], content_type: str = "text/html") -> HttpResponse:
    _demo_active()
    items = news_items()
    base = request.build_absolute_uri("/demo-situs/")
    full = {"court": DEMO_COURT, "base": base, "news_items": items, "links": LINKS, "pages": PAGES, **context}
    # The court site is Indonesian and in WIB whatever the visitor's Jaga language is.
    with translation.override("id"), timezone.override(ZONE):
        body = ENGINE.get_template(name).render(Context(full))
    response = HttpResponse(body, content_type=content_type)
    response["Last-Modified"] = http_date(items[0]["published"].timestamp())
    return response


def home(request: HttpRequest) -> HttpResponse:
    info = [(slug, PAGES[slug][0]) for slug in INFO_PAGES]
    return _render(request, "demo_site/home.html", {"hearings": HEARINGS[:3], "info_pages": info})


def page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in PAGES:
        raise Http404(slug)
    title, paragraphs = PAGES[slug]
    return _render(request, "demo_site/page.html", {"title": title, "paragraphs": paragraphs, "slug": slug})


def structure(request: HttpRequest) -> HttpResponse:
    return _render(request, "demo_site/structure.html", {"title": "Struktur Organisasi", "structure": STRUCTURE})


def hearings(request: HttpRequest) -> HttpResponse:
    today = clock.now().astimezone(ZONE).date()
    days = [(today, HEARINGS[:3]), (today + dt.timedelta(days=1), HEARINGS[3:])]
    return _render(request, "demo_site/hearings.html", {"title": "Jadwal Sidang", "days": days})


def news_list(request: HttpRequest) -> HttpResponse:
    return _render(request, "demo_site/news_list.html", {"title": "Berita"})


def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    for item in news_items():
        if item["news"].slug == slug:
            return _render(request, "demo_site/news_detail.html", {"title": item["news"].title, "item": item})
    raise Http404(slug)


def sitemap(request: HttpRequest) -> HttpResponse:
    return _render(request, "demo_site/sitemap.xml", {}, content_type="application/xml")


def feed(request: HttpRequest) -> HttpResponse:
    return _render(request, "demo_site/feed.xml", {}, content_type="application/rss+xml; charset=utf-8")


def stylesheet(request: HttpRequest) -> HttpResponse:
    return _render(request, "demo_site/site.css", {}, content_type="text/css; charset=utf-8")


def robots(request: HttpRequest) -> HttpResponse:
    return _render(request, "demo_site/robots.txt", {}, content_type="text/plain")
