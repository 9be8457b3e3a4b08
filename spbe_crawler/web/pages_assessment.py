"""Assessment in the browser: estimates with their evidence, confirm/override, second reviewer,
disagreements, history, domains 1-3 entry; and the inventory page that shares its context."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response

from scoring.review import ROLE_LABELS, ROLE_SECOND, latest_reviews
from spbe_crawler.assessment import AssessmentError, index_summary, record_review, set_manual_level
from spbe_crawler.assessment.catalog import get_rubric
from spbe_crawler.reports.assessment import build_context
from spbe_crawler.store.assessment_queries import reviews_of
from spbe_crawler.store.models_web import WebRole, WebUser
from spbe_crawler.web.core import Ctx, redirect, view

SECOND_MODE = "kedua"


def reviewer_name(user: WebUser) -> str:
    """How an account signs its reviews: its name and, when different, its user name."""
    if user.name == user.username:
        return user.username
    return f"{user.name[: 110 - len(user.username)]} ({user.username})"


def manual_indicators(framework_id: str, numbers: list[int]) -> set[int]:
    """Indicators a crawl cannot estimate: their level is entered by a person (domains 1-3)."""
    rubric = get_rubric(framework_id)
    manual = set()
    for number in numbers:
        try:
            if rubric.rule_for(number).manual:
                manual.add(number)
        except KeyError:
            manual.add(number)
    return manual


def _index_text(summary: dict[str, Any]) -> str:
    index = summary["index"]
    if index["complete"]:
        return f"{_comma(index['value'])} ({index['predikat']})"
    rng = index["range"]
    known = _comma(index["known"]) if index["known"] else "–"
    return f"sementara {known}, rentang {_comma(rng['min'])}–{_comma(rng['max'])}"


def _comma(value: str | None) -> str:
    return "–" if value is None else value.replace(".", ",")


@view()
def assessment_page(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    try:
        context = build_context(ctx.db, pemda.code, ctx.settings.framework)
    except AssessmentError as exc:
        raise HTTPException(404, str(exc)) from None
    fw = context["fw"]
    reviews = reviews_of(ctx.db, pemda.code, fw.id)
    second = ctx.arg("mode") == SECOND_MODE
    latest_second = latest_reviews(reviews, ROLE_SECOND)
    manual = manual_indicators(fw.id, [row["indicator"] for row in context["indicators"]])
    domain_key = fw.levels[0].key
    domains = []
    for group in fw.groups[domain_key]:
        rows = [row for row in context["indicators"] if row["indicator"] in group.indicators]
        domains.append({"group": group, "label": fw.levels[0].label, "rows": rows})
    return ctx.render(
        "assessment.html.j2",
        pemda=pemda,
        domains=domains,
        manual=manual,
        second=second,
        latest_second=latest_second,
        may_review=ctx.can_review(pemda.code),
        history=list(reversed(reviews)),
        review_roles=ROLE_LABELS,
        levels=list(range(fw.scale_min, fw.scale_max + 1)),
        **context,
    )


@view(WebRole.ASSESSOR)
def review_submit(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    if not ctx.can_review(pemda.code):
        raise HTTPException(403, f"Akun Anda tidak ditugaskan menilai pemda {pemda.code}.")
    assert ctx.user is not None
    indicator = int(ctx.request.path_params["indicator"])
    second = ctx.field("peran") == ROLE_SECOND
    back = f"/pemda/{pemda.code}/penilaian" + (f"?mode={SECOND_MODE}" if second else "") + f"#i{indicator}"
    try:
        level = int(ctx.field("level"))
    except ValueError:
        ctx.flash(f"Indikator {indicator}: pilih tingkat terlebih dahulu.", "error")
        return redirect(back)
    name = reviewer_name(ctx.user)
    fw_id = ctx.settings.framework
    before = index_summary(ctx.db, pemda.code, fw_id)
    first = latest_reviews(reviews_of(ctx.db, pemda.code, fw_id)).get(indicator)
    if second and first is not None and first.reviewer == name:
        ctx.flash(f"Indikator {indicator}: penilai kedua harus orang lain dari penilai pertama ({name}).", "error")
        return redirect(back)
    try:
        if not second and indicator in manual_indicators(fw_id, [indicator]):
            row = set_manual_level(ctx.db, pemda.code, fw_id, indicator, level, name, ctx.field("note"))
        else:
            row = record_review(ctx.db, pemda.code, fw_id, indicator, level, name, ctx.field("note"), second)
    except AssessmentError as exc:
        ctx.flash(f"Indikator {indicator}: {exc}", "error")
        return redirect(back)
    after = index_summary(ctx.db, pemda.code, fw_id)
    was = "–" if row.previous_level is None else str(row.previous_level)
    ctx.flash(
        f"Indikator {indicator}: tingkat {was} → {row.level} ({ROLE_LABELS[row.role]}). "
        f"{after['index_name']}: {_index_text(before)} → {_index_text(after)}."
    )
    for d in after["disagreements"]:
        if d["indicator"] == indicator:
            ctx.flash(
                f"Perbedaan pada indikator {indicator}: {d['first_reviewer']} memberi {d['first_level']}, "
                f"{d['second_reviewer']} memberi {d['second_level']}.",
                "warn",
            )
    return redirect(back)


@view()
def inventory_page(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    try:
        context = build_context(ctx.db, pemda.code, ctx.settings.framework)
    except AssessmentError as exc:
        raise HTTPException(404, str(exc)) from None
    return ctx.render("inventory.html.j2", pemda=pemda, **context)
