"""Load and validate a framework YAML file (``data/frameworks/<id>.yaml``) into a :class:`Framework`.

Validation is exact (Decimal): indicator weights sum to 100, every indicator sits in exactly one
bottom-level group, each group's weight equals the sum of what it holds, and the predikat bands
cover the whole scale without gaps or overlaps. A bad file fails with its name, id and the problem.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from scoring import _parse as p
from scoring.framework import (
    AggregationLevel,
    Band,
    Criterion,
    Framework,
    Group,
    Indicator,
    LevelName,
    MaturityModel,
)
from spbe_crawler.yamlfile import load_yaml

HUNDRED = Decimal(100)
RUBRIC_PREFIX = "rubric-"


class FrameworkError(p.DataFileError):
    """A framework file is malformed or inconsistent."""


def read_yaml(path: Path, error: type[p.DataFileError]) -> Mapping[str, Any]:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path.name}: berkas tidak dapat dibaca ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise error(f"{path.name}: YAML tidak valid ({exc})") from None
    if not isinstance(raw, Mapping):
        raise error(f"{path.name}: isi berkas harus berupa pemetaan (mapping)")
    return raw


def load_framework(path: Path | str) -> Framework:
    """Parse and validate one framework file; raises :class:`FrameworkError` naming file and id."""
    path = Path(path)
    raw = read_yaml(path, FrameworkError)
    fid = raw.get("id") if isinstance(raw.get("id"), str) else "?"
    try:
        framework = _build(raw, path)
        _validate(framework)
    except p.DataFileError as exc:
        raise FrameworkError(f"{path.name} (id {fid}): {exc}") from None
    return framework


def load_frameworks(directory: Path | str) -> dict[str, Framework]:
    """Every framework file of ``directory`` (rubric files skipped), keyed by id."""
    result: dict[str, Framework] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        if path.name.startswith(RUBRIC_PREFIX):
            continue
        framework = load_framework(path)
        if framework.id in result:
            raise FrameworkError(f"{path.name} (id {framework.id}): id sudah dipakai berkas lain")
        result[framework.id] = framework
    return result


def _build(raw: Mapping[str, Any], path: Path) -> Framework:
    scale = p.mapping(p.require(raw, "scale", "scale"), "scale")
    scale_min, scale_max = p.integer(scale, "min", "scale"), p.integer(scale, "max", "scale")
    if scale_min >= scale_max:
        raise p.DataFileError("scale: min harus lebih kecil dari max")
    levels = _aggregation_levels(raw)
    models = _maturity_models(raw, scale_min, scale_max)
    indicators = _indicators(raw, models, scale_min, scale_max)
    groups = _groups(raw, levels)
    places, on_rounded = _rounding(raw)
    return Framework(
        id=p.text(raw, "id", "id"),
        name=p.text(raw, "name", "name"),
        index_name=p.text(raw, "index_name", "index_name"),
        regulation=p.text(raw, "regulation", "regulation"),
        status=p.text(raw, "status", "status"),
        status_reason=p.text(raw, "status_reason", "status_reason"),
        sources=p.str_list(raw, "sources", "sources"),
        notes=p.str_list(raw, "notes", "notes") if raw.get("notes") else (),
        scale_min=scale_min,
        scale_max=scale_max,
        levels=levels,
        groups=groups,
        indicators=indicators,
        bands=_bands(raw),
        maturity_models=models,
        places=places,
        predikat_on_rounded=on_rounded,
        path=path,
    )


def _aggregation_levels(raw: Mapping[str, Any]) -> tuple[AggregationLevel, ...]:
    agg = p.mapping(p.require(raw, "aggregation", "aggregation"), "aggregation")
    items = p.sequence(p.require(agg, "levels", "aggregation"), "aggregation.levels")
    if not items:
        raise p.DataFileError("aggregation.levels: tidak boleh kosong")
    levels = []
    for n, item in enumerate(items):
        where = f"aggregation.levels[{n}]"
        item = p.mapping(item, where)
        levels.append(AggregationLevel(p.text(item, "key", where), p.text(item, "label", where)))
    keys = [lvl.key for lvl in levels]
    if len(set(keys)) != len(keys):
        raise p.DataFileError(f"aggregation.levels: kunci ganda {keys}")
    return tuple(levels)


def _rounding(raw: Mapping[str, Any]) -> tuple[int, bool]:
    """``aggregation.rounding``: decimals shown, and whether predikat bands see the rounded value."""
    agg = p.mapping(raw["aggregation"], "aggregation")
    rounding = p.mapping(p.require(agg, "rounding", "aggregation"), "aggregation.rounding")
    where = "aggregation.rounding"
    places = p.integer(rounding, "places", where)
    if p.text(rounding, "mode", where) != "half-up" or not 0 <= places <= 6:
        raise p.DataFileError(f"{where}: hanya mode half-up dengan 0-6 desimal yang didukung")
    predikat_on = p.text(rounding, "predikat_on", where)
    if predikat_on not in ("rounded", "exact"):
        raise p.DataFileError(f"{where}.predikat_on: harus 'rounded' atau 'exact', berisi '{predikat_on}'")
    return places, predikat_on == "rounded"


def _maturity_models(raw: Mapping[str, Any], lo: int, hi: int) -> dict[str, MaturityModel]:
    models_raw = p.mapping(p.require(raw, "maturity_models", "maturity_models"), "maturity_models")
    models = {}
    for key, body in models_raw.items():
        where = f"maturity_models.{key}"
        body = p.mapping(body, where)
        names = {}
        for n, item in enumerate(p.sequence(p.require(body, "levels", where), f"{where}.levels")):
            w = f"{where}.levels[{n}]"
            item = p.mapping(item, w)
            level = p.integer(item, "level", w)
            names[level] = LevelName(level, p.text(item, "name", w), item.get("certainty"), item.get("note"), item.get("alias"))
        if sorted(names) != list(range(lo, hi + 1)):
            raise p.DataFileError(f"{where}.levels: harus tepat tingkat {lo}..{hi}, berisi {sorted(names)}")
        models[str(key)] = MaturityModel(str(key), p.text(body, "name", where), names)
    return models


def _indicators(raw: Mapping[str, Any], models: Mapping[str, MaturityModel], lo: int, hi: int) -> dict[int, Indicator]:
    result: dict[int, Indicator] = {}
    for n, item in enumerate(p.sequence(p.require(raw, "indicators", "indicators"), "indicators")):
        where = f"indicators[{n}]"
        item = p.mapping(item, where)
        number = p.integer(item, "number", where)
        where = f"indikator {number}"
        if number in result:
            raise p.DataFileError(f"{where}: nomor indikator ganda")
        weight = p.decimal(item, "weight", where)
        if weight <= 0:
            raise p.DataFileError(f"{where}: bobot harus positif, berisi {weight}")
        model = p.text(item, "maturity_model", where)
        if model not in models:
            raise p.DataFileError(f"{where}: maturity_model '{model}' tidak didefinisikan")
        result[number] = Indicator(
            number=number,
            name=p.text(item, "name", where),
            weight=weight,
            maturity_model=model,
            key=item.get("key"),
            criteria=_criteria(item, where, lo, hi),
            explanation=dict(p.mapping(item.get("explanation") or {}, f"{where}.explanation")),
        )
    if not result:
        raise p.DataFileError("indicators: tidak boleh kosong")
    return result


def _criteria(item: Mapping[str, Any], where: str, lo: int, hi: int) -> dict[int, Criterion]:
    criteria: dict[int, Criterion] = {}
    for n, entry in enumerate(p.sequence(item.get("criteria") or [], f"{where}.criteria")):
        w = f"{where}.criteria[{n}]"
        entry = p.mapping(entry, w)
        level = p.integer(entry, "level", w)
        if not lo <= level <= hi or level in criteria:
            raise p.DataFileError(f"{w}: tingkat {level} di luar skala atau ganda")
        criteria[level] = Criterion(
            level,
            p.text(entry, "kriteria", w),
            p.text(entry, "pemenuhan", w, default=""),
            p.text(entry, "bukti_dukung", w, default=""),
        )
    return criteria


def _groups(raw: Mapping[str, Any], levels: tuple[AggregationLevel, ...]) -> dict[str, tuple[Group, ...]]:
    groups_raw = p.mapping(p.require(raw, "groups", "groups"), "groups")
    extra = set(groups_raw) - {lvl.key for lvl in levels}
    if extra:
        raise p.DataFileError(f"groups: tingkat agregasi tidak dikenal {sorted(extra)}")
    parsed: dict[str, list[dict[str, Any]]] = {}
    for depth, lvl in enumerate(levels):
        is_top, is_bottom = depth == 0, depth == len(levels) - 1
        items = p.sequence(p.require(groups_raw, lvl.key, "groups"), f"groups.{lvl.key}")
        parsed[lvl.key] = [_group_fields(item, lvl.key, n, is_top, is_bottom) for n, item in enumerate(items)]
        numbers = [g["number"] for g in parsed[lvl.key]]
        if not numbers or len(set(numbers)) != len(numbers):
            raise p.DataFileError(f"groups.{lvl.key}: nomor kosong atau ganda {numbers}")
    return _link_groups(parsed, levels)


def _group_fields(item: Any, level: str, n: int, is_top: bool, is_bottom: bool) -> dict[str, Any]:
    where = f"groups.{level}[{n}]"
    item = p.mapping(item, where)
    fields = {
        "number": p.integer(item, "number", where),
        "name": p.text(item, "name", where),
        "weight": p.decimal(item, "weight", where),
        "parent": None if is_top else p.integer(item, "parent", where),
        "indicators": p.int_list(item, "indicators", where) if is_bottom else (),
    }
    if is_top and item.get("parent") is not None:
        raise p.DataFileError(f"{where}: tingkat teratas tidak boleh punya parent")
    if not is_bottom and item.get("indicators"):
        raise p.DataFileError(f"{where}: daftar indikator hanya di tingkat terbawah")
    return fields


def _link_groups(parsed: dict[str, list[dict[str, Any]]], levels: tuple[AggregationLevel, ...]) -> dict[str, tuple[Group, ...]]:
    """Fill every upper group's indicator list from its children (bottom up)."""
    for depth in range(len(levels) - 1, 0, -1):
        parent_level, level = levels[depth - 1].key, levels[depth].key
        parents = {g["number"]: g for g in parsed[parent_level]}
        for child in parsed[level]:
            if child["parent"] not in parents:
                raise p.DataFileError(f"groups.{level} {child['number']}: parent {child['parent']} tidak ada di {parent_level}")
            parent = parents[child["parent"]]
            parent["indicators"] = tuple(parent["indicators"]) + tuple(child["indicators"])
    return {key: tuple(Group(level=key, **g) for g in items) for key, items in parsed.items()}


def _bands(raw: Mapping[str, Any]) -> tuple[Band, ...]:
    bands = []
    for n, item in enumerate(p.sequence(p.require(raw, "predikat", "predikat"), "predikat")):
        where = f"predikat[{n}]"
        item = p.mapping(item, where)
        bands.append(
            Band(
                name=p.text(item, "name", where),
                min=p.decimal(item, "min", where),
                max=p.decimal(item, "max", where),
                min_inclusive=bool(item.get("min_inclusive", True)),
                max_inclusive=bool(item.get("max_inclusive", False)),
            )
        )
    return tuple(sorted(bands, key=lambda b: b.min))


def _validate(fw: Framework) -> None:
    total = fw.total_weight
    if total != HUNDRED:
        raise p.DataFileError(f"jumlah bobot indikator {total}, harus tepat 100")
    _validate_membership(fw)
    _validate_group_weights(fw)
    _validate_bands(fw)


def _validate_membership(fw: Framework) -> None:
    bottom = fw.levels[-1].key
    counts = Counter(i for g in fw.groups[bottom] for i in g.indicators)
    unknown = sorted(set(counts) - set(fw.indicators))
    if unknown:
        raise p.DataFileError(f"groups.{bottom}: indikator tidak dikenal {unknown}")
    twice = sorted(i for i, c in counts.items() if c > 1)
    if twice:
        raise p.DataFileError(f"indikator {twice} ada di lebih dari satu {bottom}")
    missing = sorted(set(fw.indicators) - set(counts))
    if missing:
        raise p.DataFileError(f"indikator {missing} tidak masuk {bottom} mana pun")


def _validate_group_weights(fw: Framework) -> None:
    for depth, lvl in enumerate(fw.levels):
        for group in fw.groups[lvl.key]:
            if depth == len(fw.levels) - 1:
                held = sum((fw.indicators[i].weight for i in group.indicators), Decimal(0))
                what = "indikatornya"
            else:
                children = [g for g in fw.groups[fw.levels[depth + 1].key] if g.parent == group.number]
                if not children:
                    raise p.DataFileError(f"{lvl.key} {group.number}: tidak punya anggota")
                held = sum((g.weight for g in children), Decimal(0))
                what = f"{fw.levels[depth + 1].key}-nya"
            if held != group.weight:
                raise p.DataFileError(
                    f"bobot {lvl.key} {group.number} ({group.name}) {group.weight} tidak sama dengan jumlah bobot {what} {held}"
                )


def _validate_bands(fw: Framework) -> None:
    bands = fw.bands
    if not bands:
        raise p.DataFileError("predikat: tidak boleh kosong")
    lo, hi = Decimal(fw.scale_min), Decimal(fw.scale_max)
    for band in bands:
        if band.min >= band.max:
            raise p.DataFileError(f"predikat {band.name}: min {band.min} harus lebih kecil dari max {band.max}")
    first, last = bands[0], bands[-1]
    if first.min != lo or not first.min_inclusive:
        raise p.DataFileError(f"predikat: tidak mencakup nilai terendah {lo} (mulai {first.name} {first.min})")
    if last.max != hi or not last.max_inclusive:
        raise p.DataFileError(f"predikat: tidak mencakup nilai tertinggi {hi} (akhir {last.name} {last.max})")
    for a, b in zip(bands, bands[1:], strict=False):
        if a.max < b.min or (a.max == b.min and not (a.max_inclusive or b.min_inclusive)):
            raise p.DataFileError(f"predikat: ada celah antara {a.name} dan {b.name} pada {a.max}")
        if a.max > b.min or (a.max_inclusive and b.min_inclusive):
            raise p.DataFileError(f"predikat: {a.name} dan {b.name} tumpang tindih pada {b.min}")
