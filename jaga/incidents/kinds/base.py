"""What every incident kind says about itself: its title, how severe it is, how it is verified resolved.

A kind is one module in this package with a ``KIND`` attribute (an :class:`IncidentKind`), listed in
:data:`jaga.incidents.kinds.REGISTRY`. The services ask the kind; they never branch on a kind's key.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.core.sentences import Text


class Severity(models.TextChoices):
    KRITIS = "kritis", _("Kritis")
    TINGGI = "tinggi", _("Tinggi")
    SEDANG = "sedang", _("Sedang")
    RENDAH = "rendah", _("Rendah")


# Higher is worse: a repeat may raise an incident's severity, never lower it by itself.
SEVERITY_RANK = {Severity.RENDAH: 0, Severity.SEDANG: 1, Severity.TINGGI: 2, Severity.KRITIS: 3}


class Resolution(enum.Enum):
    """How an incident of a kind is known to be over."""

    MONITOR = "monitor"  # the monitor confirms the site available for N checks (outage)
    CAUSE = "cause"  # the reporting app no longer reports the cause (freshness, integrity, backups)
    VERIFY = "verify"  # a person verifies it, with a note


@dataclass(frozen=True)
class IncidentKind:
    key: str
    label: StrOrPromise
    default_severity: Severity
    resolution: Resolution
    runbooks: tuple[str, ...] = ()  # slugs of the runbooks shown on the incident page
    # Run the first-response diagnostics (DNS, TCP, TLS, HTTP) in the worker when one opens.
    diagnose: bool = False
    # (detail key, value) pairs that make an incident of this kind more severe than its default
    severity_rules: tuple[tuple[str, Any, Severity], ...] = field(default=())
    # The incident's title in the reader's language, from its details and stored summary (None: the summary
    # as the reporting app wrote it, once, in the language of that moment). See ``Incident.title``.
    title: Callable[[dict[str, Any], str], str | None] | None = None
    # The title as a sentence (jaga.core.sentences) from the details: what the timeline stores when the incident
    # opens or repeats, and what ``Incident.title`` reads in each reader's language. Preferred to ``title``.
    sentence: Callable[[dict[str, Any]], Text | None] | None = None

    def severity_for(self, details: dict[str, Any]) -> Severity:
        """The severity of a new incident, from what the reporting app said about it."""
        for key, value, severity in self.severity_rules:
            found = details.get(key)
            if found == value or (isinstance(found, (list, tuple, set)) and value in found):
                return severity
        return self.default_severity
