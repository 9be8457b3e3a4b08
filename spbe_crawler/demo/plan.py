"""Load and check the demo plan (``plan.yaml``): which unit's site does what, as data.

A bad plan fails loading with the file name and the offending key, before any server starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from spbe_crawler.health.status import Status
from spbe_crawler.yamlfile import load_yaml

PLAN_FILE = Path(__file__).with_name("plan.yaml")

# What each server behaviour must look like to the survey: the one status it should report.
BEHAVIOUR_STATUS: dict[str, str] = {
    "ok": Status.OK.value,
    "rate_limited": Status.OK.value,
    "stale": Status.STALE.value,
    "unrouted": Status.DNS_ERROR.value,
    "refused": Status.CONNECT_REFUSED.value,
    "blackhole": Status.TIMEOUT.value,
    "drip": Status.TIMEOUT.value,
    "http_500": Status.HTTP_ERROR.value,
    "http_404": Status.HTTP_ERROR.value,
    "redirect_loop": Status.REDIRECT_LOOP.value,
    "redirect_to_parent": Status.REDIRECT_TO_PARENT.value,
    "tls_expired": Status.TLS_ERROR.value,
    "tls_self_signed": Status.TLS_ERROR.value,
    "tls_wrong_host": Status.TLS_ERROR.value,
    "blocked": Status.BLOCKED.value,
    "robots_disallowed": Status.ROBOTS_DISALLOWED.value,
    "hacked_cloaked": Status.HACKED_CLOAKED.value,
    "http_only": Status.OK.value,  # 443 refused: works over http:// (registry fallback, "tanpa HTTPS")
    "https_redirect": Status.OK.value,  # http:// answers 301 to https://
    "cookie_check": Status.OK.value,  # 302 to the same address with a cookie, then the page
}
# Behaviours whose connections never reach the HTTP servers (see routes in manifest.py).
NETWORK_BEHAVIOURS = frozenset({"unrouted", "refused", "blackhole", "drip"})
TRAPS = frozenset(
    {
        "endless_calendar",
        "session_ids",
        "url_growth",
        "long_url",
        "redirect_chain",
        "gzip_bomb",
        "huge_page",
        "wrong_charset",
        "no_charset",
        "malformed_html",
    }
)
HOW_FOUND = ("declared", "linked", "guessable", "ambiguous", "none")
_REQUIRED = (
    "pemda_code",
    "pemda_name",
    "root",
    "seed",
    "address",
    "private_zones",
    "opd",
    "kecamatan",
    "kelurahan",
    "test_hosts",
    "national",
)


class PlanError(ValueError):
    """The demo plan file is not usable."""


@dataclass(frozen=True)
class Plan:
    path: Path
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def error(self, where: str, message: str) -> PlanError:
        return PlanError(f"{self.path}: {where}: {message}")


def load_plan(path: str | Path = PLAN_FILE) -> Plan:
    """Read and check a plan file; raises :class:`PlanError` naming the file and the key."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: tidak dapat dibaca: {exc}") from exc
    plan = Plan(path, data if isinstance(data, dict) else {})
    missing = [key for key in _REQUIRED if key not in plan.data]
    if missing:
        raise plan.error("plan", f"kunci wajib tidak ada: {', '.join(missing)}")
    _check_behaviours(plan)
    _check_kelurahan(plan)
    _check_bands(plan)
    return plan


def _check_bands(plan: Plan) -> None:
    """``assessor_bands`` (optional): a framework id and indicator -> [lowest, highest] level."""
    section = plan.data.get("assessor_bands")
    if section is None:
        return
    if not isinstance(section, dict) or not isinstance(section.get("framework"), str) or not isinstance(section.get("bands"), dict):
        raise plan.error("assessor_bands", "perlu framework dan bands")
    for indicator, band in section["bands"].items():
        ok = isinstance(indicator, int) and isinstance(band, list) and len(band) == 2 and all(isinstance(v, int) for v in band)
        if not ok or band[0] > band[1]:
            raise plan.error(f"assessor_bands.bands.{indicator}", "harus [tingkat terendah, tingkat tertinggi]")


def _check_behaviours(plan: Plan) -> None:
    named = [(f"opd.behaviours.{k}", v) for k, v in (plan["opd"].get("behaviours") or {}).items()]
    named += [
        (f"kecamatan.overrides.{k}.behaviour", v.get("behaviour", "ok")) for k, v in (plan["kecamatan"].get("overrides") or {}).items()
    ]
    named += [
        (f"kelurahan.overrides.{k}.behaviour", v.get("behaviour", "ok")) for k, v in (plan["kelurahan"].get("overrides") or {}).items()
    ]
    named += [(f"test_hosts.{k}", v) for k, v in plan["test_hosts"].items()]
    for where, behaviour in named:
        if behaviour not in BEHAVIOUR_STATUS:
            raise plan.error(where, f"perilaku tidak dikenal: {behaviour!r}")
    for slug, traps in (plan["opd"].get("traps") or {}).items():
        unknown = set(traps) - TRAPS
        if unknown:
            raise plan.error(f"opd.traps.{slug}", f"jebakan tidak dikenal: {sorted(unknown)}")


def _check_kelurahan(plan: Plan) -> None:
    section = plan["kelurahan"]
    for key in ("site_ratio", "how_found", "prefixes", "dashed_ratio", "http_only_ratio"):
        if key not in section:
            raise plan.error("kelurahan", f"kunci wajib tidak ada: {key}")
    for name, override in (section.get("overrides") or {}).items():
        if override.get("how_found", "declared") not in HOW_FOUND:
            raise plan.error(f"kelurahan.overrides.{name}.how_found", "nilai tidak sah")
    for index, item in enumerate(section.get("ambiguous") or []):
        if not {"host", "link_text", "unit", "candidates"} <= set(item):
            raise plan.error(f"kelurahan.ambiguous[{index}]", "perlu host, link_text, unit, candidates")
