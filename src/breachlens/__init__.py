"""breachlens: evidence-grounded intelligence from what the world writes about data breaches."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
