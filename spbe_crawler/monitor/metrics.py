"""Prometheus metrics of a scope in the text exposition format (version 0.0.4): a pure function,
plus a textfile writer for node_exporter's textfile collector.

Per site (labels ``site``, ``url``, ``unit``, ``kind``, ``role``):

* ``spbe_site_up`` 1 when the last confirmed probe worked, else 0 (absent: never probed);
* ``spbe_site_pending`` 1 while a new failure waits for its confirmation (``spbe_site_up`` keeps the
  last confirmed verdict meanwhile);
* ``spbe_site_maintenance`` 1 during a maintenance window;
* ``spbe_site_latency_seconds{quantile}`` p50/p95 total time of working probes over 24 hours;
* ``spbe_site_uptime_ratio{window}`` uptime over 24h / 7d / 30d, 0..1;
* ``spbe_site_certificate_expiry_days`` whole days until the certificate expires (negative: expired);
* ``spbe_site_last_probe_timestamp_seconds`` Unix time of the last probe.
"""

from __future__ import annotations

import os
from pathlib import Path

from spbe_crawler.health.status import works
from spbe_crawler.monitor.figures import WINDOWS, MonitorFigures, SiteFigures

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_FAMILIES = (
    ("spbe_site_up", "Status terakhir situs: 1 berfungsi, 0 gagal (setelah konfirmasi)."),
    ("spbe_site_pending", "1 selama kegagalan baru menunggu konfirmasi (N dari M percobaan)."),
    ("spbe_site_maintenance", "1 selama jendela pemeliharaan situs."),
    ("spbe_site_latency_seconds", "Waktu total probe yang berfungsi, 24 jam terakhir (p50, p95)."),
    ("spbe_site_uptime_ratio", "Ketersediaan situs per jendela waktu (0-1)."),
    ("spbe_site_certificate_expiry_days", "Sisa hari sebelum sertifikat TLS kedaluwarsa."),
    ("spbe_site_last_probe_timestamp_seconds", "Waktu probe terakhir (detik Unix)."),
)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(site: SiteFigures, **extra: str) -> str:
    pairs = {"site": site.host, "url": site.url, "unit": site.unit_name, "kind": site.unit_kind, "role": site.role, **extra}
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in pairs.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if value != int(value) else str(int(value))


def _samples(site: SiteFigures) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {name: [] for name, _ in _FAMILIES}
    if site.last_status is not None:
        out["spbe_site_up"].append(f"spbe_site_up{_labels(site)} {int(works(site.last_status))}")
    out["spbe_site_pending"].append(f"spbe_site_pending{_labels(site)} {int(site.pending_since is not None)}")
    out["spbe_site_maintenance"].append(f"spbe_site_maintenance{_labels(site)} {int(site.state == 'maintenance')}")
    for quantile, value in (("0.5", site.p50_ms["24h"]), ("0.95", site.p95_ms["24h"])):
        if value is not None:
            out["spbe_site_latency_seconds"].append(
                f"spbe_site_latency_seconds{_labels(site, quantile=quantile)} {_number(round(value / 1000, 6))}"
            )
    for window in WINDOWS:
        percent = site.uptime[window].percent
        if percent is not None:
            out["spbe_site_uptime_ratio"].append(f"spbe_site_uptime_ratio{_labels(site, window=window)} {_number(round(percent / 100, 6))}")
    if site.cert_days_left is not None:
        out["spbe_site_certificate_expiry_days"].append(f"spbe_site_certificate_expiry_days{_labels(site)} {site.cert_days_left}")
    if site.last_checked is not None:
        out["spbe_site_last_probe_timestamp_seconds"].append(
            f"spbe_site_last_probe_timestamp_seconds{_labels(site)} {_number(round(site.last_checked.timestamp(), 3))}"
        )
    return out


def prometheus_text(figures: MonitorFigures) -> str:
    """The exposition text of every site of ``figures`` (ends with a newline)."""
    per_site = [_samples(site) for site in figures.sites]
    lines: list[str] = []
    for name, help_text in _FAMILIES:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for samples in per_site:
            lines += samples[name]
    return "\n".join(lines) + "\n"


def write_textfile(path: Path, text: str) -> Path:
    """Write atomically (temporary file + rename), as node_exporter's textfile collector requires."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path
