"""Scrapy settings of the SPBE survey.

Every project knob is one ``SPBE_*`` setting declared here with its default; each can be overridden
from the environment variable of the same name (see ``_env``) or with ``scrapy crawl -s NAME=VALUE``.
"""

from __future__ import annotations

import os

from spbe_crawler import __version__


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


BOT_NAME = "spbe_crawler"
SPIDER_MODULES = ["spbe_crawler.spiders"]
NEWSPIDER_MODULE = "spbe_crawler.spiders"

# --- Identity and politeness -------------------------------------------------------------------
SPBE_CONTACT_URL = _env("SPBE_CONTACT_URL", "https://github.com/spbe-crawler/spbe-crawler")
USER_AGENT = f"SPBE-Crawler/{__version__} (+{SPBE_CONTACT_URL}; survei situs pemerintah daerah)"
# Browser UA used once per site to tell "blocked for crawlers" (403 to us, 200 to a browser) from broken.
SPBE_BROWSER_USER_AGENT = _env(
    "SPBE_BROWSER_USER_AGENT",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
)
# Search-engine UA used once per site to detect cloaked gambling spam served only to search engines.
SPBE_SEARCH_BOT_USER_AGENT = _env(
    "SPBE_SEARCH_BOT_USER_AGENT",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)
SPBE_CLOAK_CHECK = _env("SPBE_CLOAK_CHECK", "1") == "1"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = int(_env("SPBE_CONCURRENT_REQUESTS", "32"))
# Many OPD sub-sites share one Diskominfo server: limit per IP, not per host name.
CONCURRENT_REQUESTS_PER_IP = int(_env("SPBE_CONCURRENT_REQUESTS_PER_IP", "4"))
# With per-IP slots this only sets how many idle keep-alive connections a host keeps: a survey visits
# each site once, so one is enough (memory stays flat as the number of sites grows).
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# The downloader-aware queue (Scrapy's default) cannot key slots per IP.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"
AUTOTHROTTLE_ENABLED = _env("SPBE_AUTOTHROTTLE", "1") == "1"
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = float(_env("SPBE_AUTOTHROTTLE_TARGET_CONCURRENCY", "2.0"))
DOWNLOAD_DELAY = float(_env("SPBE_DOWNLOAD_DELAY", "0"))
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Time and size limits ----------------------------------------------------------------------
# Scrapy's DOWNLOAD_TIMEOUT bounds the whole request (connect + slow-drip body), not just idle time.
DOWNLOAD_TIMEOUT = float(_env("SPBE_DOWNLOAD_TIMEOUT", "20"))
# Bounded after decompression: HttpCompressionMiddleware enforces it on the inflated body (gzip bombs).
DOWNLOAD_MAXSIZE = int(_env("SPBE_DOWNLOAD_MAXSIZE", str(5 * 1024 * 1024)))
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_VERIFY_CERTIFICATES = True
RETRY_ENABLED = True
RETRY_TIMES = int(_env("SPBE_RETRY_TIMES", "1"))  # network errors (timeouts, resets), Scrapy's RetryMiddleware
RETRY_HTTP_CODES: list[int] = []  # HTTP answers are retried with backoff by BackoffRetryMiddleware
REDIRECT_ENABLED = False  # the spider follows redirects itself to record chains, loops and targets
SPBE_MAX_REDIRECTS = int(_env("SPBE_MAX_REDIRECTS", "8"))
# Transient HTTP answers (429, 5xx gateway errors) are retried this often, waiting Retry-After (up to
# SPBE_RETRY_AFTER_MAX seconds; a longer one is not honoured) or SPBE_RETRY_BACKOFF * 2**attempt.
SPBE_HTTP_RETRY_TIMES = int(_env("SPBE_HTTP_RETRY_TIMES", "2"))
SPBE_RETRY_AFTER_MAX = float(_env("SPBE_RETRY_AFTER_MAX", "30"))
SPBE_RETRY_BACKOFF = float(_env("SPBE_RETRY_BACKOFF", "1.0"))

# --- Bounded crawl of each site ----------------------------------------------------------------
SPBE_SITE_MAX_PAGES = int(_env("SPBE_SITE_MAX_PAGES", "15"))
SPBE_SITE_MAX_DEPTH = int(_env("SPBE_SITE_MAX_DEPTH", "2"))
SPBE_MAX_URL_LENGTH = int(_env("SPBE_MAX_URL_LENGTH", "400"))
# Pages of one path that differ only in the query string (calendars, filters) count once this often.
SPBE_SAME_PATH_MAX = int(_env("SPBE_SAME_PATH_MAX", "3"))
SPBE_STALE_DAYS = int(_env("SPBE_STALE_DAYS", "365"))
# Look for websites of units that have none: links on crawled pages and host-pattern guesses.
SPBE_DISCOVERY = _env("SPBE_DISCOVERY", "1") == "1"
# Guessed host names (DNS lookups) per run at most; empty: max_lookups_per_run of
# data/discovery/host_patterns.yaml.
SPBE_DISCOVERY_LOOKUPS = _env("SPBE_DISCOVERY_LOOKUPS", "")
SPBE_STORE_BODIES = _env("SPBE_STORE_BODIES", "1") == "1"
SPBE_BODY_STORE_MAX = int(_env("SPBE_BODY_STORE_MAX", str(1024 * 1024)))

# --- Network policy: connect-to routes and private addresses (see spbe_crawler/net/policy.py) --
TWISTED_DNS_RESOLVER = "spbe_crawler.net.twisted_resolver.PolicyResolver"
SPBE_CONNECT_TO = [x for x in _env("SPBE_CONNECT_TO", "").split(",") if x.strip()]
SPBE_CONNECT_TO_FILE = _env("SPBE_CONNECT_TO_FILE", "") or None
SPBE_ALLOWED_NETWORKS = [x for x in _env("SPBE_ALLOWED_NETWORKS", "").split(",") if x.strip()]

# --- Components -------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "spbe_crawler.middlewares.BackoffRetryMiddleware": 540,
    "spbe_crawler.middlewares.AddressPolicyMiddleware": 50,
}
ITEM_PIPELINES = {"spbe_crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"spbe_crawler.extensions.ProgressExtension": 500}

LOG_LEVEL = _env("SPBE_LOG_LEVEL", "INFO")
# Survey progress: "1" a bar always, "baris" plain lines always, "0" never; empty: a bar when stderr
# is a terminal, else a plain line every SPBE_PROGRESS_INTERVAL seconds (CI, tee, cron).
SPBE_PROGRESS = _env("SPBE_PROGRESS", "")
SPBE_PROGRESS_INTERVAL = float(_env("SPBE_PROGRESS_INTERVAL", "30"))
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
