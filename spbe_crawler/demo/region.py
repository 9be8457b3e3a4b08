"""The demo region: every site of the demo pemda, who owns it, how it can be found, what it does.

Built deterministically from the plan (``plan.yaml``), the Kemendagri list, the OPD list and the
asset directories (problem pages, portal trees). Random draws use ``random.Random("<seed>:<key>")``,
so a unit's draw does not depend on any other unit.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spbe_crawler.demo.assets import PortalTree, ProblemPage
from spbe_crawler.demo.naming import host_under, label
from spbe_crawler.demo.plan import BEHAVIOUR_STATUS, Plan
from spbe_crawler.demo.units import OpdRow, UnitRow

# Behaviours whose pages are normal HTML a crawler can follow links on.
LINKING_BEHAVIOURS = frozenset({"ok", "stale", "rate_limited"})


@dataclass(frozen=True)
class Link:
    section: str
    url: str
    text: str


@dataclass
class SiteSpec:
    host: str
    kind: str  # pemda | opd | kecamatan | kelurahan | portal | national | test | alias
    unit_code: str | None
    name: str
    behaviour: str = "ok"
    content: str = "unit"  # unit | pemda_portal | national | portal | problem_page
    declared: bool = False
    how_found: str = "none"
    scheme: str = "https"
    parent_code: str | None = None
    link_text: str | None = None
    linked_from: str | None = None
    candidates: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    asset: Path | None = None  # problem page file (bot page when cloaked), or portal tree directory
    browser_asset: Path | None = None  # home page shown to browsers by a cloaked site
    status_override: str | None = None
    loop_partner: str | None = None
    national: dict[str, Any] | None = None
    registered: str | None = None  # the registry's URL when it is not where the site works
    fallback: str | None = None  # the registry fallback that finds it: root | http | www

    @property
    def url(self) -> str:
        if self.national and self.national.get("link"):
            return str(self.national["link"])
        return f"{self.scheme}://{self.host}/"

    @property
    def expected_status(self) -> str:
        return self.status_override or BEHAVIOUR_STATUS[self.behaviour]


@dataclass
class Region:
    plan: Plan
    pemda_code: str
    pemda_name: str
    root: str
    units: list[UnitRow]
    opds: list[OpdRow]
    sites: dict[str, SiteSpec] = field(default_factory=dict)
    no_site: list[UnitRow] = field(default_factory=list)
    links: dict[str, list[Link]] = field(default_factory=dict)

    def add(self, spec: SiteSpec) -> SiteSpec:
        if spec.host in self.sites:
            raise self.plan.error("hosts", f"host ganda: {spec.host}")
        self.sites[spec.host] = spec
        return spec

    def unit(self, code: str) -> UnitRow | None:
        return next((u for u in self.units if u.code == code), None)

    def rng(self, key: str) -> random.Random:
        return random.Random(f"{self.plan['seed']}:{key}")


def build_region(
    plan: Plan, units: list[UnitRow], opds: list[OpdRow], problem_pages: Sequence[ProblemPage] = (), portals: Sequence[PortalTree] = ()
) -> Region:
    """Every site of the demo, its links, and the units that have no site."""
    region = Region(plan, str(plan["pemda_code"]), plan["pemda_name"], plan["root"], units, opds)
    _add_pemda(region)
    _add_opds(region)
    _add_kecamatan(region)
    _add_kelurahan(region)
    _add_test_hosts(region)
    _add_national(region)
    _attach_portals(region, portals)
    _attach_problem_pages(region, problem_pages)
    _link(region)
    return region


def _add_pemda(region: Region) -> None:
    name = f"Pemerintah {region.pemda_name}"
    region.add(SiteSpec(region.root, "pemda", region.pemda_code, name, content="pemda_portal", declared=True, how_found="declared"))
    region.add(SiteSpec(f"www.{region.root}", "alias", region.pemda_code, name, content="pemda_portal"))


def _add_opds(region: Region) -> None:
    section = region.plan["opd"]
    behaviours, traps = section.get("behaviours") or {}, section.get("traps") or {}
    for opd in region.opds:
        if not opd.website:
            continue
        parts = urlsplit(opd.website if "://" in opd.website else f"https://{opd.website}")
        host = (parts.hostname or "").lower()
        if host in (region.root, f"www.{region.root}"):
            continue  # the pemda portal (Sekretariat Daerah) is built by _add_pemda
        spec = region.add(
            SiteSpec(
                host,
                "opd",
                f"{region.pemda_code}/{opd.slug}",
                opd.name,
                behaviour=behaviours.get(opd.slug, "ok"),
                declared=True,
                how_found="declared",
                scheme=parts.scheme or "https",
                traps=list(traps.get(opd.slug, [])),
            )
        )
        if spec.behaviour == "redirect_loop":
            _add_loop_partner(region, spec)
    known = {opd.slug: opd for opd in region.opds}
    for slug, how in (section.get("undeclared") or {}).items():
        if slug not in known:
            raise region.plan.error(f"opd.undeclared.{slug}", "OPD tidak ada di daftar OPD")
        region.add(
            SiteSpec(
                host_under(slug, region.root),
                "opd",
                f"{region.pemda_code}/{slug}",
                known[slug].name,
                how_found=how,
                linked_from=region.root if how == "linked" else None,
            )
        )


def _add_loop_partner(region: Region, spec: SiteSpec) -> None:
    partner = region.add(
        SiteSpec(f"www.{spec.host}", "alias", spec.unit_code, spec.name, behaviour="redirect_loop", loop_partner=spec.host)
    )
    spec.loop_partner = partner.host


def _add_kecamatan(region: Region) -> None:
    section = region.plan["kecamatan"]
    overrides = section.get("overrides") or {}
    _check_names(region, "kecamatan", overrides)
    for unit in (u for u in region.units if u.kind == "kecamatan"):
        override = overrides.get(unit.name, {})
        how = override.get("how_found", "declared")
        host = host_under(label(override.get("host", section["host"]), unit.name), region.root)
        region.add(
            SiteSpec(
                host,
                "kecamatan",
                unit.code,
                f"Kecamatan {unit.name}",
                behaviour=override.get("behaviour", "ok"),
                declared=how == "declared",
                how_found=how,
                parent_code=unit.parent_code,
            )
        )


def _check_names(region: Region, kind: str, names: Any) -> None:
    known = [u.name for u in region.units if u.kind == kind]
    for name in names:
        if known.count(name) != 1:
            raise region.plan.error(f"{kind}.{name}", f"nama {kind} tidak ada atau tidak unik")


def _add_kelurahan(region: Region) -> None:
    section = region.plan["kelurahan"]
    overrides = section.get("overrides") or {}
    ambiguous = {item["unit"]: item for item in section.get("ambiguous") or []}
    _check_names(region, "kelurahan", list(overrides) + list(ambiguous))
    partners = {c for item in ambiguous.values() for c in item["candidates"] if c != item["unit"]}
    _check_names(region, "kelurahan", partners)
    for unit in (u for u in region.units if u.kind != "kecamatan"):
        if unit.kind != "kelurahan" or unit.name in partners:  # desa, and the ambiguous partners
            region.no_site.append(unit)
            continue
        if unit.name in ambiguous:
            _add_ambiguous(region, unit, ambiguous[unit.name])
            continue
        spec = _kelurahan_site(region, unit, overrides.get(unit.name))
        if spec is None:
            region.no_site.append(unit)
        else:
            region.add(spec)


def _kelurahan_site(region: Region, unit: UnitRow, override: dict[str, Any] | None) -> SiteSpec | None:
    section = region.plan["kelurahan"]
    rng = region.rng(unit.code)
    has_site = rng.random() < section["site_ratio"]
    how = _weighted(rng, section["how_found"])
    prefix = _weighted(rng, section["prefixes"])
    dashed_name = rng.random() < section["dashed_ratio"] and prefix.endswith("-")  # nobody writes kelway-halim
    pattern = prefix + ("{dashed}" if dashed_name else "{joined}")
    http_only = rng.random() < section["http_only_ratio"]
    from_portal = rng.random() < section.get("portal_link_ratio", 0.0)
    if override is None:
        if not has_site:
            return None
        override = {}
    else:
        how = override.get("how_found", "declared")
    host = host_under(label(override.get("host", pattern), unit.name), region.root)
    linked_from = override.get("linked_from", "pemda" if from_portal else "kecamatan")
    scheme = override.get("scheme") or ("http" if http_only and how == "declared" else "https")
    registered, fallback = _registered(override, scheme, host)
    return SiteSpec(
        host,
        "kelurahan",
        unit.code,
        f"Kelurahan {unit.name}",
        behaviour=override.get("behaviour", "ok"),
        declared=how == "declared",
        how_found=how,
        scheme=scheme,
        parent_code=unit.parent_code,
        link_text=override.get("link_text", f"Kelurahan {unit.name}") if how != "guessable" else None,
        linked_from=_linker(region, unit, linked_from) if how == "linked" else None,
        registered=registered,
        fallback=fallback,
    )


def _registered(override: dict[str, Any], scheme: str, host: str) -> tuple[str | None, str | None]:
    """The registry's URL of a messy entry and the survey fallback that must find the site."""
    registered = override.get("registered")
    if registered == "deep_link":  # an old article: 404 now, while the site root works
        return f"{scheme}://{host}/berita/2019/profil-lama.html", "root"
    if registered == "www":  # only the bare name exists
        return f"{scheme}://www.{host}", "www"
    if override.get("behaviour") == "http_only" and scheme == "https":
        return None, "http"
    return None, None


def _add_ambiguous(region: Region, unit: UnitRow, item: dict[str, Any]) -> None:
    codes = [u.code for u in region.units if u.kind == "kelurahan" and u.name in item["candidates"]]
    region.add(
        SiteSpec(
            host_under(item["host"], region.root),
            "kelurahan",
            unit.code,
            f"Kelurahan {unit.name}",
            how_found="ambiguous",
            parent_code=unit.parent_code,
            link_text=item["link_text"],
            candidates=codes,
            linked_from=_linker(region, unit, item.get("linked_from", "pemda")),
        )
    )


def _linker(region: Region, unit: UnitRow, where: str) -> str:
    """The host whose pages link the site: its kecamatan's when that site can show links."""
    if where == "kecamatan":
        parent = next((s for s in region.sites.values() if s.kind == "kecamatan" and s.unit_code == unit.parent_code), None)
        if parent and parent.declared and parent.behaviour in LINKING_BEHAVIOURS:
            return parent.host
    return region.root


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]


def _add_test_hosts(region: Region) -> None:
    for name, behaviour in region.plan["test_hosts"].items():
        region.add(SiteSpec(host_under(name, region.root), "test", None, f"Situs uji {name}", behaviour=behaviour))


def _add_national(region: Region) -> None:
    for host, info in region.plan["national"].items():
        for name in [host, *(info.get("aliases") or [])]:
            region.add(
                SiteSpec(
                    name,
                    "national" if name == host else "alias",
                    None,
                    info["name"],
                    content="national",
                    how_found="linked" if name == host else "none",
                    linked_from=region.root if name == host else None,
                    services=list(info.get("services") or []),
                    national=dict(info),
                )
            )


def _attach_portals(region: Region, portals: Sequence[PortalTree]) -> None:
    """A portal tree replaces the generated content of its host (or adds a new host)."""
    for tree in portals:
        spec = region.sites.get(tree.host)
        if spec is None:
            spec = region.add(SiteSpec(tree.host, "portal", tree.unit_code, tree.host, how_found="linked", linked_from=region.root))
        # The tree's owner (area inventory) decides every page of the host: no generated pages, no traps.
        spec.content, spec.asset, spec.national, spec.traps = "portal", tree.root, None, []
        spec.unit_code = tree.unit_code or spec.unit_code
        spec.services = tree.services or spec.services
        if tree.expected_status != BEHAVIOUR_STATUS[spec.behaviour]:
            spec.status_override = tree.expected_status


def _attach_problem_pages(region: Region, pages: Sequence[ProblemPage]) -> None:
    """One host per page: a declared kelurahan site picked from the page's file name (stable slots)."""
    overridden = set(region.plan["kelurahan"].get("overrides") or {})
    pool = [
        s
        for s in region.sites.values()
        if s.kind == "kelurahan"
        and s.declared
        and s.behaviour == "ok"
        and s.content == "unit"
        and s.name.removeprefix("Kelurahan ") not in overridden
    ]
    region.rng("problem-pool").shuffle(pool)
    taken: set[int] = set()
    for page in (p for p in pages if p.status != "hacked_cloaked"):
        spec = _slot(region, pool, taken, page)
        spec.content, spec.status_override, spec.asset = "problem_page", page.status, page.path
    _attach_cloaked(region, [p for p in pages if p.status == "hacked_cloaked"], pool, taken)


def _attach_cloaked(region: Region, pages: list[ProblemPage], pool: list[SiteSpec], taken: set[int]) -> None:
    """A bot page (with its browser twin, if any) goes to a planned cloaked site, else to a free slot."""
    browsers = {p.variant.replace("browser", ""): p for p in pages if "browser" in p.variant}
    targets = [s for s in region.sites.values() if s.behaviour == "hacked_cloaked" and s.asset is None]
    for page in (p for p in pages if "browser" not in p.variant):
        spec = targets.pop(0) if targets else _slot(region, pool, taken, page)
        spec.behaviour, spec.asset = "hacked_cloaked", page.path
        twin = browsers.get(page.variant.replace("bot", ""))
        spec.browser_asset = twin.path if twin else None


def _slot(region: Region, pool: list[SiteSpec], taken: set[int], page: ProblemPage) -> SiteSpec:
    spec = _free_slot(pool, taken, page.path.name)
    if spec is None:
        spec = region.add(SiteSpec(host_under(page.label, region.root), "test", None, f"Situs uji {page.label}"))
    return spec


def _free_slot(pool: list[SiteSpec], taken: set[int], name: str) -> SiteSpec | None:
    if len(taken) >= len(pool):
        return None
    index = zlib.crc32(name.encode()) % len(pool)
    while index in taken:
        index = (index + 1) % len(pool)
    taken.add(index)
    return pool[index]


def _link(region: Region) -> None:
    """Which pages link which sites: the pemda portal and the kecamatan sites."""
    links: list[Link] = []
    sites = list(region.sites.values())
    opd_order = {f"{region.pemda_code}/{o.slug}": i for i, o in enumerate(region.opds)}
    opds = [s for s in sites if s.kind == "opd" and s.how_found in ("declared", "linked")]
    links += [Link("opd", s.url, s.name) for s in sorted(opds, key=lambda s: opd_order[s.unit_code or ""])]
    texts = region.plan.data.get("portal_link_texts") or {}
    links += [Link("layanan", s.url, texts.get(s.host.split(".")[0], s.host)) for s in sites if _is_service_portal(s, region.root)]
    links += [Link("nasional", s.url, s.name) for s in sites if s.kind == "national"]
    count = int(region.plan["kecamatan"].get("linked_from_portal", 0))
    kecamatan = [s for s in sites if s.kind == "kecamatan" and s.declared][:count]
    links += [Link("kecamatan", s.url, s.name) for s in kecamatan]
    count = int(region.plan["kelurahan"].get("portal_declared_links", 0))
    declared = [s for s in sites if s.kind == "kelurahan" and s.declared][:count]
    linked = [s for s in sites if s.kind == "kelurahan" and s.linked_from == region.root]
    links += [Link("kelurahan", s.url, s.link_text or s.name) for s in declared + linked]
    region.links[region.root] = region.links[f"www.{region.root}"] = links
    for parent in (s for s in sites if s.kind == "kecamatan"):
        children = [
            s for s in sites if s.kind == "kelurahan" and s.parent_code == parent.unit_code and (s.declared or s.linked_from == parent.host)
        ]
        region.links[parent.host] = [Link("kelurahan", s.url, s.link_text or s.name) for s in children]


def _is_service_portal(spec: SiteSpec, root: str) -> bool:
    """A portal tree on a service host of the pemda (ppid., jdih.), not on an OPD's own host (dinkes.)."""
    if spec.content != "portal" or not spec.host.endswith("." + root):
        return False
    return spec.kind != "opd" or spec.host.split(".")[0] != (spec.unit_code or "").split("/")[-1]
