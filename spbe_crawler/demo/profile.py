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
