"""Which pemda ``spbe run --pemda A,B | --provinsi P | --all`` queues (from the bundled region data)."""

from __future__ import annotations

import pytest

from spbe_crawler.cluster.batch import select_pemda
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.wilayah_file import read_wilayah


def test_selection_by_list_province_and_all() -> None:
    regions = read_wilayah().regions
    lampung = select_pemda(provinsi="18")
    assert lampung == sorted(c for c, r in regions.items() if r.kind == "pemda" and c.startswith("18."))
    assert "18.71" in lampung and "18.72" in lampung and all(c.count(".") == 1 for c in lampung)
    assert select_pemda(pemda="18.72, 18.71,18.72") == ["18.72", "18.71"]  # order kept, duplicates dropped
    assert select_pemda(pemda="18.71", provinsi="18") == lampung  # already in the province
    everything = select_pemda(all_pemda=True)
    assert len(everything) == 514 and set(lampung) < set(everything)


@pytest.mark.parametrize(("kwargs", "message"), [({"pemda": "99.99"}, "99.99"), ({"provinsi": "99"}, "provinsi 99")])
def test_unknown_codes_are_refused_by_name(kwargs, message) -> None:
    with pytest.raises(RegistryError, match=message):
        select_pemda(**kwargs)
