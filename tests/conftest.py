"""Shared fixtures. ``demo_web``: the offline demo web (Kota Bandar Lampung on 127.0.0.1), started
once per test session; ``demo_env``: ``os.environ`` plus the demo's connect-to, network and CA vars.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator

import pytest

# Tests never write to the per-user state folder (the default of SPBE_HOME): a folder of this test
# session instead, unless the environment or a test sets its own.
os.environ.setdefault("SPBE_HOME", tempfile.mkdtemp(prefix="spbe-test-home-"))


@pytest.hookimpl(wrapper=True)  # a wrapper: runs before pytest-xdist's hook reads the group markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Generator[None, None, None]:
    """Files with slow end-to-end tests (marked ``e2e``, or using the demo web) run first. Under
    ``make test`` (pytest-xdist, ``--dist loadgroup``) the files that crawl the demo web (they use it
    and run ``spbe`` through ``survey_support.cli_env``) run in one test process, one after the other:
    their crawls are timing-sensitive and never compete with each other for the CPU. Every other e2e
    file (an install, a browser, requests to the demo web) stays whole in one process, and the many
    quick tests are shared out. A file's tests stay together and in order."""
    demo_files = {item.path for item in items if "demo_web" in getattr(item, "fixturenames", ())}
    crawl_files = {item.path for item in items if item.path in demo_files and hasattr(getattr(item, "module", None), "cli_env")}
    slow_files = demo_files | {item.path for item in items if item.get_closest_marker("e2e")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: collection order otherwise
    for item in items:
        if item.path in slow_files:
            item.add_marker(pytest.mark.e2e)  # so that -m "not e2e" leaves the crawls out too
            item.add_marker(pytest.mark.xdist_group("demo-crawls" if item.path in crawl_files else item.path.stem))
    return (yield)


@pytest.fixture(scope="session")
def demo_web(tmp_path_factory):
    from spbe_crawler.demo import DemoWeb  # imported here so a demo bug fails only the tests using it

    web = DemoWeb(tmp_path_factory.mktemp("demo-web"))
    web.start()
    yield web
    web.stop()


@pytest.fixture
def demo_env(demo_web) -> dict[str, str]:
    return {**os.environ, **demo_web.env}


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Generator[None, None, None]:
    """Argon2id at the library's default cost takes some 0.2 s of CPU per hash and per check, and the
    web tests sign in a hundred times: in this test process accounts hash and check with Argon2id at
    its lowest cost (the same code path; the cost is written in each hash). `spbe` processes started
    by tests keep the default cost, and re-hash a cheap hash at its owner's next login."""
    from argon2 import PasswordHasher

    from spbe_crawler.web import accounts

    saved = accounts._hasher, accounts._DUMMY_HASH
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts._hasher, accounts._DUMMY_HASH = cheap, cheap.hash("spbe-crawler-dummy-password")
    yield
    accounts._hasher, accounts._DUMMY_HASH = saved
