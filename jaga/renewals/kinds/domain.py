"""A domain name: its expiry, registrar, status and name servers from the registry through RDAP."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.renewals.kinds.base import ExpiryFinding

if TYPE_CHECKING:
    from jaga.renewals.models import Service

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain_normalise(value: str) -> str:
    """``https://www.PN-Bangil.go.id/berita`` → ``www.pn-bangil.go.id``; IDN to its A-labels; raises ValidationError."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(_("Nama domain %(value)s tidak sah."), params={"value": value}) from None
    labels = text.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or len(text) > 253:
        raise ValidationError(
            _("Nama domain %(value)s tidak sah: tulis seperti pn-bangil.go.id."), params={"value": value}
        )
    return text


def registered_name(value: str) -> str:
    """The name a registry knows: :func:`domain_normalise` without a leading ``www.`` (a site's address pasted
    in, ``https://www.pn-bangil.go.id/``, is the domain ``pn-bangil.go.id``: a registry answers 404 for www)."""
    name = domain_normalise(value)
    return name[4:] if name.startswith("www.") and name.count(".") >= 2 else name


class DomainKind:
    key: ClassVar[str] = "domain"
    automatic: ClassVar[bool] = True
    identifier_required: ClassVar[bool] = True
    identifier_label: ClassVar[StrOrPromise] = _("Nama domain")

    def identifier_clean(self, value: str) -> str:
        return registered_name(value)

    def expiry_find(self, service: Service, *, force: bool = False) -> ExpiryFinding | None:
        from jaga.renewals.rdap.lookup import domain_expiry

        return domain_expiry(
            domain=registered_name(service.identifier),
            server=service.rdap_url,
            institution=service.institution,
            force=force,
        )


KIND = DomainKind()
