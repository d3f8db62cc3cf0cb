"""Ways out of the store: the report, the terminal views, the exporters, the web UI and API, and alerts."""
