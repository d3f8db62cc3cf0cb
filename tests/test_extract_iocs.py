"""extract/iocs.py: indicators of compromise, defanged forms refanged, noise dropped."""

from __future__ import annotations

import pytest

from breachlens.analysis.extract.iocs import find_iocs


def found(text: str) -> set[tuple[str, str]]:
    """(type, value) of every IOC in text."""
    return {(i.type, i.value) for i in find_iocs(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The malware beaconed to hxxp://cdn-update[.]top/gate.php every hour.", ("url", "http://cdn-update.top/gate.php")),
        ("Block the C2 domain cdn-update[.]top at the proxy.", ("domain", "cdn-update.top")),
        ("Exfiltration went to 185.220.101[.]45 over HTTPS.", ("ipv4", "185.220.101.45")),
        ("The C2 server at 185.220.101.45 was taken down.", ("ipv4", "185.220.101.45")),
    ],
)
def test_iocs_defanged_and_plain(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "The beacon talked to 10.0.0.5 and 192.168.1.20 on the internal network.",
        "Internal C2 relay at 172.16.4.2 was used.",
        "Loopback 127.0.0.1 appeared in the malicious config.",
    ],
)
def test_iocs_private_ips_dropped(text: str) -> None:
    assert {v for t, v in found(text) if t == "ipv4"} == set()


def test_iocs_plain_domain_without_context_is_not_an_ioc() -> None:
    assert found("Read the full story on example-news.com today.") == set()


def test_iocs_sha256_found() -> None:
    digest = "9f2b8c1e4d7a6b5c3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"
    assert ("sha256", digest) in found(f"The loader's hash is {digest}.")


def test_iocs_offsets_point_at_written_form() -> None:
    text = "C2: hxxp://cdn-update[.]top/gate.php"
    url = next(i for i in find_iocs(text) if i.type == "url")
    assert text[url.start : url.end] == "hxxp://cdn-update[.]top/gate.php"


def test_iocs_nothing_in_plain_prose() -> None:
    assert find_iocs("No indicators were shared by the company.") == []
