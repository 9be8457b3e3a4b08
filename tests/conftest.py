"""Shared fixtures. ``demo_web``: the offline demo web (Kota Bandar Lampung on 127.0.0.1), started
once per test session; ``demo_env``: ``os.environ`` plus the demo's connect-to, network and CA vars.
"""

from __future__ import annotations

import os
import tempfile

import pytest

# Tests never write to the per-user state folder (the default of SPBE_HOME): a folder of this test
# session instead, unless the environment or a test sets its own.
os.environ.setdefault("SPBE_HOME", tempfile.mkdtemp(prefix="spbe-test-home-"))


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
