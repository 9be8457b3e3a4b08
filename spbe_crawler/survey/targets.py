"""The websites a survey of one pemda visits, with the hosts of each unit's parents."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlmodel import Session

from spbe_crawler.registry.scope import units_in_scope, websites_of
from spbe_crawler.store.models import Unit
from spbe_crawler.survey.links import site_key


@dataclass(frozen=True)
class Target:
    website_id: int
    unit_code: str
    url: str
    parent_hosts: frozenset[str]


@dataclass
class Targets:
    units: list[Unit] = field(default_factory=list)
    websites: list[Target] = field(default_factory=list)
    hosts_by_unit: dict[str, set[str]] = field(default_factory=dict)


def load_targets(session: Session, pemda_code: str) -> Targets:
    """Every non-rejected website of every unit in scope, kecamatan before kelurahan, in code order.

    ``parent_hosts`` are the hosts of the unit's ancestors (kelurahan -> kecamatan -> pemda; OPD ->
    pemda): a homepage that only redirects there is ``redirect_to_parent``.
    """
    units = units_in_scope(session, pemda_code)
    sites = websites_of(session, [unit.code for unit in units])
    by_code = {unit.code: unit for unit in units}
    hosts = {code: {site_key(urlsplit(w.url).hostname or "") for w in ws} for code, ws in sites.items()}
    targets = Targets(units=units, hosts_by_unit=hosts)
    for unit in units:
        ancestors: set[str] = set()
        parent = by_code.get(unit.parent_code or "")
        while parent is not None:
            ancestors |= hosts.get(parent.code, set())
            parent = by_code.get(parent.parent_code or "")
        own = hosts.get(unit.code, set())
        for website in sites.get(unit.code, []):
            targets.websites.append(Target(website.id or 0, unit.code, website.url, frozenset(ancestors - own)))
    return targets
