"""What must be acted on ("perlu tindakan"): a survey's site checks ranked by harm.

Pure: plain typed objects in (:class:`SiteFacts`), plain typed objects out (:class:`Action`).
The harm groups, their order and the Indonesian texts are data (``data/actions.yaml``). Hacked or
defaced sites come first, then broken TLS, sites that cannot be reached, default/parked/empty pages,
stale content and finally fixes to the registry. Inside a group, the unit kind (pemda before OPD
before kecamatan before kelurahan/desa: more people reach the larger unit's site), then the order of
problems in the file, then the unit code.

Crawled text (detail, snippet, URLs) is passed through untouched: renderers escape it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from spbe_crawler import config
from spbe_crawler.health.status import Status
from spbe_crawler.reports.formatting import tanggal
from spbe_crawler.vocab import UnitKind
from spbe_crawler.yamlfile import load_yaml

TLS_EXPIRED = "tls_expired"
REGISTRY_DEEP_LINK = "registry_deep_link"
DERIVED_PROBLEMS = frozenset({TLS_EXPIRED, REGISTRY_DEEP_LINK})
# Statuses that ask nothing of the unit: the site works, or a person decides (robots, blocking).
NO_ACTION = frozenset(
    {Status.OK.value, Status.ROBOTS_DISALLOWED.value, Status.BLOCKED.value, Status.NO_WEBSITE.value, Status.NOT_CHECKED.value}
)
KIND_ORDER = tuple(kind.value for kind in UnitKind)  # provinsi, pemda, opd, kecamatan, kelurahan, desa
SNIPPET_CHARS = 300


class ActionsConfigError(ValueError):
    """The actions file is malformed; the message names what is wrong."""


@dataclass(frozen=True)
class UnitRef:
    """The unit that must act: Kemendagri (or ``<pemda>/<slug>``) code, name, kind, its kecamatan."""

    code: str
    name: str
    kind: str
    kecamatan: str = ""


@dataclass(frozen=True)
class RegistryFix:
    """The survey found that the registered URL is a stale deep link while ``suggested_url`` works."""

    registered_url: str
    suggested_url: str
    reason: str = ""


@dataclass(frozen=True)
class SiteFacts:
    """What one survey recorded about one website of a unit."""

    unit: UnitRef
    url: str
    status: str
    detail: str = ""
    snippet: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    tls_expires_at: datetime | None = None
    checked_at: datetime | None = None
    newest_post: date | None = None
    registry_fix: RegistryFix | None = None


@dataclass(frozen=True)
class Problem:
    key: str
    group: str
    group_label: str
    problem: str
    fix: str
    order: tuple[int, int]


@dataclass(frozen=True)
class Action:
    """One thing a unit must do, with the evidence that shows why."""

    rank: int  # 1 = most harmful
    group: str  # key of the harm group: diretas, tls, mati, bawaan, basi, registri
    group_label: str
    problem_key: str  # a site status, or a derived problem (tls_expired, registry_deep_link)
    unit: UnitRef
    url: str
    problem: str  # what is wrong, in plain Indonesian
    evidence: tuple[str, ...]  # facts the survey recorded (untrusted text: escape when rendering)
    evidence_url: str | None  # the address a person can open to see it
    fix: str  # what to do


@lru_cache(maxsize=4)
def load_problems(path: Path | None = None) -> dict[str, Problem]:
    """The problems of ``data/actions.yaml`` by key; every status that can need action must be there."""
    path = path or config.DATA_DIR / "actions.yaml"
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    known = {s.value for s in Status} | DERIVED_PROBLEMS
    problems: dict[str, Problem] = {}
    for g, group in enumerate(data.get("groups") or []):
        if not isinstance(group, dict) or not group.get("key") or not group.get("label"):
            raise ActionsConfigError(f"{path.name}: kelompok ke-{g + 1} harus punya key dan label")
        for p, (key, texts) in enumerate((group.get("problems") or {}).items()):
            if key not in known:
                raise ActionsConfigError(f"{path.name}: '{key}' bukan status situs yang dikenal")
            if key in problems:
                raise ActionsConfigError(f"{path.name}: '{key}' tercantum dua kali")
            if not isinstance(texts, dict) or not texts.get("problem") or not texts.get("fix"):
                raise ActionsConfigError(f"{path.name}: '{key}' harus punya problem dan fix")
            problems[key] = Problem(key, group["key"], group["label"], texts["problem"].strip(), texts["fix"].strip(), (g, p))
    missing = known - NO_ACTION - set(problems)
    if missing:
        raise ActionsConfigError(f"{path.name}: tidak ada tindakan untuk {', '.join(sorted(missing))}")
    return problems


def rank_actions(sites: Iterable[SiteFacts], problems: dict[str, Problem] | None = None) -> list[Action]:
    """Every action the sites call for, most harmful first, numbered from 1."""
    problems = problems if problems is not None else load_problems()
    found: list[tuple[tuple[Any, ...], Problem, SiteFacts]] = []
    for site in sites:
        for key in _problem_keys(site):
            problem = problems[key]
            found.append((_sort_key(problem, site), problem, site))
    found.sort(key=lambda entry: entry[0])
    return [_action(rank, problem, site) for rank, (_, problem, site) in enumerate(found, start=1)]


def group_counts(actions: Iterable[Action]) -> list[tuple[str, str, int]]:
    """(group key, label, number of actions) in order of harm, only groups that have actions."""
    counts: dict[str, tuple[str, int]] = {}
    for action in actions:
        label, n = counts.get(action.group, (action.group_label, 0))
        counts[action.group] = (label, n + 1)
    return [(key, label, n) for key, (label, n) in counts.items()]


def _problem_keys(site: SiteFacts) -> list[str]:
    keys = []
    if site.status not in NO_ACTION:
        keys.append(TLS_EXPIRED if _tls_expired(site) else site.status)
    if site.registry_fix is not None:
        keys.append(REGISTRY_DEEP_LINK)
    return keys


def _tls_expired(site: SiteFacts) -> bool:
    if site.status != Status.TLS_ERROR.value or site.tls_expires_at is None:
        return False
    checked = site.checked_at or datetime.now(site.tls_expires_at.tzinfo)
    if (checked.tzinfo is None) != (site.tls_expires_at.tzinfo is None):
        checked, expires = checked.replace(tzinfo=None), site.tls_expires_at.replace(tzinfo=None)
    else:
        expires = site.tls_expires_at
    return expires < checked


def _sort_key(problem: Problem, site: SiteFacts) -> tuple[Any, ...]:
    kind = KIND_ORDER.index(site.unit.kind) if site.unit.kind in KIND_ORDER else len(KIND_ORDER)
    group, position = problem.order
    return (group, kind, position, site.unit.code, site.url)


def _action(rank: int, problem: Problem, site: SiteFacts) -> Action:
    fix = site.registry_fix
    suggested = fix.suggested_url if fix else ""
    if problem.key == REGISTRY_DEEP_LINK and fix is not None:
        evidence = _registry_evidence(fix)
        url, evidence_url = fix.registered_url, fix.suggested_url
    else:
        evidence = _evidence(site)
        url, evidence_url = site.url, site.final_url or site.url
    return Action(
        rank=rank,
        group=problem.group,
        group_label=problem.group_label,
        problem_key=problem.key,
        unit=site.unit,
        url=url,
        problem=problem.problem,
        evidence=evidence,
        evidence_url=evidence_url,
        fix=problem.fix.replace("{url}", url).replace("{suggested_url}", suggested),
    )


def _evidence(site: SiteFacts) -> tuple[str, ...]:
    lines = []
    if site.detail:
        lines.append(site.detail)
    if site.http_status and site.status in (Status.HTTP_ERROR.value, Status.REDIRECT_LOOP.value):
        lines.append(f"Kode jawaban HTTP {site.http_status}")
    if site.final_url and site.final_url.rstrip("/") != site.url.rstrip("/"):
        lines.append(f"Dialihkan ke {site.final_url}")
    if site.status == Status.TLS_ERROR.value and site.tls_expires_at is not None:
        verb = "berakhir" if _tls_expired(site) else "berlaku sampai"
        lines.append(f"Sertifikat {verb} {tanggal(site.tls_expires_at)}")
    if site.status == Status.STALE.value and site.newest_post is not None and not site.detail:
        lines.append(f"Konten terbaru {tanggal(site.newest_post)}")
    if site.snippet:
        snippet = " ".join(site.snippet.split())
        lines.append(snippet if len(snippet) <= SNIPPET_CHARS else snippet[: SNIPPET_CHARS - 1] + "…")
    if site.checked_at is not None:
        lines.append(f"Diperiksa {tanggal(site.checked_at, site.unit.code)}")
    return tuple(lines)


def _registry_evidence(fix: RegistryFix) -> tuple[str, ...]:
    lines = [f"Tercatat di registri: {fix.registered_url}", f"Halaman utama yang berfungsi: {fix.suggested_url}"]
    if fix.reason:
        lines.append(fix.reason)
    return tuple(lines)
