"""`with` support for objects that hold a resource until `close()` (stores, executors, the fetcher).

Each of them wrote the same `__enter__`/`__exit__` pair; one base class keeps them alike.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Closing(ABC):
    """Use as `with thing:`; the thing is closed on the way out, whatever happened."""

    @abstractmethod
    def close(self) -> None:
        """Release what the object holds; safe to call twice."""

    def __enter__(self) -> Self:
        """The object itself."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close on the way out, whatever happened."""
        self.close()
