"""What needs no account: status badges to embed on a site, and Prometheus metrics.

Both show only what the public status page shows. ``/metrics`` asks for a bearer token when
``SPBE_WEB_METRICS_TOKEN`` is set.
"""

from __future__ import annotations

import re
import secrets

from starlette.exceptions import HTTPException
from starlette.responses import Response

from spbe_crawler.monitor.badges import site_badge, site_by_key
from spbe_crawler.monitor.figures import MonitorFigures, monitor_figures
from spbe_crawler.monitor.metrics import prometheus_text
from spbe_crawler.store import web_queries as q
from spbe_crawler.store.monitor_reader import ALL
from spbe_crawler.web.core import Ctx, view
from spbe_crawler.web.figure_cache import TtlCache

UPTIME_SUFFIX = "-uptime"
_SECOND_SITE = re.compile(r"^(?P<host>.+)-(?P<id>\d+)$")


def _figures(ctx: Ctx, scope: str) -> MonitorFigures:
    """The scope's figures, shared by badge and metrics requests for ``SPBE_WEB_PUBLIC_CACHE`` seconds."""
    cache: TtlCache[MonitorFigures] = ctx.request.app.state.figures
    return cache.get(scope, lambda: monitor_figures(ctx.db, scope))


@view(None)
def badge(ctx: Ctx) -> Response:
    """``/badge/<host>.svg`` (status) or ``/badge/<host>-uptime.svg`` (30-day uptime), as the status page names them."""
    key = str(ctx.request.path_params["key"]).lower()
    kind = "uptime" if key.endswith(UPTIME_SUFFIX) else "status"
    key = key.removesuffix(UPTIME_SUFFIX)
    pemda = q.pemda_of_site(ctx.db, key)
    if pemda is None and (match := _SECOND_SITE.match(key)):
        pemda = q.pemda_of_site(ctx.db, match["host"], int(match["id"]))
    site = site_by_key(_figures(ctx, pemda), key) if pemda else None
    if site is None:
        raise HTTPException(404, f"Tidak ada situs yang dipantau dengan nama {key}.")
    svg = site_badge(site, kind, "30d")
    age = max(ctx.settings.public_cache, 0)
    return Response(svg, media_type="image/svg+xml; charset=utf-8", headers={"Cache-Control": f"max-age={age}"})


@view(None)
def metrics(ctx: Ctx) -> Response:
    """Every monitored site (or ``?pemda=<code>``) in the Prometheus text format."""
    token = ctx.settings.metrics_token
    if token:
        given = ctx.request.headers.get("authorization", "")
        if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise HTTPException(401, "Token /metrics tidak ada atau salah.", headers={"WWW-Authenticate": "Bearer"})
    scope = ctx.arg("pemda") or ALL
    text = prometheus_text(_figures(ctx, scope))
    return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")
