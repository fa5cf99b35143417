"""Attachments on an incident's timeline (screenshots, logs, documents) are judged by their bytes.

What a person attaches to an incident is a picture (PNG, JPEG, GIF, WebP), a PDF without anything to run, or
a text file (a log, a configuration excerpt). The browser's name and content type are not trusted; a program,
an archive, HTML or SVG (both can carry scripts) is refused by name. The stored file gets a new name, and the
download answers with ``Content-Disposition: attachment`` and ``nosniff`` (:mod:`jaga.incidents.views`), so
nothing uploaded is ever rendered by the browser as a page of Jaga.
"""

from __future__ import annotations

import re
import secrets
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

IMAGES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)
REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "program Windows (EXE/DLL)"),
    (b"\x7fELF", "program Linux (ELF)"),
    (b"#!", "skrip"),
    (b"\xca\xfe\xba\xbe", "program macOS / Java"),
    (b"\xcf\xfa\xed\xfe", "program macOS"),
    (b"PK\x03\x04", "arsip ZIP / dokumen Office"),
    (b"\x1f\x8b", "arsip gzip"),
    (b"Rar!", "arsip RAR"),
    (b"7z\xbc\xaf", "arsip 7z"),
)
# Something a PDF reader would run: an attached document needs none of it.
ACTIVE = re.compile(rb"/(Launch|JavaScript|JS|EmbeddedFile|RichMedia)\b")
MARKUP = re.compile(rb"<\s*(html|script|svg|iframe|body|object|embed)\b", re.IGNORECASE)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment_check(upload: Any) -> tuple[str, str]:
    """Raise ``ValidationError`` naming the file and what is wrong; else (stored file name, content type)."""
    name = str(getattr(upload, "name", "") or "berkas")
    size = int(getattr(upload, "size", 0) or 0)
    limit_mb = MAX_ATTACHMENT_BYTES // 1024 // 1024
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("%(name)s terlalu besar (%(size).1f MB); paling besar %(max)d MB."),
            params={"name": name, "size": size / 1024 / 1024, "max": limit_mb},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    upload.seek(0)
    if not data:
        raise ValidationError(_("%(name)s kosong."), params={"name": name}, code="empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("%(name)s terlalu besar; paling besar %(max)d MB."), params={"name": name, "max": limit_mb},
            code="too_large",
        )  # fmt: skip
    for magic, what in REFUSED:
        if data.startswith(magic):
            raise ValidationError(
                _("%(name)s tidak dapat dilampirkan: isinya %(what)s. Lampirkan gambar, PDF atau berkas teks."),
                params={"name": name, "what": what},
                code="refused",
            )
    stem = SAFE_NAME.sub("-", PurePath(name).stem).strip("-.")[:60] or "lampiran"
    stored = f"{secrets.token_hex(6)}-{stem}"
    for magic, extension, content_type in IMAGES:
        if data.startswith(magic):
            return f"{stored}.{extension}", content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return f"{stored}.webp", "image/webp"
    if data.find(b"%PDF-", 0, 1024) >= 0:
        active = ACTIVE.search(data)
        if active is not None:
            raise ValidationError(
                _("%(name)s berisi %(what)s: PDF lampiran tidak boleh membawa sesuatu yang dijalankan."),
                params={"name": name, "what": active.group(0).decode("latin-1")},
                code="active_pdf",
            )
        return f"{stored}.pdf", "application/pdf"
    if b"\x00" in data:
        raise ValidationError(
            _("%(name)s bukan gambar, PDF atau teks. Lampirkan tangkapan layar, PDF atau log."),
            params={"name": name},
            code="refused",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data.decode("latin-1")  # any byte is latin-1: an old log is still text
    if MARKUP.search(data[:65536]):
        raise ValidationError(
            _("%(name)s berisi HTML atau skrip. Lampirkan tangkapan layar atau simpan sebagai teks biasa."),
            params={"name": name},
            code="markup",
        )
    return f"{stored}.txt", "text/plain"
