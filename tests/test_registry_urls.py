"""normalise_url: one normal form per site, a Bahasa ValueError for anything that is not a web address."""

from __future__ import annotations

import pytest

from spbe_crawler.registry.urls import host_of, normalise_url

CASES = [
    # (input, expected normal form, or None when the input must be refused)
    ("dinkes.bandarlampungkota.go.id", "https://dinkes.bandarlampungkota.go.id/"),
    ("  HTTPS://Dinkes.BandarLampungKota.GO.ID  ", "https://dinkes.bandarlampungkota.go.id/"),
    ("https://dinkes.bandarlampungkota.go.id:443/", "https://dinkes.bandarlampungkota.go.id/"),
    ("http://dinkes.bandarlampungkota.go.id:80", "http://dinkes.bandarlampungkota.go.id/"),
    ("http://ppid.malangkab.go.id:8080/Informasi/Publik?id=3#top", "http://ppid.malangkab.go.id:8080/Informasi/Publik?id=3"),
    ("https://spse.inaproc.id/bandarlampungkota", "https://spse.inaproc.id/bandarlampungkota"),
    ("kel-kedaton.bandarlampungkota.go.id./", "https://kel-kedaton.bandarlampungkota.go.id/"),
    ("https://127.0.0.1:8443/", "https://127.0.0.1:8443/"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("https://xn--80ak6aa92e.com/", "https://xn--80ak6aa92e.com/"),
    ("ftp://dinkes.bandarlampungkota.go.id", None),
    ("mailto:ppid@bandarlampungkota.go.id", None),
    ("", None),
    ("   ", None),
    ("https://", None),
    ("https://dinkes", None),
    ("https://-dinkes-.go.id", None),
    ("https://dinkes_kota.go.id", None),
    ("https://dinkes.bandarlampungkota.go.id:99999/", None),
    ("https://dinkes.bandar lampung.go.id", None),
    ("https://admin:rahasia@dinkes.bandarlampungkota.go.id/", None),
    ("https://dinkes.bandarlampungkota.123", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normalise_url(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError) as caught:
            normalise_url(text)
        assert str(caught.value)  # a message the user can read
    else:
        assert normalise_url(text) == expected
        assert normalise_url(expected) == expected  # the normal form is a fixed point


def test_host_of_normalised_url() -> None:
    assert host_of(normalise_url("HTTP://[::1]:8080/")) == "::1"
    assert host_of(normalise_url("Dinkes.X.go.id")) == "dinkes.x.go.id"
