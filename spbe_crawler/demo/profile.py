"""Crawl settings for the offline demo web: one local server behind every host, short timeouts.

Set as ``SPBE_*`` environment variables (read by ``spbe_crawler/settings.py``) together with the demo
web's own ``env`` (connect-to routes, allowed networks, CA file).
"""

from __future__ import annotations

CRAWL_ENV: dict[str, str] = {
    "SPBE_AUTOTHROTTLE": "0",  # every demo host is the same local server: nothing to be polite to
    "SPBE_CONCURRENT_REQUESTS": "64",
    "SPBE_CONCURRENT_REQUESTS_PER_IP": "32",
    "SPBE_DOWNLOAD_TIMEOUT": "4",  # the "lambat" host never answers: do not wait 20 s for it
    "SPBE_RETRY_TIMES": "0",
    "SPBE_RETRY_BACKOFF": "0.2",  # the 500 site is retried twice: 0.2 s then 0.4 s
}

# Monitoring the demo for about a minute: sweeps every 20-30 s, failures confirmed after 1 s.
MONITOR_ENV: dict[str, str] = {
    "SPBE_MONITOR_PORTAL_INTERVAL": "20",
    "SPBE_MONITOR_UNIT_INTERVAL": "30",
    "SPBE_MONITOR_CONFIRM_DELAY": "1",
    "SPBE_MONITOR_CONNECT_TIMEOUT": "3",
    "SPBE_MONITOR_READ_TIMEOUT": "3",
    "SPBE_MONITOR_TOTAL_TIMEOUT": "6",
}
