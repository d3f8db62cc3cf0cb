"""Fetch-and-analyse throughput from a local server, and peak memory reading a 5,000-item feed (issue 5 figures).

    .venv/bin/python benchmarks/bench_fetch.py [--pages 300] [--items 5000]

A local http.server on 127.0.0.1 serves N distinct breach pages and an RSS feed of M items; we report pages/s for
`breachlens ingest --feed` (fetch, clean, analyse, store) and the peak Python heap while parsing and deduplicating
the big feed. The per-host politeness delay is set to 0 here: it would otherwise measure the delay.
"""

from __future__ import annotations

import argparse
import http.server
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from breachlens.ingest.feeds import parse_feed
from breachlens.ingest.sources import ingest_sources
from breachlens.settings import Settings
from breachlens.store import open_store

PAGE = (
    "<html><head><title>Breach at Company {i}</title></head><body><article><h1>Company {i} discloses breach</h1>"
    "<p>Company {i} Holdings said on 3 March 2025 that hackers stole the names and email addresses of {n:,} "
    "customers from its online shop. No payment card details were taken.</p>"
    "<p>The company has notified the police and is writing to affected customers.</p></article></body></html>"
)


def _feed(base: str, count: int) -> bytes:
    items = "".join(f"<item><title>Story {i}</title><link>{base}/p/{i}</link></item>" for i in range(count))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--items", type=int, default=5000)
    args = ap.parse_args()
    routes: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = routes.get(self.path)
            if self.path == "/robots.txt":
                body = b"User-agent: *\nDisallow:\n"
            if body is None and self.path.startswith("/p/"):
                i = int(self.path[3:])
                body = PAGE.format(i=i, n=1000 + i).encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/rss+xml" if self.path.endswith(".xml") else "text/html")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *a: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        routes["/small.xml"] = _feed(base, args.pages)
        big = _feed(base, args.items)
        tracemalloc.start()
        items = parse_feed(big, base + "/big.xml")
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"feed of {len(items)} items ({len(big) / 1e6:.1f} MB): parse peak heap {peak:.1f} MB")
        with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "b.db")) as store:
            settings = Settings.load(allow_private=True)
            start = time.perf_counter()
            summary = ingest_sources((), store, settings, feeds=[base + "/small.xml"], min_interval=0.0)
            elapsed = time.perf_counter() - start
            rate = summary.new / elapsed
            print(f"{summary.new} pages fetched, analysed and stored in {elapsed:.1f} s: {rate:.1f} pages/s")
            start = time.perf_counter()
            again = ingest_sources((), store, settings, feeds=[base + "/small.xml"], min_interval=0.0)
            print(f"second run: {again.new} new, {again.as_dict().get('unchanged', 0)} unchanged, "
                  f"{time.perf_counter() - start:.2f} s")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
