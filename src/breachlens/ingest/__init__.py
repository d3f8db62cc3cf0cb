"""Every way in: files, URLs, feeds, web archives and the watch loop, into the store (`sources.ingest_sources`).

Imports nothing itself, so that `pipeline` can use `acquire` (stage 1) without loading the fetcher or the
store.
"""
