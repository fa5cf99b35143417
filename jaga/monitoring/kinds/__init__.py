"""Monitor kinds: one module each, listed in ``REGISTRY``. A new kind is a module plus one line here.

Each kind validates its own typed configuration (a pydantic model) and runs one check,
returning a :class:`~jaga.monitoring.kinds.base.CheckOutcome`. Kinds never raise for a bad site:
every failure (bad URL, TLS error, timeout, huge page...) becomes an outcome with a readable reason.
The registry holds each kind's label and description, so listing kinds imports none of them, and the
notification event types the kind sends (``events=``, see ``jaga.monitoring.events``; default: the
``monitor.*`` events) and what a person reads for each finding code it writes (``findings=``; see
:func:`finding_label`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry, UnknownEntry
from jaga.monitoring.events import KindEvents
from jaga.monitoring.kinds.base import MonitorKind

REGISTRY: Registry[MonitorKind] = Registry("monitor kind", attribute="KIND", noun=_("jenis monitor"))

REGISTRY.register(
    "http",
    "jaga.monitoring.kinds.http",
    label=_("HTTP(S)"),
    description=_("Halaman dapat dibuka: kode status, waktu respons, dan kata kunci yang harus (tidak) ada."),
)
REGISTRY.register(
    "tls",
    "jaga.monitoring.kinds.tls",
    label=_("Sertifikat TLS"),
    description=_("Sertifikat HTTPS sah, cocok dengan nama situs, dan belum akan kedaluwarsa."),
    events=KindEvents(degraded="tls.expiring", recovered="tls.renewed"),
    findings={"tls_expiring": _("Sertifikat segera kedaluwarsa")},
)
REGISTRY.register(
    "dns",
    "jaga.monitoring.kinds.dns",
    label=_("DNS"),
    description=_("Nama domain dapat di-resolve, dengan jawaban yang diharapkan."),
)
REGISTRY.register(
    "tcp",
    "jaga.monitoring.kinds.tcp",
    label=_("Port TCP"),
    description=_("Sebuah port (mis. basis data, SSH) menerima sambungan."),
)
REGISTRY.register(
    "freshness",
    "jaga.monitoring.kinds.freshness",
    label=_("Kesegaran konten"),
    description=_("Konten situs (berita, sitemap, RSS) diperbarui dalam jangka yang ditentukan."),
    events=KindEvents(degraded="content.stale", recovered="content.fresh"),
    findings={
        "stale": _("Konten tidak diperbarui"),
        "unknown_age": _("Usia konten tidak diketahui"),
        "region_missing": _("Bagian halaman yang dipantau tidak ada"),
        "spam_not_update": _("Perubahan berisi spam, bukan pembaruan"),
    },
)
REGISTRY.register(
    "required_pages",
    "jaga.monitoring.kinds.required_pages",
    label=_("Halaman wajib"),
    description=_("Halaman wajib pengadilan (SK KMA 2-144/2022) ada dan tidak usang."),
    events=KindEvents(degraded="content.required_page_missing", recovered="content.required_pages_ok"),
    findings={
        "page_missing": _("Halaman wajib tidak ditemukan"),
        "page_stub": _("Halaman wajib belum diisi"),
        "page_empty": _("Halaman wajib kosong"),
        "page_missing_words": _("Halaman wajib tidak lengkap"),
        "page_undated": _("Tanggal halaman wajib tidak ditemukan"),
        "page_stale": _("Halaman wajib usang"),
    },
)
REGISTRY.register(
    "integrity",
    "jaga.monitoring.kinds.integrity",
    label=_("Integritas konten"),
    description=_("Deteksi deface, spam judi yang disisipkan, tautan tersembunyi dan cloaking."),
    events=KindEvents(
        degraded="integrity.suspicious",
        recovered="integrity.clear",
        by_finding=(
            ("integrity.defacement", frozenset({"defacement"})),
            ("integrity.spam", frozenset({"gambling_spam", "spam_page"})),
            ("integrity.cloaking", frozenset({"cloaking", "cloaking_suspected"})),
            ("integrity.links", frozenset({"hidden_link", "unexpected_link"})),
        ),
    ),
    findings={
        "defacement": _("Tanda deface"),
        "structure_changed": _("Struktur halaman berubah"),
        "gambling_spam": _("Spam judi online"),
        "spam_page": _("Halaman spam baru di sitemap"),
        "new_page": _("Halaman baru di sitemap"),
        "hidden_link": _("Tautan tersembunyi"),
        "unexpected_link": _("Tautan keluar tak dikenal"),
        "cloaking": _("Cloaking untuk mesin pencari"),
        "cloaking_suspected": _("Dugaan cloaking"),
        "crawler_blocked": _("Halaman ditolak untuk mesin pencari"),
        "title_changed": _("Judul halaman berubah"),
    },
)


def finding_label(kind: str, code: str) -> str:
    """What a person reads for a finding's code ("Spam judi online"), in the reader's language.

    A code no kind declares (a finding stored by an older version) reads as the kind's label, never the code.
    """
    try:
        entry = REGISTRY.entry(kind)
    except UnknownEntry:
        return str(_("Temuan"))
    label = (entry.extra.get("findings") or {}).get(code)
    return str(label if label is not None else entry.label)
