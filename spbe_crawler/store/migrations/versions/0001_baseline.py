"""Baseline: the schema of the last release without migrations (main at ef49ee3).

Idempotent: on a database made by that release (tables present, no version stamp) it creates only
the tables that are missing, as that release itself did on start; every later revision is ordinary.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01 00:42:24.773588
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def _missing(table: str) -> bool:
    # A database made by a release before migrations already has (some of) these tables: keep them.
    return table not in sa.inspect(op.get_bind()).get_table_names()


def upgrade() -> None:
    if _missing("alertlog"):
        op.create_table(
            "alertlog",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("event_key", sa.String(length=200), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("kind", sa.String(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=True),
            sa.Column("incident_id", sa.Integer(), nullable=True),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_error", sa.String(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("event_key", "channel"),
        )
        op.create_index("ix_alertlog_event_key", "alertlog", ["event_key"], unique=False)
        op.create_index("ix_alertlog_website_id", "alertlog", ["website_id"], unique=False)

    if _missing("crawlrun"):
        op.create_table(
            "crawlrun",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(), nullable=False),
            sa.Column("scope", sa.String(), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("state", sa.String(), nullable=False),
            sa.Column("options", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_crawlrun_scope", "crawlrun", ["scope"], unique=False)

    if _missing("monitorlease"):
        op.create_table(
            "monitorlease",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("holder", sa.String(), nullable=False),
            sa.Column("scope", sa.String(), nullable=False),
            sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )

    if _missing("monitorschedule"):
        op.create_table(
            "monitorschedule",
            sa.Column("key", sa.String(length=128), nullable=False),
            sa.Column("scope", sa.String(), nullable=False),
            sa.Column("target_class", sa.String(), nullable=False),
            sa.Column("next_due", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_started", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_finished", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_run_id", sa.Integer(), nullable=True),
            sa.Column("last_result", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
        op.create_index("ix_monitorschedule_scope", "monitorschedule", ["scope"], unique=False)

    if _missing("review"):
        op.create_table(
            "review",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("framework", sa.String(), nullable=False),
            sa.Column("pemda_code", sa.String(), nullable=False),
            sa.Column("indicator", sa.Integer(), nullable=False),
            sa.Column("level", sa.Integer(), nullable=False),
            sa.Column("previous_level", sa.Integer(), nullable=True),
            sa.Column("note", sa.String(), nullable=False),
            sa.Column("reviewer", sa.String(), nullable=False),
            sa.Column("role", sa.String(), nullable=False),
            sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_review_framework", "review", ["framework"], unique=False)
        op.create_index("ix_review_pemda_code", "review", ["pemda_code"], unique=False)

    if _missing("unit"):
        op.create_table(
            "unit",
            sa.Column("code", sa.String(length=64), nullable=False),
            sa.Column("name", sa.String(), nullable=False),
            sa.Column("kind", sa.String(), nullable=False),
            sa.Column("category", sa.String(), nullable=True),
            sa.Column("parent_code", sa.String(), nullable=True),
            sa.Column("pemda_code", sa.String(), nullable=True),
            sa.Column("source", sa.String(), nullable=False),
            sa.Column("note", sa.String(), nullable=True),
            sa.PrimaryKeyConstraint("code"),
        )
        op.create_index("ix_unit_kind", "unit", ["kind"], unique=False)
        op.create_index("ix_unit_parent_code", "unit", ["parent_code"], unique=False)
        op.create_index("ix_unit_pemda_code", "unit", ["pemda_code"], unique=False)

    if _missing("discoverycandidate"):
        op.create_table(
            "discoverycandidate",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("url", sa.String(), nullable=False),
            sa.Column("host", sa.String(), nullable=False),
            sa.Column("unit_codes", sa.JSON(), nullable=True),
            sa.Column("source", sa.String(), nullable=False),
            sa.Column("evidence", sa.String(), nullable=False),
            sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["crawlrun.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("run_id", "host"),
        )
        op.create_index("ix_discoverycandidate_run_id", "discoverycandidate", ["run_id"], unique=False)

    if _missing("score"):
        op.create_table(
            "score",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("framework", sa.String(), nullable=False),
            sa.Column("pemda_code", sa.String(), nullable=False),
            sa.Column("indicator", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=True),
            sa.Column("level", sa.Integer(), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=False),
            sa.Column("cap", sa.Integer(), nullable=True),
            sa.Column("rationale", sa.String(), nullable=False),
            sa.Column("finding_ids", sa.JSON(), nullable=True),
            sa.Column("estimated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["crawlrun.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("framework", "pemda_code", "indicator", "run_id"),
        )
        op.create_index("ix_score_framework", "score", ["framework"], unique=False)
        op.create_index("ix_score_pemda_code", "score", ["pemda_code"], unique=False)

    if _missing("unitoutcome"):
        op.create_table(
            "unitoutcome",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("unit_code", sa.String(), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=True),
            sa.Column("detail", sa.String(), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["crawlrun.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("run_id", "unit_code"),
        )
        op.create_index("ix_unitoutcome_run_id", "unitoutcome", ["run_id"], unique=False)
        op.create_index("ix_unitoutcome_unit_code", "unitoutcome", ["unit_code"], unique=False)

    if _missing("website"):
        op.create_table(
            "website",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("unit_code", sa.String(), nullable=False),
            sa.Column("url", sa.String(), nullable=False),
            sa.Column("host", sa.String(), nullable=False),
            sa.Column("state", sa.String(), nullable=False),
            sa.Column("role", sa.String(), nullable=False),
            sa.Column("source", sa.String(), nullable=False),
            sa.Column("confidence", sa.Float(), nullable=False),
            sa.Column("evidence", sa.String(), nullable=True),
            sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["unit_code"],
                ["unit.code"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("unit_code", "url"),
        )
        op.create_index("ix_website_host", "website", ["host"], unique=False)
        op.create_index("ix_website_unit_code", "website", ["unit_code"], unique=False)

    if _missing("finding"):
        op.create_table(
            "finding",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("pemda_code", sa.String(), nullable=False),
            sa.Column("unit_code", sa.String(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=True),
            sa.Column("rule_id", sa.String(), nullable=False),
            sa.Column("service", sa.String(), nullable=False),
            sa.Column("indicators", sa.JSON(), nullable=True),
            sa.Column("url", sa.String(), nullable=False),
            sa.Column("kind", sa.String(), nullable=False),
            sa.Column("snippet", sa.String(), nullable=False),
            sa.Column("signals", sa.JSON(), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=False),
            sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["crawlrun.id"],
            ),
            sa.ForeignKeyConstraint(
                ["website_id"],
                ["website.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("run_id", "rule_id", "url", "unit_code"),
        )
        op.create_index("ix_finding_pemda_code", "finding", ["pemda_code"], unique=False)
        op.create_index("ix_finding_rule_id", "finding", ["rule_id"], unique=False)
        op.create_index("ix_finding_run_id", "finding", ["run_id"], unique=False)
        op.create_index("ix_finding_unit_code", "finding", ["unit_code"], unique=False)

    if _missing("incident"):
        op.create_table(
            "incident",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("detail", sa.String(), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["website_id"],
                ["website.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_incident_website_id", "incident", ["website_id"], unique=False)

    if _missing("page"):
        op.create_table(
            "page",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=False),
            sa.Column("url", sa.String(), nullable=False),
            sa.Column("final_url", sa.String(), nullable=False),
            sa.Column("status", sa.Integer(), nullable=False),
            sa.Column("redirect_chain", sa.JSON(), nullable=True),
            sa.Column("title", sa.String(), nullable=True),
            sa.Column("language", sa.String(), nullable=True),
            sa.Column("content_type", sa.String(), nullable=True),
            sa.Column("content_hash", sa.String(), nullable=True),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("published_dates", sa.JSON(), nullable=True),
            sa.Column("links", sa.JSON(), nullable=True),
            sa.Column("body_z", sa.LargeBinary(), nullable=True),
            sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["crawlrun.id"],
            ),
            sa.ForeignKeyConstraint(
                ["website_id"],
                ["website.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("run_id", "url"),
        )
        op.create_index("ix_page_run_id", "page", ["run_id"], unique=False)
        op.create_index("ix_page_website_id", "page", ["website_id"], unique=False)

    if _missing("probe"):
        op.create_table(
            "probe",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=False),
            sa.Column("url", sa.String(), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("detail", sa.String(), nullable=False),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("final_url", sa.String(), nullable=True),
            sa.Column("redirect_chain", sa.JSON(), nullable=True),
            sa.Column("ttfb_ms", sa.Float(), nullable=True),
            sa.Column("total_ms", sa.Float(), nullable=True),
            sa.Column("size", sa.Integer(), nullable=True),
            sa.Column("tls_expires_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("tls_issuer", sa.String(), nullable=True),
            sa.ForeignKeyConstraint(
                ["website_id"],
                ["website.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_probe_started_at", "probe", ["started_at"], unique=False)
        op.create_index("ix_probe_website_id", "probe", ["website_id"], unique=False)

    if _missing("proberollup"):
        op.create_table(
            "proberollup",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=False),
            sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
            sa.Column("total", sa.Integer(), nullable=False),
            sa.Column("up", sa.Integer(), nullable=False),
            sa.Column("down", sa.Integer(), nullable=False),
            sa.Column("latency_count", sa.Integer(), nullable=False),
            sa.Column("latency_sum", sa.Float(), nullable=False),
            sa.Column("latency_min", sa.Float(), nullable=True),
            sa.Column("latency_max", sa.Float(), nullable=True),
            sa.Column("sketch", sa.JSON(), nullable=True),
            sa.ForeignKeyConstraint(
                ["website_id"],
                ["website.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("website_id", "hour"),
        )
        op.create_index("ix_proberollup_hour", "proberollup", ["hour"], unique=False)
        op.create_index("ix_proberollup_website_id", "proberollup", ["website_id"], unique=False)

    if _missing("sitecheck"):
        op.create_table(
            "sitecheck",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("website_id", sa.Integer(), nullable=False),
            sa.Column("unit_code", sa.String(), nullable=False),
            sa.Column("url", sa.String(), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("detail", sa.String(), nullable=False),
            sa.Column("rule", sa.String(), nullable=True),
            sa.Column("snippet", sa.String(), nullable=True),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("final_url", sa.String(), nullable=True),
            sa.Column("ip_address", sa.String(), nullable=True),
            sa.Column("tls_expires_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("tls_issuer", sa.String(), nullable=True),
            sa.Column("elapsed_ms", sa.Integer(), nullable=True),
            sa.Column("signals", sa.JSON(), nullable=True),
            sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["crawlrun.id"],
            ),
            sa.ForeignKeyConstraint(
                ["website_id"],
                ["website.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("run_id", "website_id"),
        )
        op.create_index("ix_sitecheck_run_id", "sitecheck", ["run_id"], unique=False)
        op.create_index("ix_sitecheck_unit_code", "sitecheck", ["unit_code"], unique=False)
        op.create_index("ix_sitecheck_website_id", "sitecheck", ["website_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sitecheck_website_id", table_name="sitecheck")
    op.drop_index("ix_sitecheck_unit_code", table_name="sitecheck")
    op.drop_index("ix_sitecheck_run_id", table_name="sitecheck")
    op.drop_table("sitecheck")
    op.drop_index("ix_proberollup_website_id", table_name="proberollup")
    op.drop_index("ix_proberollup_hour", table_name="proberollup")
    op.drop_table("proberollup")
    op.drop_index("ix_probe_website_id", table_name="probe")
    op.drop_index("ix_probe_started_at", table_name="probe")
    op.drop_table("probe")
    op.drop_index("ix_page_website_id", table_name="page")
    op.drop_index("ix_page_run_id", table_name="page")
    op.drop_table("page")
    op.drop_index("ix_incident_website_id", table_name="incident")
    op.drop_table("incident")
    op.drop_index("ix_finding_unit_code", table_name="finding")
    op.drop_index("ix_finding_run_id", table_name="finding")
    op.drop_index("ix_finding_rule_id", table_name="finding")
    op.drop_index("ix_finding_pemda_code", table_name="finding")
    op.drop_table("finding")
    op.drop_index("ix_website_unit_code", table_name="website")
    op.drop_index("ix_website_host", table_name="website")
    op.drop_table("website")
    op.drop_index("ix_unitoutcome_unit_code", table_name="unitoutcome")
    op.drop_index("ix_unitoutcome_run_id", table_name="unitoutcome")
    op.drop_table("unitoutcome")
    op.drop_index("ix_score_pemda_code", table_name="score")
    op.drop_index("ix_score_framework", table_name="score")
    op.drop_table("score")
    op.drop_index("ix_discoverycandidate_run_id", table_name="discoverycandidate")
    op.drop_table("discoverycandidate")
    op.drop_index("ix_unit_pemda_code", table_name="unit")
    op.drop_index("ix_unit_parent_code", table_name="unit")
    op.drop_index("ix_unit_kind", table_name="unit")
    op.drop_table("unit")
    op.drop_index("ix_review_pemda_code", table_name="review")
    op.drop_index("ix_review_framework", table_name="review")
    op.drop_table("review")
    op.drop_index("ix_monitorschedule_scope", table_name="monitorschedule")
    op.drop_table("monitorschedule")
    op.drop_table("monitorlease")
    op.drop_index("ix_crawlrun_scope", table_name="crawlrun")
    op.drop_table("crawlrun")
    op.drop_index("ix_alertlog_website_id", table_name="alertlog")
    op.drop_index("ix_alertlog_event_key", table_name="alertlog")
    op.drop_table("alertlog")
