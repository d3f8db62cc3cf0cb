"""warc: archives written by the tests with warcio; HTML responses become documents, the rest is counted."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from breachlens.errors import SourceError
from breachlens.ingest.sources import ingest_sources
from breachlens.ingest.warc import read_warc
from breachlens.records import RawDocument, SourceFailure
from breachlens.settings import Settings
from breachlens.store import open_store

WEB = Path(__file__).parent / "fixtures" / "web"


def _response(writer: WARCWriter, uri: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
    """Write one response record."""
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers)
    writer.write_record(record)


def write_archive(path: Path, gz: bool = True) -> None:
    """An archive with two HTML pages, an image, a 404, a request record and a metadata record."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        request = StatusAndHeaders("GET /news/marlow HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://news.example/news/marlow", "request",
                                                      http_headers=request))
        _response(writer, "https://news.example/news/marlow", (WEB / "breach.html").read_bytes(),
                  "text/html; charset=utf-8")
        _response(writer, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n....", "image/png")
        _response(writer, "https://news.example/gone", b"<html>gone</html>", "text/html", "404 Not Found")
        writer.write_record(writer.create_warc_record("https://news.example/", "metadata",
                                                      payload=io.BytesIO(b"via: test"), length=9,
                                                      warc_content_type="text/plain"))
        _response(writer, "https://news.example/advice", (WEB / "advice.html").read_bytes(), "text/html")


@pytest.mark.parametrize("gz", [True, False])
def test_warc_html_responses_are_documents(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_archive(path, gz)
    read = read_warc(str(path))
    documents = list(read.documents)
    assert all(isinstance(d, RawDocument) for d in documents)
    assert [(d.source, d.kind) for d in documents if isinstance(d, RawDocument)] == [
        ("https://news.example/news/marlow", "html"), ("https://news.example/advice", "html"),
    ]
    assert documents[0].data == (WEB / "breach.html").read_bytes()  # type: ignore[union-attr]
    assert dict(read.skipped) == {
        "request record": 1, "not HTML (image/png)": 1, "HTTP 404": 1, "metadata record": 1,
    }


def test_warc_record_over_the_limit_is_its_own_failure(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_archive(path)
    documents = list(read_warc(str(path), Settings.load(max_bytes=1000)).documents)
    assert [str(d) for d in documents if isinstance(d, SourceFailure)] == [
        "https://news.example/news/marlow: over the 1,000-byte limit",
        "https://news.example/advice: over the 1,000-byte limit",
    ]


@pytest.mark.parametrize("data", [b"this is not a web archive\n" * 10, b"", gzip.compress(b"<html>no</html>")])
def test_warc_not_an_archive(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "junk.warc"
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        read_warc(str(path))
    assert str(caught.value) == f"{path}: not a WARC or ARC archive"


def test_warc_missing_file() -> None:
    with pytest.raises(SourceError, match="missing.warc: cannot open: No such file or directory"):
        read_warc("missing.warc")


def test_warc_ingest(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_archive(path)
    with open_store(":memory:") as store:
        summary = ingest_sources([str(path)], store, Settings())
        again = ingest_sources([str(path)], store, Settings())
    assert (summary.fetched, summary.new, summary.not_about_a_breach) == (2, 2, 1)
    # The victim's exact span is the extractor's business; here it is enough that the incident is found.
    assert [i.incident.victim[:15] for i in summary.incidents] == ["Marlow Couriers"]
    assert summary.skipped["request record"] == 1
    assert (again.new, again.duplicates) == (0, 2)
