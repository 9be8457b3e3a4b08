"""What to fix first: steps a pemda can take, each tied to an indicator and the evidence it lacks.

Every step of one level on indicator i raises the index by w_i / Σw, whatever the current level,
so the cheapest gains are the heaviest indicators that are not yet at the top; among equal weights
the lower current level comes first (the next criterion is the more basic one).

A step is *shown by crawling* when the rubric has a crawl rule for the indicator that reaches the
next level (for spbe-2020: service indicators up to level 4). Other steps need documents an
assessor reads (policies, audit reports, review minutes); they are kept apart, marked as such, so
the list a pemda works from only holds what a crawl of its websites can confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from scoring.aggregate import level_gain
from scoring.framework import Framework
from scoring.rubric import LevelRule, Rubric


@dataclass(frozen=True)
class ServiceFacts:
    """The service behind an indicator's estimate, as the survey found it."""

    key: str
    name: str  # short name for a sentence ("JDIH")
    owner: str | None = None  # the OPD that runs it
    needs: Mapping[str, str] = field(default_factory=dict)  # maturity signal -> what it must show


@dataclass(frozen=True)
class Step:
    indicator: int
    name: str
    level: int | None  # None: no evidence yet
    next_level: int
    next_level_name: str
    gain: Decimal | None  # index gain of the step; None when the indicator has no level yet
    criterion: str  # the regulation's criterion of the next level, as written
    missing: str  # what evidence is missing, in plain words
    owner: str | None
    crawlable: bool  # False: the next level is shown by documents, not by crawling
    service: str | None = None


def next_steps(
    framework: Framework,
    levels: Mapping[int, int | None],
    rubric: Rubric | None = None,
    services: Mapping[int, ServiceFacts] | None = None,
    limit: int | None = 10,
) -> list[Step]:
    """Steps shown by crawling first (known levels by gain, then indicators without evidence by
    weight), then steps that need documents (known levels only, by gain); up to ``limit`` of each."""
    services = services or {}
    crawl_known: list[Step] = []
    crawl_unknown: list[Step] = []
    documents: list[Step] = []
    for number, level in sorted(levels.items()):
        if number not in framework.indicators or (level is not None and level >= framework.scale_max):
            continue
        step = _step(framework, rubric, number, level, services.get(number))
        if step.crawlable and level is not None:
            crawl_known.append(step)
        elif step.crawlable and rubric is not None:  # without a rubric nothing says a crawl can show it
            crawl_unknown.append(step)
        elif level is not None:  # an unscored document indicator is the assessor's to fill in
            documents.append(step)
    weight = {n: framework.indicators[n].weight for n in framework.indicators}
    crawl_known.sort(key=lambda s: (-weight[s.indicator], s.level or 0, s.indicator))
    crawl_unknown.sort(key=lambda s: (-weight[s.indicator], s.indicator))
    documents.sort(key=lambda s: (-weight[s.indicator], s.level or 0, s.indicator))
    crawl = crawl_known + crawl_unknown
    if limit is not None:
        crawl, documents = crawl[:limit], documents[:limit]
    return crawl + documents


def _step(framework: Framework, rubric: Rubric | None, number: int, level: int | None, service: ServiceFacts | None) -> Step:
    indicator = framework.indicators[number]
    target = framework.scale_min if level is None else level + 1
    criterion = indicator.criteria.get(target)
    rule_level = _crawl_level(rubric, number, target)
    crawlable = rubric is None or rule_level is not None
    if rule_level is not None:
        missing = _missing(service, rule_level, indicator.name)
    elif crawlable:
        missing = criterion.kriteria if criterion else ""
    else:
        documents = criterion.bukti_dukung if criterion and criterion.bukti_dukung else ""
        missing = f"Perlu dokumen{': ' + documents if documents else ''}; tingkat ini tidak tampak dari perayapan situs."
    return Step(
        indicator=number,
        name=indicator.name,
        level=level,
        next_level=target,
        next_level_name=framework.level_name(number, target),
        gain=level_gain(framework, number) if level is not None else None,
        criterion=criterion.kriteria if criterion else "",
        missing=missing,
        owner=service.owner if service else None,
        crawlable=crawlable,
        service=service.key if service else None,
    )


def _crawl_level(rubric: Rubric | None, number: int, target: int) -> LevelRule | None:
    """The rubric's crawl rule level for ``target``, or None when crawling cannot show it."""
    if rubric is None:
        return None
    try:
        rule = rubric.rule_for(number)
    except KeyError:
        return None
    if rule.manual:
        return None
    return next((lvl for lvl in rule.levels if lvl.level == target), None)


def _missing(service: ServiceFacts | None, rule: LevelRule, indicator_name: str) -> str:
    needs = [service.needs[s] for s in sorted(rule.any_signal) if service and s in service.needs]
    what = " atau ".join(needs) if needs else rule.criterion
    if service is None:
        return f"Belum ditemukan layanan untuk “{indicator_name}” di situs pemda; tunjukkan {what}."
    verb = "punya" if needs else "menunjukkan"
    text = f"{service.name} belum {verb} {what}."
    return text[:1].upper() + text[1:]
