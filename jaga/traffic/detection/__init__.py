"""Detection: rule kinds behind one registry, rules as YAML data, the engine that runs them over lines.

A rule is a YAML file (``jaga/traffic/rules/*.yaml``, or a folder named by ``JAGA_TRAFFIC_RULES_DIR``) whose
``kind`` names an entry of :data:`RULE_KINDS`; the kind validates the rule's ``config`` (its
:class:`~jaga.core.kindconfig.KindConfig`) and turns it into findings over a DuckDB table of lines.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry
from jaga.traffic.detection.base import RuleKind

RULE_KINDS: Registry[RuleKind] = Registry("detection rule kind", noun=_("jenis aturan deteksi"))

RULE_KINDS.register(
    "signature",
    "jaga.traffic.detection.signature",
    label=_("Tanda serangan per baris"),
    description=_(
        "Pola pada alamat yang diminta (setelah didekode berulang), user agent, metode atau status; "
        "setiap baris dinilai sendiri."
    ),
)
RULE_KINDS.register(
    "bucket",
    "jaga.traffic.detection.bucket",
    label=_("Perilaku (ember bocor)"),
    description=_(
        "Ember bocor per klien, per subnet /24 atau /64, atau per alamat login: kapasitas, kecepatan bocor, "
        "dan nilai berbeda, seperti skenario CrowdSec."
    ),
)
RULE_KINDS.register(
    "crawler",
    "jaga.traffic.detection.crawler",
    label=_("Crawler palsu (DNS balik)"),
    description=_(
        "Klien yang mengaku Googlebot, Bingbot dan sebagainya diperiksa dengan DNS balik yang dikonfirmasi: "
        "nama PTR harus di domain crawler itu dan menunjuk kembali ke alamatnya."
    ),
)
RULE_KINDS.register(
    "anomaly",
    "jaga.traffic.detection.anomaly",
    label=_("Lonjakan dibanding dasar situs"),
    description=_(
        "Jumlah permintaan per jendela waktu (seluruh situs, per klien atau per subnet) dibandingkan dengan "
        "kuantil jendela biasa situs itu sendiri: ambangnya mengikuti ramainya situs."
    ),
)

__all__ = ["RULE_KINDS"]
