from __future__ import annotations

import pytest

from spbe_crawler.discovery.names import (
    abbreviation,
    fold,
    host_label_variants,
    name_forms,
    normalise,
    pemda_label,
    root_stem,
    tokens,
)
from spbe_crawler.discovery.rules import load_rules


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Panarukan", "panarukan"),
        ("Kel. Penarukan", "penarukan"),
        ("Kelurahan Way Halim", "wayhalim"),
        ("KECAMATAN TANJUNGKARANG BARAT", "tanjungkarangbarat"),
        ("Kec.Kedaton", "kedaton"),
        ("Desa Ma'rang", "marang"),
        ("Desa Ma\u2019rang", "marang"),
        ("Désa  Cibodas-Hilir", "cibodashilir"),
        ("Kota Baru", "kotabaru"),  # "Kota" is part of a kelurahan name, never stripped
        ("Kelurahan", "kelurahan"),  # a type word alone stays: it is the whole name
        ("Jagabaya II", "jagabayaii"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_tokens_keep_words_and_drop_only_leading_type_words() -> None:
    assert tokens("Kel. Sukarame Baru") == ["sukarame", "baru"]
    assert tokens("Website Kelurahan Sukarame") == ["website", "kelurahan", "sukarame"]
    assert fold("Kel.\tPenarukan\u00a0(Baru)") == "kel penarukan baru"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Panarukan", ["panarukan"]),
        ("Panarukan Baru", ["panarukanbaru", "panarukan-baru"]),
        ("Jagabaya II", ["jagabayaii", "jagabaya-ii", "jagabaya2", "jagabaya-2", "jagabayadua", "jagabaya-dua"]),
        ("Tanjungkarang Barat", ["tanjungkarangbarat", "tanjungkarang-barat", "tkbarat"]),
        ("Kel. Way Halim", ["wayhalim", "way-halim"]),
        ("Ma'rang", ["marang"]),
    ],
)
def test_host_label_variants(name: str, expected: list[str]) -> None:
    assert host_label_variants(name) == expected


def test_abbreviation_needs_three_parts() -> None:
    rules = load_rules()
    assert abbreviation(["telukbetung", "selatan"], rules) == "tbselatan"
    assert abbreviation(["tanjung", "senang"], rules) is None
    assert abbreviation(["kedaton"], rules) is None


def test_name_forms_carry_the_base_of_an_extended_name() -> None:
    forms = {form.text: form.base for form in name_forms("Sukarame Baru")}
    assert forms == {"sukaramebaru": "sukarame"}
    numbered = {form.text: form.base for form in name_forms("Sukarame II")}
    assert numbered == {"sukarameii": "sukarame", "sukarame2": "sukarame", "sukaramedua": "sukarame"}
    assert [form.text for form in name_forms("Tanjungkarang Barat", abbreviations=True)][-1] == "tkbarat"


@pytest.mark.parametrize(
    "name, expected",
    [("KOTA BANDAR LAMPUNG", "bandarlampung"), ("KAB. BANDUNG", "bandung"), ("Kabupaten Kotabaru", "kotabaru")],
)
def test_pemda_label(name: str, expected: str) -> None:
    assert pemda_label(name) == expected


@pytest.mark.parametrize(
    "root, expected",
    [("bandarlampungkota.go.id", "bandarlampung"), ("bandungkab.go.id", "bandung"), ("kalbarprov.go.id", "kalbar")],
)
def test_root_stem(root: str, expected: str) -> None:
    assert root_stem(root) == expected
