"""Every knob of the cluster: one ``SPBE_*`` environment variable each, read by the one rule of
:class:`spbe_crawler.config.EnvSettings` (a bad value is a :class:`~spbe_crawler.config.SettingsError`
naming the variable)."""

from __future__ import annotations

from dataclasses import dataclass

from spbe_crawler.config import EnvSettings, knob


@dataclass(frozen=True)
class ClusterSettings(EnvSettings):
    redis_url: str = knob(
        "SPBE_REDIS_URL", "", "antrean bersama `spbe worker` (mis. `redis://10.0.0.5:6379/0`); bila diatur, `spbe run` selalu lewat antrean"
    )
    redis_prefix: str = knob("SPBE_REDIS_PREFIX", "spbe", "awalan semua kunci Redis instalasi ini")
    lease_seconds: float = knob(
        "SPBE_WORKER_LEASE", 60.0, "detik tanpa detak sebelum pekerja dianggap mati dan pekerjaannya kembali ke antrean"
    )
    per_ip: int = knob(
        "SPBE_CLUSTER_PER_IP", 0, "permintaan serentak per alamat IP server, semua pekerja bersama (0: = `SPBE_CONCURRENT_REQUESTS_PER_IP`)"
    )
    open_sites: int = knob(
        "SPBE_CLUSTER_OPEN_SITES", 0, "situs yang dibuka sekaligus oleh satu pekerja (0: 2 × `SPBE_CONCURRENT_REQUESTS`)"
    )
