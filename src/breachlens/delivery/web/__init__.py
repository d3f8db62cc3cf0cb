"""The web UI and REST API over the store (FastAPI, Jinja2 with autoescape, strict CSP).

`create_app(store, settings)` builds the ASGI app; `serve()` runs it on 127.0.0.1 with uvicorn.
"""

from __future__ import annotations

from .app import create_app, serve

__all__ = ["create_app", "serve"]
