"""Bahasa Indonesia rationales of estimates: which criteria are met, by which findings (#id).

Stored rationales cite findings by id; :func:`readable` names the pages instead for people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from scoring.framework import Framework
from scoring.rubric import LevelRule, NationalApp, Rule, Strength


@dataclass(frozen=True)
class LevelSupport:
    """One rubric level and the findings whose signals satisfy it."""

    rule: LevelRule
    finding_ids: tuple[int, ...]
    strength: float


def cite(ids: Sequence[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _level(framework: Framework, indicator: int, level: int) -> str:
    return f"tingkat {level} {framework.level_name(indicator, level)}"


def no_evidence(rule: Rule, extra: str = "") -> str:
    text = "Belum ada bukti dari hasil perayapan; tingkat tidak diperkirakan (bukan berarti tingkat 1)."
    if extra:
        text += f" {extra}"
    if rule.cap:
        text += f" Perayapan paling tinggi dapat menunjukkan tingkat {rule.cap.level}."
    return text


def manual(rule: Rule) -> str:
    return f"Tidak diperkirakan dari perayapan: {rule.reason}"


def estimated(
    framework: Framework,
    indicator: int,
    rule: Rule,
    service: str,
    met: Sequence[LevelSupport],
    skipped: Sequence[LevelSupport],
    confidence: float,
    strength: Strength,
) -> str:
    """The full rationale of an estimate from ``met`` levels (cumulative) of one service."""
    top = met[-1].rule
    parts = [f"Perkiraan {_level(framework, indicator, top.level)} dari layanan «{service}»."]
    met_texts = [f"{_level(framework, indicator, m.rule.level)} – {m.rule.criterion} ({cite(m.finding_ids)})" for m in met]
    parts.append("Kriteria terpenuhi: " + "; ".join(met_texts) + ".")
    nxt = next((lvl for lvl in rule.levels if lvl.level == top.level + 1), None)
    if nxt is not None:
        parts.append(f"Belum terlihat: {_level(framework, indicator, nxt.level)} – {nxt.criterion}.")
    for s in skipped:
        parts.append(
            f"Sinyal {_level(framework, indicator, s.rule.level)} terlihat ({cite(s.finding_ids)}) tetapi tidak "
            "dihitung karena tingkat di bawahnya belum terpenuhi (kriteria bersifat kumulatif)."
        )
    if top.note:
        parts.append(f"Catatan: {top.note}")
    if rule.cap:
        parts.append(f"Batas perayapan tingkat {rule.cap.level}: {rule.cap.reason}")
    parts.append(f"Keyakinan {number(confidence)} (bukti {strength.label}).")
    return " ".join(parts)


def national(
    framework: Framework,
    indicator: int,
    rule: Rule,
    service: str,
    app: NationalApp,
    finding_ids: Sequence[int],
    confidence: float,
    strength: Strength,
) -> str:
    """The rationale of an estimate taken from the use of a national application."""
    parts = [
        f"Perkiraan {_level(framework, indicator, app.level)} dari pemakaian aplikasi nasional {app.name} "
        f"(layanan «{service}», {cite(finding_ids)}).",
        f"Fungsi aplikasi ini mencapai tingkat tersebut: {app.reach}.",
        "Perayapan hanya melihat bahwa aplikasi dipakai (instans sendiri, halaman login, atau tautan dari situs "
        "pemda), tidak melihat cara pemakaiannya; keyakinan diturunkan.",
        f"Bukti pemakaian yang perlu dilihat penilai: {app.proof}.",
    ]
    if app.status:
        parts.append(f"Status data: {app.status}.")
    if rule.cap:
        parts.append(f"Batas perayapan tingkat {rule.cap.level}: {rule.cap.reason}")
    parts.append(f"Keyakinan {number(confidence)} (bukti {strength.label}).")
    return " ".join(parts)


def others(ranked: Sequence[tuple[str, int | None]]) -> str:
    if not ranked:
        return ""
    listed = ", ".join(f"«{service}» (tingkat {level})" for service, level in ranked)
    return f"Layanan lain untuk indikator ini: {listed}."


def sector_choice(position: int, total: int) -> str:
    return (
        f"Layanan publik sektoral urutan ke-{position} dari {total} menurut kekuatan bukti "
        "(indikator sektor diisi layanan berbeda, bukti terbaik lebih dulu)."
    )


def sector_missing(found: int, slots: int) -> str:
    return f"Hanya {found} layanan publik sektoral berbeda ditemukan untuk {slots} indikator sektor."


_CITES = re.compile(r"#\d+(?:, #\d+)*")


def page_name(url: str) -> str:
    """A page as a person names it: host and path without scheme, query or trailing slash."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    path = parts.path.rstrip("/")
    return f"{parts.netloc}{path}"


def readable(text: str, pages: Mapping[int, str]) -> str:
    """The rationale with finding ids (``#377``) replaced by the pages they stand for.

    ``pages`` maps finding ids to URLs; a cited id without a URL becomes "bukti tersimpan".
    Repeated pages in one citation are named once.
    """

    def name(match: re.Match[str]) -> str:
        ids = [int(i) for i in re.findall(r"\d+", match.group(0))]
        names = [page_name(pages[i]) if i in pages else "bukti tersimpan" for i in ids]
        return ", ".join(dict.fromkeys(names))

    return _CITES.sub(name, text)
