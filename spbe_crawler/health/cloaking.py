"""Cloaking: a hacked site that shows gambling spam to search engines and a clean page to people.

The survey fetches the same URL twice, once as a browser and once with a search-engine User-Agent,
and compares the two with the same gambling rules that judge any page.
"""

from __future__ import annotations

from spbe_crawler.health.page import PageFacts
from spbe_crawler.health.rules import RuleSet, default_rules
from spbe_crawler.health.status import Status
from spbe_crawler.health.verdict import Verdict

CLOAKED_RULE_PREFIX = "cloaked/"


def compare_cloaked(browser: PageFacts, bot: PageFacts, rules: RuleSet | None = None) -> Verdict | None:
    """``hacked_cloaked`` when only the search-engine version carries gambling content, else ``None``.

    When both versions carry it the page is plainly ``hacked_gambling``, which the ordinary
    classification of the browser version already reports.
    """
    gambling = (rules or default_rules()).only(Status.HACKED_GAMBLING)
    bot_verdict = gambling.classify(bot)
    if bot_verdict is None or gambling.classify(browser) is not None:
        return None
    return Verdict(
        status=Status.HACKED_CLOAKED.value,
        rule_id=CLOAKED_RULE_PREFIX + bot_verdict.rule_id,
        detail=(
            f"Versi halaman untuk mesin pencari memuat konten judi online yang tidak tampil bagi pengunjung biasa. {bot_verdict.detail}"
        ),
        snippet=bot_verdict.snippet,
    )
