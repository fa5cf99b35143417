"""What the register reads from an RDAP domain object (RFC 9083 §5.3): expiry, registrar, status, name servers.

Registries differ: the expiration event may be missing (RFC 9083 does not require it: .no, .fi, some .id
answers), dates come with or without fractional seconds and offsets, the registrar's name sits in a vCard
(``fn``) of an entity whose roles include ``registrar`` — sometimes nested in another entity — or only in
its ``publicIds``. Everything here is tolerant of shape and strict about meaning: a date that cannot be
read is no date, never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


class NotADomainObject(ValueError):
    """The JSON is not an RDAP domain object (an error object, a search result, something else)."""


@dataclass
class ParsedDomain:
    ldh_name: str = ""
    expires_at: dt.datetime | None = None
    registered_at: dt.datetime | None = None
    registrar: str = ""
    statuses: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)


def rdap_date(value: Any) -> dt.datetime | None:
    """An RDAP ``eventDate`` (RFC 3339) as an aware UTC datetime, or None when it cannot be read."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # a registry that leaves the offset out means UTC (RFC 3339 requires one)
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _events(document: dict[str, Any], action: str) -> list[dt.datetime]:
    found = []
    for event in document.get("events") or []:
        if isinstance(event, dict) and str(event.get("eventAction", "")).strip().lower() == action:
            date = rdap_date(event.get("eventDate"))
            if date is not None:
                found.append(date)
    return found


def _vcard_name(entity: dict[str, Any]) -> str:
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) >= 2 and isinstance(card[1], list)):
        return ""
    for prop in card[1]:
        if isinstance(prop, list) and len(prop) >= 4 and prop[0] in ("fn", "org"):
            value = prop[3]
            if isinstance(value, list):
                value = " ".join(str(v) for v in value if v)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _registrar(entities: Any) -> str:
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, dict):
            continue
        roles = [str(role).lower() for role in entity.get("roles") or []]
        if "registrar" in roles:
            name = _vcard_name(entity)
            if name:
                return name
            for public_id in entity.get("publicIds") or []:
                if isinstance(public_id, dict) and public_id.get("identifier"):
                    return f"{public_id.get('type', 'ID')} {public_id['identifier']}".strip()
            if entity.get("handle"):
                return str(entity["handle"])
        nested = _registrar(entity.get("entities"))
        if nested:
            return nested
    return ""


def domain_parse(document: Any) -> ParsedDomain:
    """Read a domain object; :class:`NotADomainObject` for anything else (an RDAP error object included)."""
    if not isinstance(document, dict):
        raise NotADomainObject("jawaban bukan objek JSON / the answer is not a JSON object")
    if "errorCode" in document and "ldhName" not in document:
        title = document.get("title") or document.get("description") or document.get("errorCode")
        raise NotADomainObject(f"registri menjawab dengan galat / the registry answered an error: {title}")
    object_class = document.get("objectClassName")
    if object_class is not None and object_class != "domain":
        raise NotADomainObject(f"objek {object_class!r}, bukan domain / not a domain object")
    if object_class is None and "ldhName" not in document and "events" not in document:
        raise NotADomainObject("tidak ada ldhName maupun events / neither ldhName nor events")
    expirations = _events(document, "expiration")
    registrations = _events(document, "registration")
    statuses = [str(s) for s in document.get("status") or [] if isinstance(s, str)]
    nameservers = sorted(
        {
            str(ns.get("ldhName") or ns.get("unicodeName")).lower().rstrip(".")
            for ns in document.get("nameservers") or []
            if isinstance(ns, dict) and (ns.get("ldhName") or ns.get("unicodeName"))
        }
    )
    return ParsedDomain(
        ldh_name=str(document.get("ldhName") or document.get("unicodeName") or "").lower(),
        expires_at=max(expirations) if expirations else None,
        registered_at=min(registrations) if registrations else None,
        registrar=_registrar(document.get("entities"))[:300],
        statuses=statuses,
        nameservers=nameservers,
    )
