"""Readable names for the all-caps province and kabupaten/kota names of the Kemendagri list."""

from __future__ import annotations

import re

# Abbreviations Kemendagri writes in the kab/kota names, written out as the regions call themselves.
_ABBREVIATIONS = {"KAB.": "Kabupaten", "KAB": "Kabupaten", "ADM.": "Administrasi", "KEP.": "Kepulauan"}
_ACRONYMS = {"DKI"}
_LOWER_WORDS = {"DAN"}
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def region_name(raw: str) -> str:
    """Title-case an all-caps region name; names already in mixed case are kept as written, apart
    from the abbreviations ``Kab.``, ``Adm.`` and ``Kep.``, which are written out.

    ``KOTA BANDAR LAMPUNG`` -> ``Kota Bandar Lampung``, ``KAB. ACEH SELATAN`` ->
    ``Kabupaten Aceh Selatan``, ``DKI JAKARTA`` -> ``DKI Jakarta``.
    """
    name = _SPACES.sub(" ", raw).strip()
    if name != name.upper():  # written out abbreviations only: "Kabupaten Kep. Siau" -> "Kepulauan"
        return " ".join(_ABBREVIATIONS.get(word.upper(), word) if word.endswith(".") else word for word in name.split(" "))
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


def compact_name(name: str) -> str:
    """Letters and digits only, case-folded: ``Duf Miraf`` and ``Dufmiraf`` are one name."""
    return _NOT_ALNUM.sub("", name.casefold())
