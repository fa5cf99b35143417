"""What one page shows that should not be there: gambling spam, defacement, unexpected and hidden links.

Pure functions over a parsed :class:`~jaga.monitoring.content.html.Page`; the integrity kind fetches and calls them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext_noop as _

from jaga.monitoring.content.html import Page, Segment, domain_allowed, domain_of
from jaga.monitoring.content.words import (
    Match,
    Term,
    context_of,
    defacement_terms,
    gambling_terms,
    matches_significant,
    normalise,
    terms_present,
    text_match,
)
from jaga.monitoring.kinds.base import Finding, Text, say

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


# How much a gambling term weighs by where it stands. Spam is hidden text, links to gambling sites, spam
# titles and pages; a court news item that names "judi online" as the subject of a case is none of these.
PLACE_WEIGHTS = {"hidden": 3.0, "outbound": 3.0, "title": 2.0, "meta": 2.0, "text": 1.0, "anchor": 1.0, "href": 0.5}
PLACE_LABELS = {
    "hidden": _("teks tersembunyi"),
    "outbound": _("tautan ke situs luar"),
    "title": _("judul halaman"),
    "meta": _("meta (tidak tampil)"),
    "text": _("teks halaman"),
    "anchor": _("teks tautan"),
    "href": _("alamat tautan"),
}
CRITICAL_SCORE = 3.0
WARNING_SCORE = 2.0
# Words of a case, a judgment or an arrest: a visible sentence holding them talks *about* gambling.
_LEGAL_CONTEXT = re.compile(
    r"(?<![^\W_])(?:perkara|terdakwa|tersangka|terpidana|putusan|pidana|dakwaan|didakwa|jaksa|penuntut|"
    r"persidangan|majelis|perjudian|vonis|divonis|penjara|kuhp|pasal|barang bukti|ditangkap|diamankan|"
    r"polres|polsek|kepolisian|pengadilan negeri|pemberantasan|sosialisasi bahaya)(?![^\W_])",
    re.IGNORECASE,
)


@dataclass
class Scored:
    score: float
    place: str
    match: Match


def allowed_phrases_strip(text: str, phrases: tuple[str, ...]) -> str:
    """Blank the site's allowed phrases (a judge's name, a case title) before any term is matched."""
    for phrase in phrases:
        text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
    return text


def segment_score(
    text: str, place: str, terms: tuple[Term, ...], *, allowed_phrases: tuple[str, ...] = ()
) -> Scored | None:
    """Weigh the terms of one element by where they stand; None when nothing counts.

    A strong term counts one unit, three different weak ones together count one; the units times the place's
    weight is the score. Visible text, link texts, titles and meta that read like a court text about a case
    weigh nothing: only hidden text and links to other sites stay suspicious whatever they say.
    """
    found = text_match(allowed_phrases_strip(text, allowed_phrases), terms)
    if not found:
        return None
    units = len({m.term for m in found if m.strong}) + len({m.term for m in found if not m.strong}) // 3
    if not units:
        return None
    weight = PLACE_WEIGHTS[place]
    if place not in ("hidden", "outbound") and _LEGAL_CONTEXT.search(normalise(text)):
        weight = 0.0
    match = next((m for m in found if m.strong), found[0])
    return Scored(units * weight, place, match)


def _place(segment: Segment, own: str, allowed: tuple[str, ...]) -> str:
    if segment.hidden:
        return "hidden"
    if segment.place == "anchor" and _outbound(segment.href, own, allowed):
        return "outbound"
    return segment.place


def _outbound(href: str, own: str, allowed: tuple[str, ...]) -> bool:
    if urlsplit(href).scheme not in ("http", "https"):
        return False
    domain = domain_of(href)
    return domain != own and not domain_allowed(domain, (*DEFAULT_ALLOWED_DOMAINS, *allowed))


def _block(page: Page, location: str) -> str:
    """The element that holds a finding's element: ``footer#colophon > div`` for ``... > div > a[href]``."""
    path = location.removeprefix(page.url).strip().removesuffix("[href]")
    head, sep, _last = path.rpartition(" > ")
    return head if sep else path


# An injected block (a hidden footer of six links, a spam post) is one cause: its gambling words are one
# finding and its hidden links another, each naming what the block holds, instead of one finding per word
# and per link (a 3-link footer on every page was 138 findings; now two, each listing its pages).
MAX_BLOCK_EVIDENCE = 8


_HIDDEN_PATTERNS = (
    (re.compile(r"^(.+) lewat aturan CSS (\S+)$"), _("%(trick)s lewat aturan CSS %(selector)s"), ("trick", "selector")),
    (re.compile(r"^posisi di luar layar \((.+)\)$"), _("posisi di luar layar (%(css)s)"), ("css",)),
    (re.compile(r"^warna teks sama dengan latar \((.+)\)$"), _("warna teks sama dengan latar (%(css)s)"), ("css",)),
    (re.compile(r"^di dalam (<\w+>)$"), _("di dalam %(tag)s"), ("tag",)),
    (re.compile(r"^atribut hidden$"), _("atribut hidden"), ()),
)


def hidden_say(reason: str) -> Text | str:
    """Why an element is hidden, as words each reader reads in his language (a CSS declaration stays as it is)."""
    for pattern, msgid, names in _HIDDEN_PATTERNS:
        if found := pattern.match(reason):
            values = dict(zip(names, found.groups(), strict=True))
            if "trick" in values:
                values["trick"] = hidden_say(values["trick"])
            return say(msgid, **values)
    return reason


def _blocks_group(page: Page, items: list[tuple[Finding, str]], summary: str) -> list[Finding]:
    """``(finding, what it found)`` pairs of one rule; those in the same block of the page become one finding
    whose message starts with ``summary`` (an Indonesian msgid with ``%(count)s`` findings, ``%(distinct)s``
    and ``%(found)s``: what they found, each once) and whose evidence lists theirs."""
    groups: dict[str, list[tuple[Finding, str]]] = {}
    for finding, found in items:
        groups.setdefault(_block(page, finding.location), []).append((finding, found))
    out: list[Finding] = []
    for block, members in groups.items():
        first = members[0][0]
        if len(members) == 1:
            out.append(first)
            continue
        severity = "critical" if any(m.severity == "critical" for m, _ in members) else "warning"
        evidence = "; ".join(m.evidence for m, _ in members[:MAX_BLOCK_EVIDENCE])
        if len(members) > MAX_BLOCK_EVIDENCE:
            evidence += f"; … (+{len(members) - MAX_BLOCK_EVIDENCE})"
        distinct = list(dict.fromkeys(what for _, what in members))
        if len(distinct) == 1 and "%(distinct)" in summary:
            text = first.text  # one word in the block's text and its link: the first says it
        else:
            head = say(summary, count=len(members), distinct=len(distinct), found=", ".join(distinct))
            text = say(_("%(head)s; %(first)s"), head=head, first=first.text)
        out.append(Finding.of(first.code, text, _where(page, block), evidence, severity))
    return out


def gambling_findings(
    page: Page,
    terms: tuple[Term, ...],
    *,
    allowed_domains: tuple[str, ...] = (),
    allowed_phrases: tuple[str, ...] = (),
) -> list[Finding]:
    """Gambling spam, scored by place: critical from ``CRITICAL_SCORE``, a warning from ``WARNING_SCORE``."""
    segments = page.segments()
    links = page.links()
    whole = "\n".join([*(s.text for s in segments), *(unquote(link.href) for link in links)])
    terms = terms_present(whole, terms)
    if not terms:
        return []  # the usual case, decided in one pass over the page
    own = domain_of(page.url)
    items: list[tuple[str, str, str]] = [(s.text, s.location, _place(s, own, allowed_domains)) for s in segments]
    for link in links:
        place = "hidden" if link.hidden else "outbound" if _outbound(link.href, own, allowed_domains) else "href"
        items.append((unquote(link.href), f"{link.location}[href]", place))
    found: list[tuple[Finding, str]] = []
    seen: set[tuple[str, str]] = set()
    for text, location, place in items:
        scored = segment_score(text, place, terms, allowed_phrases=allowed_phrases)
        if scored is None or scored.score < WARNING_SCORE or (scored.match.term, location) in seen:
            continue
        seen.add((scored.match.term, location))
        severity = "critical" if scored.score >= CRITICAL_SCORE else "warning"
        hidden = next((s.hidden for s in segments if s.location == location and s.hidden), "")
        where: Text = (
            say(_("%(place)s: %(how)s"), place=say(PLACE_LABELS[place]), how=hidden_say(hidden))
            if hidden
            else say(PLACE_LABELS[place])
        )
        sentence = say(
            _("Kata judi online «%(term)s» ditemukan (%(where)s; skor %(score)s)"),
            term=scored.match.term, where=where, score=f"{scored.score:g}",
        )  # fmt: skip
        finding = Finding.of("gambling_spam", sentence, _where(page, location), scored.match.context, severity)
        found.append((finding, f"«{scored.match.term}»"))
        if len(found) >= MAX_FINDINGS_PER_RULE:
            break
    return _blocks_group(page, found, _("%(distinct)s kata judi online dalam satu blok: %(found)s"))


def words_findings(page: Page, terms: tuple[Term, ...], *, code: str, label: str) -> list[Finding]:
    # ``label``: an Indonesian msgid ("Tanda defacement"), read in each reader's language.
    """One critical finding per element that is itself significant: a strong term, or three weak ones together
    (the defacement words, which no court text uses)."""
    segments = [(s.text, s.location, s.hidden) for s in page.segments()]
    terms = terms_present("\n".join(text for text, _, _ in segments), terms)
    if not terms:
        return []
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
        if hidden:
            sentence = say(
                _("%(label)s «%(term)s» ditemukan (tersembunyi: %(how)s)"),
                label=say(label), term=match.term, how=hidden_say(hidden),
            )  # fmt: skip
        else:
            sentence = say(_("%(label)s «%(term)s» ditemukan"), label=say(label), term=match.term)
        findings.append(Finding.of(code, sentence, _where(page, location), match.context, "critical"))
        if len(findings) >= MAX_FINDINGS_PER_RULE:
            break
    return findings


def links_findings(page: Page, allowed: tuple[str, ...]) -> list[Finding]:
    """Hidden links to other sites (critical) and visible links to unexpected domains (one warning per domain)."""
    own = domain_of(page.url)
    hidden: list[tuple[Finding, str]] = []
    unexpected: dict[str, list[str]] = {}
    for link in page.links():
        if urlsplit(link.href).scheme not in ("http", "https"):
            continue
        domain = domain_of(link.href)
        if domain == own or domain_allowed(domain, (*DEFAULT_ALLOWED_DOMAINS, *allowed)):
            continue
        if link.hidden:
            if len(hidden) < MAX_FINDINGS_PER_RULE:
                text = say(_("Tautan tersembunyi ke %(domain)s (%(how)s)"), domain=domain, how=hidden_say(link.hidden))
                evidence = f'<a href="{link.href}">{link.text[:80]}</a>'
                finding = Finding.of("hidden_link", text, _where(page, link.location), evidence, "critical")
                hidden.append((finding, domain))
        else:
            unexpected.setdefault(domain, []).append(f"«{link.text[:60]}» {link.href} @ {link.location}")
    findings = _blocks_group(page, hidden, _("%(count)s tautan tersembunyi dalam satu blok, ke %(found)s"))
    for domain, seen in list(unexpected.items())[:MAX_FINDINGS_PER_RULE]:
        text = say(
            _("Tautan keluar ke domain yang tidak diizinkan: %(domain)s (%(count)s×)"), domain=domain, count=len(seen)
        )
        findings.append(Finding.of("unexpected_link", text, page.url, "; ".join(seen[:3]), "warning"))
    return findings


def page_inspect(
    page: Page,
    *,
    allowed_domains: tuple[str, ...] = (),
    extra_words: tuple[str, ...] = (),
    allowed_phrases: tuple[str, ...] = (),
) -> list[Finding]:
    findings: list[Finding] = [
        *gambling_findings(
            page, gambling_terms(extra_words), allowed_domains=allowed_domains, allowed_phrases=allowed_phrases
        ),
        *words_findings(page, defacement_terms(), code="defacement", label=_("Tanda defacement")),
        *links_findings(page, allowed_domains),
    ]
    return findings


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
