"""Scrapy settings of the SPBE survey.

The constants below are fixed design choices. Every ``SPBE_*`` knob comes from the one settings
object (:class:`spbe_crawler.config.Settings`, read from the environment once when this module is
loaded by ``scrapy crawl``; :func:`spbe_crawler.survey.job.survey_settings` reads it again when a
survey starts). ``scrapy crawl ... -s NAME=VALUE`` overrides any of them.
"""

from __future__ import annotations

from spbe_crawler.config import load_settings, scrapy_settings
from spbe_crawler.net.headers import VISITOR_HEADERS

BOT_NAME = "spbe_crawler"
SPIDER_MODULES = ["spbe_crawler.spiders"]
NEWSPIDER_MODULE = "spbe_crawler.spiders"

# --- Politeness ----------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
# CONCURRENT_REQUESTS_PER_DOMAIN follows SPBE_SITE_CONCURRENCY (config.scrapy_settings): the spider
# holds each site to that many requests in flight, so its pages reuse that many connections.
# The downloader-aware queue (Scrapy's default) cannot key slots per IP.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
# Scrapy's cookie middleware keeps one jar per key for the whole crawl; the spider keeps each site's
# cookies itself (SiteState.cookies) and drops them with the site.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Time and size limits --------------------------------------------------------------------------
# Scrapy's DOWNLOAD_TIMEOUT bounds the whole request (connect + slow-drip body), not just idle time;
# DOWNLOAD_MAXSIZE is enforced after decompression by HttpCompressionMiddleware (gzip bombs).
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_VERIFY_CERTIFICATES = True
RETRY_ENABLED = True
RETRY_HTTP_CODES: list[int] = []  # HTTP answers are retried with backoff by BackoffRetryMiddleware
# Scrapy's list without CannotResolveHostError: a name that does not exist is not asked again
# (the resolver also remembers it for the rest of the crawl).
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    "builtins.OSError",
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"  # the spider logs one line per failed site
LOG_FORMATTER = "spbe_crawler.logs.SurveyLogFormatter"  # no "Scraped from" line per item
REDIRECT_ENABLED = False  # the spider follows redirects itself to record chains, loops and targets
METAREFRESH_ENABLED = False  # and meta refreshes (spbe_crawler/survey/refresh.py): Scrapy's would hide them
# What a visitor in Indonesia asks for (spbe_crawler/net/headers.py), the monitor's headers too.
DEFAULT_REQUEST_HEADERS = dict(VISITOR_HEADERS)

# --- Network policy: connect-to routes and private addresses (see spbe_crawler/net/policy.py) -----
TWISTED_DNS_RESOLVER = "spbe_crawler.net.twisted_resolver.PolicyResolver"

# One verifying TLS context for all connections, idle connections closed after a few seconds: memory
# follows the sites in flight, not the sites surveyed (spbe_crawler/net/scrapy_tls.py).
DOWNLOADER_CLIENTCONTEXTFACTORY = "spbe_crawler.net.scrapy_tls.SharedContextFactory"
DOWNLOAD_HANDLERS = {
    "http": "spbe_crawler.net.scrapy_tls.SurveyDownloadHandler",
    "https": "spbe_crawler.net.scrapy_tls.SurveyDownloadHandler",
}

# --- Components ----------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "spbe_crawler.middlewares.BackoffRetryMiddleware": 540,
    "spbe_crawler.middlewares.AddressPolicyMiddleware": 50,
}
# The spider decides what it fetches, and every request it makes must reach one of its callbacks
# (a site is finished when its last request is answered), so two of Scrapy's spider middlewares are
# off. DepthMiddleware overwrote the depth the spider sets (a redirect hop keeps its page's depth, a
# discovered site starts at 0) with the response's depth + 1: the links of a homepage reached through
# a redirect (http -> https, / -> /beranda) were already at the cap, and a whole level of every such
# site went uncrawled. UrlLengthMiddleware silently dropped a request over 2,083 characters (a
# homepage redirecting to a long session URL): no callback ran, and the site never got its check.
# Links longer than SPBE_MAX_URL_LENGTH are refused by the spider's frontier as traps instead.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
}
ITEM_PIPELINES = {"spbe_crawler.pipelines.StorePipeline": 300}
# Scrapy starts this many asyncio tasks for every response, however few items and requests it yields.
# The pipelines are synchronous, so items gain nothing from being processed in parallel: one at a
# time (the default, 100, cost 10-40 % of a crawl's CPU). A site check may then reach the pipeline
# before the last pages of its site; the pipeline waits for them (see pipelines.py).
CONCURRENT_ITEMS = 1
# The start-up heap frozen during the crawl, young collections rarer (spbe_crawler/heap.py).
EXTENSIONS = {"spbe_crawler.extensions.ProgressExtension": 500, "spbe_crawler.heap.HeapExtension": 100}
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# --- Knobs (SPBE_* environment variables, see spbe_crawler/config.py) ------------------------------
globals().update(scrapy_settings(load_settings()))
