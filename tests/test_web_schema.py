"""schemathesis against the app's own OpenAPI description, in-process (ASGI): no 5xx, no response that breaks
the described schema, status codes and content types as documented. Examples are capped to keep it under a
minute; URL analysis goes to a canned fetcher, so nothing leaves the process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402 - after the skip guard

from breachlens.errors import FetchError  # noqa: E402
from breachlens.records import RawDocument  # noqa: E402
from breachlens.settings import Settings  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "web_ui"
# Hypothesis examples per API operation: 8 operations x 25 examples run in about 20 s on the 2-core CI machine.
MAX_EXAMPLES = 25


def _no_network(url: str, settings: Settings, **options: Any) -> RawDocument:
    """Every fetch fails as an unreachable host does (the test must not touch the network)."""
    raise FetchError(url, "network disabled in tests")


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The OpenAPI schema of an app over the fixture store, loaded through ASGI, /api operations only."""
    from breachlens.delivery.web import create_app
    from breachlens.ingest.sources import ingest_sources
    from breachlens.store import open_store

    store = open_store(str(tmp_path_factory.mktemp("schema") / "t.db"))
    ingest_sources([str(FIXTURES)], store, Settings.load())
    app = create_app(store, Settings.load(), fetch=_no_network, allowed_hosts=["testserver"])
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # a body over the 1 MB limit is refused with 413 before it is validated: that is a rejection too
    loaded.config.checks.negative_data_rejection.expected_statuses.append("413")
    yield loaded.include(path_regex=r"^/api/")
    store.close()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_web_schema_api_conforms(case: Any) -> None:
    case.call_and_validate()
