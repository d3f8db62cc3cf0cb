"""Browser tests: Debian's Chromium against a real server on 127.0.0.1. Screenshots go to test-artifacts/browser/.

The user's path of the issue: open the list, filter by actor, open an incident, click a fact, see its quote
highlighted in the source. And a stored page full of script renders as text with no script run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

MARROWGATE = "marrowgate-stores-2025-06"
HOSTILE_INCIDENT = "brindlecombe-cycles-2025-07"
PAYLOADS = (
    "<script>window.__pwned = 1; alert(1)</script>",
    '<img src=x onerror="window.__pwned = 2; alert(2)">',
    '<a href="javascript:window.__pwned=3">javascript:window.__pwned=3</a>',
)


def _quote_of(base_url: str, href: str) -> str:
    """The document text at the [start, end) a quote link points to, read through the API."""
    parts = urlsplit(href)
    sha = parts.path.rsplit("/", 1)[-1]
    params = parse_qs(parts.query)
    start, end = int(params["start"][0]), int(params["end"][0])
    text = httpx.get(f"{base_url}/api/documents/{sha}").json()["text"]
    return str(text[start:end])


def _csp_violations(page: Any) -> list[str]:
    """Console errors that are Content-Security-Policy refusals (our own pages must cause none)."""
    return [e for e in page.errors if "Content Security Policy" in e]


def test_browser_filter_open_incident_click_fact(page: Any, base_url: str, artifacts: Path) -> None:
    page.goto(base_url + "/")
    assert page.locator("table.incidents tbody tr").count() >= 3
    page.screenshot(path=str(artifacts / "01-incident-list.png"), full_page=True)

    page.locator("#facet-actor a.facet-link", has_text="Velvet Lynx").click()
    page.wait_for_url(re.compile(r"actor=Velvet"))
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("a.incident-link").inner_text() == "Marrowgate Stores"
    page.screenshot(path=str(artifacts / "02-filtered-by-actor.png"), full_page=True)

    rows.first.locator("a.incident-link").click()
    page.wait_for_url(f"**/incidents/{MARROWGATE}")
    assert page.locator("h1").inner_text() == "Marrowgate Stores"
    assert page.locator(".side-by-side .conflict-value").count() >= 2
    page.screenshot(path=str(artifacts / "03-incident.png"), full_page=True)

    fact = page.locator("a.fact-link").first
    href = fact.get_attribute("href")
    assert href is not None
    fact.click()
    mark = page.locator("#source-panel mark")
    mark.wait_for(state="visible")
    assert mark.is_visible()
    assert mark.text_content() == _quote_of(base_url, href)
    assert page.url.endswith(f"/incidents/{MARROWGATE}")  # shown in place, next to the report
    page.screenshot(path=str(artifacts / "04-fact-quote-highlighted.png"), full_page=False)
    assert not _csp_violations(page), page.errors


def test_browser_fact_link_works_without_javascript(browser: Any, base_url: str, artifacts: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base_url}/incidents/{MARROWGATE}")
        fact = page.locator("a.fact-link").nth(1)
        href = fact.get_attribute("href")
        fact.click()
        page.wait_for_url(re.compile(r"/documents/[0-9a-f]{64}\?"))
        mark = page.locator("mark#quote")
        assert mark.is_visible()
        assert mark.text_content() == _quote_of(base_url, href)
        page.screenshot(path=str(artifacts / "05-quote-in-document-no-js.png"), full_page=False)
    finally:
        context.close()


def test_browser_hostile_document_runs_no_script(page: Any, base_url: str, artifacts: Path) -> None:
    docs = httpx.get(f"{base_url}/api/documents").json()["documents"]
    sha = next(d["sha256"] for d in docs if d["source"].endswith("hostile-page.txt"))
    page.goto(f"{base_url}/documents/{sha}")
    text = page.locator("pre.text").text_content()
    for payload in PAYLOADS:
        assert payload in text
    assert page.get_by_text("<script>window.__pwned = 1; alert(1)</script>", exact=False).first.is_visible()
    assert page.locator("pre.text img, pre.text script, pre.text a").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    page.screenshot(path=str(artifacts / "06-hostile-document-as-text.png"), full_page=True)

    page.goto(f"{base_url}/incidents/{HOSTILE_INCIDENT}")
    page.locator("a.fact-link").first.click()
    page.locator("#source-panel mark").wait_for(state="visible")
    assert PAYLOADS[0] in page.locator("#source-panel pre.text").text_content()
    page.screenshot(path=str(artifacts / "07-hostile-incident-panel.png"), full_page=False)

    page.goto(f"{base_url}/analyze")
    page.locator("#analyze-text").fill(
        "\n".join(PAYLOADS) + "\nBrindlecombe Cycles said hackers stole emails."
    )
    page.locator("form.analyze button[type=submit]").click()
    page.wait_for_load_state()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    assert not _csp_violations(page), page.errors
