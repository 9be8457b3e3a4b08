"""The units table of a pemda: sort, filter (kind, kecamatan, status), search, and its CSV."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from scoring import cells
from spbe_crawler.health.status import Status, info
from spbe_crawler.registry.scope import KIND_ORDER, websites_of
from spbe_crawler.reports.coverage import CSV_COLUMNS, CoverageRow, build_coverage, csv_values
from spbe_crawler.vocab import KIND_LABELS, UnitKind
from spbe_crawler.web.core import Ctx, view

SORTS = {
    "nama": lambda r: r.name.lower(),
    "kode": lambda r: r.code,
    "jenis": lambda r: (KIND_ORDER.get(r.kind, 9), r.code),
    "kecamatan": lambda r: (r.kecamatan.lower(), r.name.lower()),
    "status": lambda r: (_severity(r.status), r.name.lower()),
}
STATUS_GROUPS = {"berfungsi": "Semua yang berfungsi", "bermasalah": "Semua yang bermasalah", "diretas": "Semua yang diretas"}
HACKED = {Status.HACKED_GAMBLING.value, Status.HACKED_CLOAKED.value, Status.DEFACED.value}


def _severity(status: str) -> int:
    return info(status).severity if status in Status._value2member_map_ else 99


@dataclass
class UnitFilter:
    kind: str = ""
    kecamatan: str = ""
    status: str = ""
    search: str = ""
    sort: str = "jenis"
    descending: bool = False

    @classmethod
    def from_ctx(cls, ctx: Ctx) -> UnitFilter:
        sort = ctx.arg("urut", "jenis")
        return cls(
            kind=ctx.arg("jenis"),
            kecamatan=ctx.arg("kecamatan"),
            status=ctx.arg("status"),
            search=ctx.arg("cari")[:100],
            sort=sort if sort in SORTS else "jenis",
            descending=ctx.arg("arah") == "turun",
        )

    def keep(self, row: CoverageRow) -> bool:
        if self.kind and row.kind != self.kind:
            return False
        if self.kecamatan and self.kecamatan not in (row.kecamatan, row.name if row.kind == UnitKind.KECAMATAN else None):
            return False
        if self.status and not _status_matches(self.status, row):
            return False
        if self.search:
            needle = self.search.lower()
            haystack = " ".join([row.code, row.name, row.kecamatan, *row.websites]).lower()
            return needle in haystack
        return True

    def apply(self, rows: list[CoverageRow]) -> list[CoverageRow]:
        kept = [r for r in rows if self.keep(r)]
        return sorted(kept, key=SORTS[self.sort], reverse=self.descending)

    def query(self, **changes: str) -> str:
        """The query string of this view with ``changes`` (used by the sort links and the CSV link)."""
        from urllib.parse import urlencode

        values = {
            "jenis": self.kind,
            "kecamatan": self.kecamatan,
            "status": self.status,
            "cari": self.search,
            "urut": self.sort,
            "arah": "turun" if self.descending else "",
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})


def _status_matches(wanted: str, row: CoverageRow) -> bool:
    if wanted == "berfungsi":
        return row.works
    if wanted == "bermasalah":
        return not row.works
    if wanted == "diretas":
        return row.status in HACKED
    return row.status == wanted


@view()
def units_page(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    coverage = build_coverage(ctx.db, pemda.code)
    flt = UnitFilter.from_ctx(ctx)
    rows = flt.apply(coverage.rows)
    statuses = sorted({r.status for r in coverage.rows}, key=_severity)
    site_ids = {(w.unit_code, w.url): w.id for ws in websites_of(ctx.db, [r.code for r in rows]).values() for w in ws}
    return ctx.render(
        "units.html.j2",
        pemda=pemda,
        coverage=coverage,
        rows=rows,
        site_ids=site_ids,
        flt=flt,
        kinds=[(k, KIND_LABELS[k][1]) for k in KIND_LABELS if any(r.kind == k for r in coverage.rows)],
        kecamatan=sorted({r.name for r in coverage.rows if r.kind == UnitKind.KECAMATAN}),
        statuses=[(s, info(s).label if s in Status._value2member_map_ else s) for s in statuses],
        status_groups=STATUS_GROUPS,
        columns=[("kode", "Kode"), ("nama", "Unit"), ("jenis", "Jenis"), ("kecamatan", "Kecamatan"), ("status", "Status")],
    )


@view()
def units_csv(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    rows = UnitFilter.from_ctx(ctx).apply(build_coverage(ctx.db, pemda.code).rows)
    text = cells.csv_text(CSV_COLUMNS, (csv_values(r) for r in rows))  # BOM first; formulas neutralised
    headers = {"Content-Disposition": f'attachment; filename="unit-{pemda.code}.csv"'}
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)
