"""What one page shows that should not be there: gambling spam, defacement, unexpected and hidden links.

Pure functions over a parsed :class:`~jaga.monitoring.content.html.Page`; the integrity kind fetches and calls them.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from jaga.monitoring.content.html import Page, domain_allowed, domain_of
from jaga.monitoring.content.words import (
    Match,
    Term,
    context_of,
    defacement_terms,
    gambling_terms,
    matches_significant,
    terms_present,
    text_match,
)
from jaga.monitoring.kinds.base import Finding

# Always allowed besides the site's own domain: government, the Supreme Court and its directorates,
# and the platforms a court links to (social media, maps, its CMS's own credits).
DEFAULT_ALLOWED_DOMAINS = (
    "*.go.id", "mahkamahagung.go.id", "*.mahkamahagung.go.id", "facebook.com", "instagram.com", "youtube.com",
    "youtu.be", "twitter.com", "x.com", "tiktok.com", "wa.me", "whatsapp.com", "google.com", "goo.gl",
    "wordpress.org", "joomla.org", "gnu.org", "gmpg.org", "w3.org", "schema.org", "gravatar.com",
)  # fmt: skip
MAX_FINDINGS_PER_RULE = 15


def _where(page: Page, location: str) -> str:
    return f"{page.url} {location}".strip()


def words_findings(page: Page, terms: tuple[Term, ...], *, code: str, label: str) -> list[Finding]:
    """One finding per element that is itself significant: a strong term, or three weak ones together.

    Weak terms are judged per element, never summed over the page: a court page may name judge Toto in one
    article, PN Bandar Lampung in another and a "slot antrean" in a third.
    """
    segments = [(s.text, s.location, s.hidden) for s in page.segments()]
    segments += [(unquote(link.href), f"{link.location}[href]", link.hidden) for link in page.links()]
    terms = terms_present("\n".join(text for text, _, _ in segments), terms)
    if not terms:
        return []  # the usual case, decided in one pass over the page
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for text, location, hidden in segments:
        found = text_match(text, terms)
        if not found or not matches_significant(found):
            continue
        match = next((m for m in found if m.strong), found[0])
        if (match.term, location) in seen:
            continue
        seen.add((match.term, location))
        place = f" (tersembunyi: {hidden})" if hidden else ""
        message = f"{label} «{match.term}» ditemukan{place}"
        findings.append(Finding(code, message, _where(page, location), match.context, "critical"))
        if len(findings) >= MAX_FINDINGS_PER_RULE:
            break
    return findings


def links_findings(page: Page, allowed: tuple[str, ...]) -> list[Finding]:
    """Hidden links to other sites (critical) and visible links to unexpected domains (one warning per domain)."""
    own = domain_of(page.url)
    findings: list[Finding] = []
    unexpected: dict[str, list[str]] = {}
    for link in page.links():
        if urlsplit(link.href).scheme not in ("http", "https"):
            continue
        domain = domain_of(link.href)
        if domain == own or domain_allowed(domain, (*DEFAULT_ALLOWED_DOMAINS, *allowed)):
            continue
        if link.hidden:
            if sum(f.code == "hidden_link" for f in findings) < MAX_FINDINGS_PER_RULE:
                message = f"Tautan tersembunyi ke {domain} ({link.hidden}) / hidden outbound link"
                evidence = f'<a href="{link.href}">{link.text[:80]}</a>'
                findings.append(Finding("hidden_link", message, _where(page, link.location), evidence, "critical"))
        else:
            unexpected.setdefault(domain, []).append(f"«{link.text[:60]}» {link.href} @ {link.location}")
    for domain, seen in list(unexpected.items())[:MAX_FINDINGS_PER_RULE]:
        message = f"Tautan keluar ke domain yang tidak diizinkan: {domain} ({len(seen)}×) / unexpected outbound link"
        findings.append(Finding("unexpected_link", message, page.url, "; ".join(seen[:3]), "warning"))
    return findings


def page_inspect(
    page: Page, *, allowed_domains: tuple[str, ...] = (), extra_words: tuple[str, ...] = ()
) -> list[Finding]:
    return [
        *words_findings(page, gambling_terms(extra_words), code="gambling_spam", label="Kata judi online"),
        *words_findings(page, defacement_terms(), code="defacement", label="Tanda defacement"),
        *links_findings(page, allowed_domains),
    ]


def url_spam_match(url: str) -> Match | None:
    """A strong gambling term in a URL's path or query (``/slot-gacor-maxwin/``, ``/?judi=``)."""
    parts = urlsplit(url)
    text = unquote(f"{parts.path} {parts.query}").replace("/", " ").replace("=", " ").replace("&", " ")
    strong = [m for m in text_match(text, gambling_terms()) if m.strong]
    return strong[0] if strong else None


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' word sets (1.0 = same words)."""
    words_a, words_b = set(a.lower().split()), set(b.lower().split())
    if not words_a and not words_b:
        return 1.0
    return len(words_a & words_b) / len(words_a | words_b)


def excerpt(text: str, chars: int = 160) -> str:
    return context_of(text, 0, 0, chars) if len(text) > chars else text
