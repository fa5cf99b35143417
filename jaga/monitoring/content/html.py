"""HTML extraction with selectolax (lexbor): visible text, text segments with their place, links, metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

NON_CONTENT_TAGS = ("script", "style", "template", "svg", "iframe", "object")
# Tags whose content a visitor does not see even though the markup carries it.
HIDING_TAGS = {"noscript": "di dalam <noscript>", "marquee": "di dalam <marquee>", "template": "di dalam <template>"}
# Accessibility helpers hide text on purpose; they are not spam tricks.
ACCESSIBILITY_CLASSES = {"screen-reader-text", "sr-only", "visually-hidden", "element-invisible", "skip-link"}

# The site's own header, menus, sidebars and footer: not the page's content (an article's <header> is kept).
CHROME_SELECTORS = (
    "body > header", "#masthead", ".site-header", ".container-header", "#header", ".header", "[role=banner]",
    "nav", "[role=navigation]", ".navbar", "#menu", ".menu", ".main-navigation", ".mod-menu", "#top-bar", ".topbar",
    "body > footer", "#colophon", ".site-footer", ".container-footer", "#footer", ".footer", "[role=contentinfo]",
    "aside", "#secondary", ".sidebar", "#sidebar", ".container-sidebar-right", ".widget-area", ".widget",
    "[role=complementary]", "form", ".breadcrumb", ".breadcrumbs",
)  # fmt: skip
# Where themes put the page's own content, tried in order once the chrome is removed.
MAIN_SELECTORS = ("main", "[role=main]", "#content", "#main", "#primary", ".site-content", ".content-area", "article")
# Menus: navigation bars, and the link lists of sidebars, headers and footers (a theme's "Informasi" widget);
# never the links of the content itself (a news headline is not a menu entry).
NAV_SELECTORS = (
    "nav", "[role=navigation]", ".navbar", "#menu", ".menu", ".main-navigation", "#main-menu", ".mod-menu",
    "aside", ".sidebar", "#sidebar", ".widget", "body > header", "body > footer", "#colophon",
)  # fmt: skip
_OFFSCREEN = re.compile(r"(?:left|top|right|text-indent|margin-left)\s*:\s*-\s*(\d{3,})\s*(?:px|em|rem|pt)?")
_ZERO = r"\s*:\s*0(?:\.0+)?\s*(?:px|em|rem|pt|%)?\s*(?:!important)?\s*(?:;|$)"
_HIDING_DECLARATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"display\s*:\s*none"), "display:none"),
    (re.compile(r"visibility\s*:\s*hidden"), "visibility:hidden"),
    (re.compile(r"font-size" + _ZERO), "font-size:0"),
    (re.compile(r"opacity" + _ZERO), "opacity:0"),
    (re.compile(r"(?<![-\w])(?:max-)?height" + _ZERO), "height:0"),
)
_CSS_RULE = re.compile(r"([.#][\w-]+)\s*\{([^{}]*)\}")
_CSS_MEDIA = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
_COLOR = re.compile(r"(?<![-\w])color\s*:\s*([#\w]+)")
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([#\w]+)")
_SPACES = re.compile(r"\s+")


def css_hiding_reason(style: str) -> str:
    """The hiding trick in an inline style or CSS rule body, or "" if it shows its content."""
    style = style.lower()
    for pattern, reason in _HIDING_DECLARATIONS:
        if pattern.search(style):
            return reason
    offscreen = _OFFSCREEN.search(style)
    if offscreen and int(offscreen.group(1)) >= 999:
        return f"posisi di luar layar ({offscreen.group(0).replace(' ', '')})"
    color, background = _COLOR.search(style), _BACKGROUND.search(style)
    if color and background and color.group(1) == background.group(1):
        return f"warna teks sama dengan latar ({color.group(1)})"
    return ""


@dataclass
class Link:
    href: str  # absolute
    text: str
    location: str  # CSS-ish path of the <a>
    hidden: str  # why a visitor cannot see it, "" if visible


@dataclass
class Segment:
    text: str
    location: str
    hidden: str
    place: str = "text"  # "title", "meta", "anchor" (a link's own text) or "text" (visible body text)
    href: str = ""  # an anchor's absolute address


class Page:
    """One parsed HTML document; ``url`` resolves relative links."""

    def __init__(self, html: str, url: str = "") -> None:
        self.url = url
        self.tree = LexborHTMLParser(html)
        self._hidden_selectors = self._style_hidden_selectors()

    def _style_hidden_selectors(self) -> dict[str, str]:
        """Classes and ids that an inline <style> block hides (a favourite spam-injection trick)."""
        found: dict[str, str] = {}
        for style in self.tree.css("style"):
            css = _CSS_MEDIA.sub("", style.text(deep=True))
            for selector, body in _CSS_RULE.findall(css):
                reason = css_hiding_reason(body)
                if reason and selector[1:] not in ACCESSIBILITY_CLASSES:
                    found[selector] = f"{reason} lewat aturan CSS {selector}"
        return found

    def title(self) -> str:
        node = self.tree.css_first("title")
        return _SPACES.sub(" ", node.text()).strip() if node else ""

    def meta(self, name: str) -> str:
        for attr in ("name", "property"):
            node = self.tree.css_first(f'meta[{attr}="{name}"]')
            if node is not None:
                return (node.attributes.get("content") or "").strip()
        return ""

    def feed_links(self) -> list[str]:
        out = []
        for node in self.tree.css("link[rel~=alternate][href]"):
            kind = (node.attributes.get("type") or "").lower()
            if kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
                out.append(urljoin(self.url, node.attributes.get("href") or ""))
        return out

    def hidden_reason(self, node: LexborNode | None) -> str:
        while node is not None and node.tag not in ("body", "html", "-document"):
            if node.tag in HIDING_TAGS:
                return HIDING_TAGS[node.tag]
            attrs = node.attributes
            if "hidden" in attrs:
                return "atribut hidden"
            reason = css_hiding_reason(attrs.get("style") or "")
            if reason:
                return reason
            if self._hidden_selectors:
                if attrs.get("id") and f"#{attrs['id']}" in self._hidden_selectors:
                    return self._hidden_selectors[f"#{attrs['id']}"]
                for cls in (attrs.get("class") or "").split():
                    if f".{cls}" in self._hidden_selectors:
                        return self._hidden_selectors[f".{cls}"]
            node = node.parent
        return ""

    def links(self) -> list[Link]:
        out = []
        for node in self.tree.css("a[href]"):
            href = (node.attributes.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            text = _SPACES.sub(" ", node.text(deep=True)).strip() or (node.attributes.get("title") or "")
            out.append(Link(urljoin(self.url, href), text, element_path(node), self.hidden_reason(node)))
        return out

    def segments(self) -> list[Segment]:
        """Every element's own text with its place and whether it is hidden (title and meta included)."""
        out = [Segment(self.title(), "<title>", "", "title")] if self.title() else []
        for name in ("description", "keywords", "og:title", "og:description"):
            if value := self.meta(name):
                out.append(Segment(value, f'<meta name="{name}">', "", "meta"))
        body = self.tree.body
        if body is None:
            return out
        for node in body.traverse(include_text=False):
            if node.tag in NON_CONTENT_TAGS:
                continue
            text = _SPACES.sub(" ", node.text(deep=False)).strip()
            if not text:
                continue
            if node.tag == "a":
                href = urljoin(self.url, (node.attributes.get("href") or "").strip())
                out.append(Segment(text, element_path(node), self.hidden_reason(node), "anchor", href))
            else:
                out.append(Segment(text, element_path(node), self.hidden_reason(node)))
        return out

    def region_text(self, region_selector: str | None = None, ignore_selectors: tuple[str, ...] = ()) -> str | None:
        """Normalised visible text of the region (None if the selector matches nothing)."""
        tree = LexborHTMLParser(self.tree.html or "")
        root = tree.css_first(region_selector) if region_selector else tree.body
        if root is None:
            return None
        for selector in (*NON_CONTENT_TAGS, "noscript", *ignore_selectors):
            for node in root.css(selector):
                node.decompose()
        return _SPACES.sub(" ", root.text(deep=True, separator=" ")).strip()

    def visible_text(self) -> str:
        return self.region_text() or ""

    def main_text(self) -> str:
        """The page's own content: the theme's header, menus, sidebars and footer removed wherever they stand,
        then the first main-content container that holds text (else what is left of the body)."""
        tree = LexborHTMLParser(self.tree.html or "")
        body = tree.body
        if body is None:
            return ""
        for selector in (*NON_CONTENT_TAGS, "noscript", *CHROME_SELECTORS):
            for node in body.css(selector):
                node.decompose()
        for selector in MAIN_SELECTORS:
            main = body.css_first(selector)
            if main is not None and (text := _SPACES.sub(" ", main.text(deep=True, separator=" ")).strip()):
                return text
        return _SPACES.sub(" ", body.text(deep=True, separator=" ")).strip()

    def nav_links(self) -> list[Link]:
        """Links of the site's menus (navigation bars), in document order, each once."""
        seen: set[str] = set()
        out: list[Link] = []
        for selector in NAV_SELECTORS:
            for container in self.tree.css(selector):
                for node in container.css("a[href]"):
                    href = (node.attributes.get("href") or "").strip()
                    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                        continue
                    absolute = urljoin(self.url, href)
                    if absolute in seen:
                        continue
                    seen.add(absolute)
                    text = _SPACES.sub(" ", node.text(deep=True)).strip() or (node.attributes.get("title") or "")
                    out.append(Link(absolute, text, element_path(node), self.hidden_reason(node)))
        return out


def element_path(node: LexborNode, depth: int = 5) -> str:
    """A short CSS-ish path a person can search for in the page source, e.g. ``footer#colophon > div.x > a``."""
    parts: list[str] = []
    current: LexborNode | None = node
    while current is not None and current.tag not in ("html", "-document") and len(parts) < depth:
        attrs = current.attributes
        part = current.tag or "?"
        if attrs.get("id"):
            part += f"#{attrs['id']}"
            parts.append(part)
            break
        classes = (attrs.get("class") or "").split()
        if classes:
            part += f".{classes[0]}"
        parts.append(part)
        current = current.parent
    return " > ".join(reversed(parts))


def domain_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.lower().removeprefix("www.")


def domain_allowed(domain: str, allowed: tuple[str, ...] | list[str]) -> bool:
    """``allowed`` entries are domains (matching sub-domains too) or ``*.suffix`` patterns."""
    for entry in allowed:
        entry = entry.lower().removeprefix("www.")
        suffix = entry.removeprefix("*.")
        if domain == suffix or domain.endswith("." + suffix):
            return True
    return False
