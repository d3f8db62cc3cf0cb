"""How values are written for people, the same in reports, pages, exports and alerts: counts with thousands
separators, and the one Jinja environment every template (report, web pages) renders in."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

__all__ = ["environment", "thousands"]


def thousands(value: Any) -> str:
    """12000 -> "12,000"; anything else (a bool, a word, a range) as written."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Jinja2 over the packaged templates (templates/ for reports, web/templates/ for pages): autoescape always
    on, undefined names are errors. The report and the web add their own filters and globals to it."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.PackageLoader("breachlens.delivery", "templates"),
            jinja2.PackageLoader("breachlens.delivery", "web/templates"),
        ]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = thousands
    return env
