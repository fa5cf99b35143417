"""Sitemaps and RSS/Atom feeds, parsed with expat and refusing DTDs (no entity expansion, no external fetch)."""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from jaga.monitoring.content.dates import date_parse

MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file


class UnsafeXML(ValueError):
    """The document declares a DTD or entities: refused, like defusedxml does."""


@dataclass
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    lastmod_text: str = ""


@dataclass
class Sitemap:
    urls: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[SitemapEntry] = field(default_factory=list)  # children of a sitemap index


@dataclass
class FeedItem:
    title: str = ""
    link: str = ""
    date: datetime | None = None
    date_text: str = ""


OnEnd = Callable[[tuple[str, ...], str, dict[str, str]], None]


def _parse(body: bytes, on_end: OnEnd) -> None:
    """Run expat over ``body`` calling ``on_end(path, text, attributes)`` for each closed element (local names)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[str] = []
    frames: list[tuple[list[str], dict[str, str]]] = []

    def refuse(*_args: object) -> None:
        raise UnsafeXML("dokumen XML memuat DTD/entitas; ditolak / XML with a DTD or entities refused")

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= 64:
            raise ValueError("XML terlalu dalam / XML nested too deeply")
        stack.append(name.rsplit(" ", 1)[-1].lower())
        frames.append(([], {k.rsplit(" ", 1)[-1]: v for k, v in attrs.items()}))

    def end(_name: str) -> None:
        texts, attrs = frames.pop()
        on_end(tuple(stack), "".join(texts).strip(), attrs)
        stack.pop()

    def chars(data: str) -> None:
        if frames:
            frames[-1][0].append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(body, True)


def sitemap_parse(body: bytes) -> Sitemap:
    """A <urlset> or <sitemapindex>. Raises ``ValueError`` (incl. :class:`UnsafeXML`) for bad XML."""
    result = Sitemap()
    current: dict[str, str] = {}

    def on_end(path: tuple[str, ...], text: str, _attrs: dict[str, str]) -> None:
        tag = path[-1]
        if tag in ("loc", "lastmod") and len(path) >= 2 and path[-2] in ("url", "sitemap"):
            current[tag] = text
        elif tag in ("url", "sitemap") and current.get("loc"):
            target = result.urls if tag == "url" else result.sitemaps
            if len(target) < MAX_ENTRIES:
                lastmod = current.get("lastmod", "")
                target.append(SitemapEntry(current["loc"], date_parse(lastmod), lastmod))
            current.clear()
        elif tag in ("url", "sitemap"):
            current.clear()

    try:
        _parse(body, on_end)
    except xml.parsers.expat.ExpatError as exc:
        raise ValueError(f"sitemap bukan XML yang sah / sitemap is not valid XML: {exc}") from None
    return result


_DATE_TAGS = ("pubdate", "published", "updated", "date", "modified", "issued")


def feed_parse(body: bytes) -> list[FeedItem]:
    """Items of an RSS 2.0 / RSS 1.0 (RDF) / Atom feed, in document order."""
    items: list[FeedItem] = []
    current: dict[str, str] = {}

    def on_end(path: tuple[str, ...], text: str, attrs: dict[str, str]) -> None:
        tag = path[-1]
        in_item = len(path) >= 2 and path[-2] in ("item", "entry")
        if in_item and tag == "title":
            current["title"] = text
        elif in_item and tag == "link":
            current.setdefault("link", text or attrs.get("href", ""))
        elif in_item and tag in _DATE_TAGS:
            # Atom's <updated> wins over <published>; RSS has one <pubDate> (or dc:date).
            if "date" not in current or tag == "updated":
                current["date"] = text
        elif tag in ("item", "entry"):
            if len(items) < MAX_ENTRIES:
                date_text = current.get("date", "")
                items.append(
                    FeedItem(current.get("title", ""), current.get("link", ""), date_parse(date_text), date_text)
                )
            current.clear()

    try:
        _parse(body, on_end)
    except xml.parsers.expat.ExpatError as exc:
        raise ValueError(f"feed bukan XML yang sah / feed is not valid XML: {exc}") from None
    return items
