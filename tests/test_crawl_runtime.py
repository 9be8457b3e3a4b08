"""How the survey runs Python and Scrapy: the garbage-collector settings (spbe_crawler/heap.py: start-up
heap frozen while a crawl runs, young collections rarer, restored when the last crawl closes) and
items handed to the (synchronous) pipelines one at a time."""

from __future__ import annotations

import gc
import inspect
import weakref
from collections.abc import Iterator

import pytest
from scrapy import signals
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from spbe_crawler import heap
from spbe_crawler.heap import HeapExtension
from spbe_crawler.survey.job import survey_settings


@pytest.fixture(autouse=True)
def clean_gc() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    while heap._open_crawls:  # a failed test must not leave this process frozen
        heap.release()
    gc.unfreeze()
    gc.set_threshold(*before)


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def _crawler_with_extension() -> tuple[object, HeapExtension]:
    crawler = get_crawler()
    return crawler, HeapExtension.from_crawler(crawler)


def test_opening_a_crawl_freezes_the_heap_and_closing_it_restores_the_collector(clean_gc):
    crawler, _ = _crawler_with_extension()
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)
    assert gc.get_freeze_count() > 1000  # the modules and objects loaded before the crawl
    assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, *clean_gc[1:])
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == clean_gc


def test_cycles_made_during_the_crawl_are_still_collected():
    heap.settle()
    node = Node()
    gone = weakref.ref(node)
    del node
    gc.collect()
    assert gone() is None
    heap.release()


def test_the_collector_is_restored_only_when_the_last_open_crawl_closes(clean_gc):
    (first, _), (second, _) = _crawler_with_extension(), _crawler_with_extension()
    first.signals.send_catch_log(signals.spider_opened, spider=None)
    second.signals.send_catch_log(signals.spider_opened, spider=None)
    first.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
    second.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == clean_gc
    heap.release()  # one close too many changes nothing
    assert gc.get_threshold() == clean_gc


def test_a_higher_threshold_set_by_the_process_is_kept():
    higher = heap.YOUNG_THRESHOLD * 2
    gc.set_threshold(higher, 10, 10)
    heap.settle()
    assert gc.get_threshold() == (higher, 10, 10)
    heap.release()
    assert gc.get_threshold() == (higher, 10, 10)


def test_the_survey_runs_with_the_heap_extension():
    assert "spbe_crawler.heap.HeapExtension" in survey_settings().getdict("EXTENSIONS")


def test_items_are_processed_one_at_a_time_by_synchronous_pipelines():
    """CONCURRENT_ITEMS = 1 costs nothing only while no pipeline awaits anything."""
    from spbe_crawler.cluster.crawl import UnitSpider

    settings = survey_settings()
    assert settings.getint("CONCURRENT_ITEMS") == 1
    pipelines = [*settings.getdict("ITEM_PIPELINES"), *UnitSpider.custom_settings["ITEM_PIPELINES"]]
    assert len(pipelines) == 2
    for path in pipelines:
        assert not inspect.iscoroutinefunction(load_object(path).process_item), path
