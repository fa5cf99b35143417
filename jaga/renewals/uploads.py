"""Uploaded documents (invoices, proofs of payment, contracts) must be real, inert PDFs of a sane size.

The browser's name and content type are not trusted: the bytes are. A PDF starts with ``%PDF-`` (within
the first kilobyte, as readers allow), ends with ``%%EOF`` and has a cross-reference (``startxref``) and
objects. A file that is a program (Windows ``MZ``, Linux ``ELF``, a script, a zip or Office file) is named
as such, whatever it is called, and so is a PDF that carries something to run (``/Launch``,
``/JavaScript``, an embedded file): an invoice needs none of them.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
HEAD = 1024
TAIL = 2048

PROGRAMS: tuple[tuple[bytes, StrOrPromise], ...] = (
    (b"MZ", gettext_lazy("program Windows (EXE/DLL)")),
    (b"\x7fELF", gettext_lazy("program Linux (ELF)")),
    (b"#!", gettext_lazy("skrip")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("program macOS / Java")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("program macOS")),
    (b"PK\x03\x04", gettext_lazy("arsip ZIP / dokumen Office")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("dokumen Office lama")),
    (b"Rar!", gettext_lazy("arsip RAR")),
    (b"\x89PNG", gettext_lazy("gambar PNG")),
    (b"\xff\xd8\xff", gettext_lazy("gambar JPEG")),
)
ACTIVE = re.compile(rb"/(Launch|JavaScript|JS|EmbeddedFile|RichMedia|OpenAction\s*<<\s*/S\s*/Launch)\b")


def pdf_check(upload: Any) -> None:
    """Raise ``ValidationError`` naming the file and what is wrong; read the bytes, leave the file at 0."""
    name = str(getattr(upload, "name", "") or "berkas")
    size = int(getattr(upload, "size", 0) or 0)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s terlalu besar (%(size).1f MB); paling besar %(max)d MB."),
            params={"name": name, "size": size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("%(name)s kosong."), params={"name": name}, code="empty")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s terlalu besar; paling besar %(max)d MB."),
            params={"name": name, "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    for magic, what in PROGRAMS:
        if data.startswith(magic):
            raise ValidationError(
                _("%(name)s bukan PDF: isinya %(what)s. Unggah tagihan atau bukti dalam bentuk PDF."),
                params={"name": name, "what": str(what)},
                code="not_pdf",
            )
    start = data.find(b"%PDF-", 0, HEAD)
    if start < 0:
        raise ValidationError(
            _("%(name)s bukan PDF (tidak diawali %%PDF-). Unggah tagihan atau bukti dalam bentuk PDF."),
            params={"name": name},
            code="not_pdf",
        )
    if start > 0 and any(data[:start].startswith(magic) for magic, _what in PROGRAMS):
        raise ValidationError(_("%(name)s bukan PDF."), params={"name": name}, code="not_pdf")
    tail = data[-TAIL:]
    if b"%%EOF" not in tail or b"startxref" not in data[-TAIL * 4 :] or b" obj" not in data:
        raise ValidationError(
            _("%(name)s bukan PDF yang utuh (tidak ada objek, startxref atau %%%%EOF); mungkin terpotong."),
            params={"name": name},
            code="broken_pdf",
        )
    active = ACTIVE.search(data)
    if active is not None:
        raise ValidationError(
            _("%(name)s berisi %(what)s: PDF tagihan tidak boleh membawa sesuatu yang dijalankan."),
            params={"name": name, "what": active.group(0).decode("latin-1")},
            code="active_pdf",
        )
