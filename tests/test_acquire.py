"""Tests for breachlens.ingest.acquire: files, directories, refusals with one-line reasons."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from breachlens.errors import SourceError, TooLargeError
from breachlens.ingest import acquire as acquire_module
from breachlens.ingest.acquire import acquire, expand_sources
from breachlens.records import SourceFailure
from breachlens.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "clean"
SETTINGS = Settings.load()


def _write(directory: Path, name: str, data: bytes) -> str:
    """Write `data` to directory/name (creating parents) and return the path as a string."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("article.txt", b"Acme said attackers stole data.\n", "text"),
        ("notes.md", b"# Acme\n\nAcme said attackers stole data.\n", "text"),
        ("page.html", b"<p>Acme said attackers stole data.</p>", "html"),
        ("page.HTM", b"<p>Acme said attackers stole data.</p>", "html"),
        ("saved.txt", b"<!DOCTYPE html><html><body><p>Acme</p></body></html>", "html"),
        ("saved.txt", b"\xef\xbb\xbf \n\t<HTML lang='en'><body>Acme</body></HTML>", "html"),
        ("saved", b"  <html><body>Acme</body></html>", "html"),
        ("saved.txt", "<html><body>Acme</body></html>".encode("utf-16"), "html"),
        ("angle.txt", b"<b>Acme</b> said attackers stole data.", "text"),
    ],
)
def test_acquire_reads_bytes_kind_and_sha256(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    path = _write(tmp_path, name, data)
    raw = acquire(path, SETTINGS)
    assert (raw.source, raw.data, raw.kind) == (path, data, kind)
    assert raw.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (b"", SourceError, "empty file"),
        (b" \n\t\r\n", SourceError, "empty file"),
        (b"x" * 101, TooLargeError, "101 bytes, over the 100-byte limit"),
    ],
)
def test_acquire_refuses_bad_files(
    tmp_path: Path, data: bytes, error: type[SourceError], reason: str
) -> None:
    path = _write(tmp_path, "input.txt", data)
    with pytest.raises(error) as caught:
        acquire(path, Settings.load(max_bytes=100))
    assert type(caught.value) is error
    assert str(caught.value) == f"{path}: {reason}"


def test_acquire_accepts_file_at_the_size_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "input.txt", b"x" * 100)
    assert len(acquire(path, Settings.load(max_bytes=100)).data) == 100


def test_acquire_checks_size_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "big.txt", b"x" * 5000)

    def refuse_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized file must be refused before it is opened")

    monkeypatch.setattr(acquire_module, "open", refuse_open, raising=False)
    with pytest.raises(TooLargeError):
        acquire(path, Settings.load(max_bytes=100))


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{tmp}/missing.txt", "no such file or directory"),
        ("{tmp}", "is a directory"),
        ("http://127.0.0.1/breach.html", "refused: 127.0.0.1 is a loopback address"),
        ("HTTP://127.0.0.1/breach.html", "refused: 127.0.0.1 is a loopback address"),
    ],
)
def test_acquire_refuses_sources_that_are_not_files(tmp_path: Path, source: str, reason: str) -> None:
    source = source.format(tmp=tmp_path)
    with pytest.raises(SourceError) as caught:
        acquire(source, SETTINGS)
    assert str(caught.value) == f"{source}: {reason}"
    assert caught.value.source == source


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_acquire_refuses_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file$"):
        acquire(str(fifo), SETTINGS)


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "cannot read: Input/output error"),
    ],
)
def test_acquire_refuses_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError, reason: str
) -> None:
    path = _write(tmp_path, "secret.txt", b"Acme said attackers stole data.")

    def failing_open(*args: object, **kwargs: object) -> None:
        raise failure

    # Simulated: the tests may run as root, who can read a file whatever its mode.
    monkeypatch.setattr(acquire_module, "open", failing_open, raising=False)
    with pytest.raises(SourceError) as caught:
        acquire(path, SETTINGS)
    assert str(caught.value) == f"{path}: {reason}"


def test_acquire_expand_sources_walks_directory_recursively_sorted(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "sub/d.htm",
        "sub/c.html",
        "UPPER.TXT",
        "report.pdf",
        ".hidden.txt",
        ".git/objects.txt",
        "sub/deeper/e.txt",
    ]:
        _write(tmp_path, name, b"text")
    found = list(expand_sources([str(tmp_path)], SETTINGS))
    expected = ["UPPER.TXT", "a.md", "b.txt", "sub/c.html", "sub/d.htm", "sub/deeper/e.txt"]
    assert found == sorted(str(tmp_path / name) for name in expected)


def test_acquire_expand_sources_respects_settings_suffixes(tmp_path: Path) -> None:
    for name in ["a.md", "b.txt"]:
        _write(tmp_path, name, b"text")
    assert list(expand_sources([str(tmp_path)], Settings.load(suffixes=[".md"]))) == [str(tmp_path / "a.md")]


def test_acquire_expand_sources_passes_files_and_urls_through_in_order(tmp_path: Path) -> None:
    pdf = _write(tmp_path, "named.pdf", b"%PDF")
    txt = _write(tmp_path, "named.txt", b"text")
    url = "https://example.invalid/a"
    assert list(expand_sources([txt, url, pdf], SETTINGS)) == [txt, url, pdf]


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ([], "no .txt/.md/.html/.htm files"),
        (["scan.pdf", ".hidden.txt"], "no .txt/.md/.html/.htm files"),
    ],
)
def test_acquire_expand_sources_reports_empty_directory(
    tmp_path: Path, files: list[str], reason: str
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    for name in files:
        _write(folder, name, b"x")
    assert list(expand_sources([str(folder)], SETTINGS)) == [SourceFailure(str(folder), reason)]


def test_acquire_expand_sources_reports_missing_path_and_goes_on(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    present = _write(tmp_path, "yes.txt", b"text")
    assert list(expand_sources([missing, present], SETTINGS)) == [
        SourceFailure(missing, "no such file or directory"),
        present,
    ]


def test_acquire_reads_every_clean_fixture(tmp_path: Path) -> None:
    sources = [s for s in expand_sources([str(FIXTURES)], SETTINGS) if isinstance(s, str)]
    assert [Path(s).name for s in sources] == sorted(p.name for p in FIXTURES.iterdir())
    kinds = {Path(s).name: acquire(s, SETTINGS).kind for s in sources}
    assert kinds["page.html"] == "html" and kinds["blog_copy.txt"] == "text"
