"""Shared pytest fixtures (only fixtures here; tests live in test_<module>.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def nlp() -> Any:
    """The real installed spaCy pipeline of the default settings, loaded once per test session."""
    from breachlens.analysis.nlp import load_nlp
    from breachlens.settings import Settings

    return load_nlp(Settings().nlp.model)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """tests/fixtures: canned articles and pages written for these tests."""
    return Path(__file__).parent / "fixtures"
