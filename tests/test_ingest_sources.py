"""ingest_sources: every way in (files, pages, feeds, archives) in one run, with a summary whose counts add up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from breachlens.ingest.sources import ingest_sources, split_sources
from breachlens.settings import Settings
from breachlens.store import open_store
from test_warc import write_archive
from web_server import LocalServer, server  # noqa: F401 - `server` is a fixture

OUTLETS = Path(__file__).parent / "fixtures" / "outlets"
WEB = Path(__file__).parent / "fixtures" / "web"
LOCAL = {"allow_private": True, "min_interval": 0.0}


def test_ingest_sources_split_by_form() -> None:
    sources = ["a.txt", "https://x.example/p", "crawl.WARC.gz", "dir/", "http://y.example/", "old.arc"]
    assert split_sources(sources) == (
        ["a.txt", "dir/"], ["https://x.example/p", "http://y.example/"], ["crawl.WARC.gz", "old.arc"]
    )


@pytest.fixture
def every_way_in(server: LocalServer, tmp_path: Path) -> tuple[list[str], list[str]]:  # noqa: F811
    """Files (one copied twice, one missing), pages (one gone), a feed and an archive that overlap the pages."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a_wirefeed_morrowind_energy.txt", "e_negative_grid_tips.txt"):
        shutil.copy(OUTLETS / name, docs / name)
    shutil.copy(OUTLETS / "a_wirefeed_morrowind_energy.txt", docs / "copy.txt")
    server.route("/news/marlow", (WEB / "breach.html").read_bytes())
    server.route("/advice", (WEB / "advice.html").read_bytes())
    server.route("/feed.xml", (WEB / "rss2.xml").read_text().replace("{base}", server.base),
                 content_type="application/rss+xml")
    archive = tmp_path / "crawl.warc.gz"
    write_archive(archive)  # the same two pages again, and four records that are no page
    sources = [str(docs), str(tmp_path / "missing.txt"), server.url("/news/marlow"), server.url("/gone"),
               str(archive)]
    return sources, [server.url("/feed.xml")]


def test_ingest_sources_counts_add_up(every_way_in: tuple[list[str], list[str]], tmp_path: Path) -> None:
    sources, feeds = every_way_in
    with open_store(str(tmp_path / "all.db")) as store:
        first = ingest_sources(sources, store, Settings(), feeds=feeds, **LOCAL)
        again = ingest_sources(sources, store, Settings(), feeds=feeds, **LOCAL)
    assert first.seen == first.accounted and again.seen == again.accounted
    assert [Path(f.source).name for f in first.failures] == ["missing.txt", "gone"]
    assert first.skipped == {"request record": 1, "not HTML (image/png)": 1, "HTTP 404": 1, "metadata record": 1}
    # 3 files + 1 missing + 2 pages + 2 feed items (advice new, marlow the page's bytes) + 2 archive pages + 4 records
    assert (first.seen, first.new, first.failed) == (14, 4, 2)
    assert first.duplicates == 4  # the copied file, the feed's marlow page, both archive pages
    assert (again.new, again.failed, again.incident_count) == (0, 2, first.incident_count)
