"""Readable names for the all-caps province and kabupaten/kota names of the Kemendagri list."""

from __future__ import annotations

import re

# Abbreviations Kemendagri writes in the kab/kota names, written out as the regions call themselves.
_ABBREVIATIONS = {"KAB.": "Kabupaten", "KAB": "Kabupaten", "ADM.": "Administrasi", "KEP.": "Kepulauan"}
_ACRONYMS = {"DKI"}
_LOWER_WORDS = {"DAN"}
_SPACES = re.compile(r"\s+")


def region_name(raw: str) -> str:
    """Title-case an all-caps region name; names already in mixed case are kept as written.

    ``KOTA BANDAR LAMPUNG`` -> ``Kota Bandar Lampung``, ``KAB. ACEH SELATAN`` ->
    ``Kabupaten Aceh Selatan``, ``DKI JAKARTA`` -> ``DKI Jakarta``.
    """
    name = _SPACES.sub(" ", raw).strip()
    if name != name.upper():
        return name
    words = [_word(word, first=index == 0) for index, word in enumerate(name.split(" "))]
    return " ".join(words)


def _word(word: str, first: bool) -> str:
    if word in _ABBREVIATIONS:
        return _ABBREVIATIONS[word]
    if word in _ACRONYMS:
        return word
    if word in _LOWER_WORDS and not first:
        return word.lower()
    return "-".join(part.capitalize() for part in word.split("-"))
