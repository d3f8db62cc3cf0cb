"""One number formatter and one Jinja environment for reports, pages, exports and alerts."""

from __future__ import annotations

from typing import Any

import pytest

from breachlens.delivery import formats, report
from breachlens.delivery.web import pages


@pytest.mark.parametrize(("value", "text"), [(12_000, "12,000"), (7, "7"), (True, "True"), ("3.1 million", "3.1 million")])
def test_formats_thousands(value: Any, text: str) -> None:
    assert formats.thousands(value) == text


def test_formats_one_environment_for_reports_and_pages() -> None:
    env = formats.environment()
    assert report._environment() is env
    assert pages.environment() is env
    assert env.get_template("report.html.j2") and env.get_template("base.html")
    assert env.from_string("{{ n | thousands }}").render(n=1_234_567) == "1,234,567"
