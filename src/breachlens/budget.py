"""Deadlines: a stage that runs over its time budget is stopped and becomes one error line (issue 13).

    with deadline(settings.nlp.document_seconds, source):
        ...                                   # raises DeadlineExceeded (a SourceError) on overrun

In a process's main thread (the CLI, a pool worker, serve's analysis process) the deadline is a real-time
interval timer (SIGALRM) whose handler raises in the running code, so a stage stuck in Python code (a parser,
spaCy's layers) is interrupted. Elsewhere (a thread: a Dask worker, a test client) signals cannot be used; the
elapsed time is checked when the block ends, so an overrun still becomes the document's error line. Either way
the budget is wall-clock time.

`Clock` is a total deadline for a network exchange made of many reads (fetch, webhook, SMTP): each read gets
what is left of the total, so a sender trickling one byte every two seconds cannot hold a run for minutes.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import SourceError

__all__ = ["Clock", "DeadlineExceeded", "SocketWatchdog", "deadline"]


class DeadlineExceeded(SourceError):
    """A document's analysis (or a source's exchange) ran past its time budget."""

    def __init__(self, source: str, seconds: float, what: str = "analysis") -> None:
        super().__init__(source, f"{what} stopped at its {seconds:g} s deadline")
        self.seconds = seconds


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(
    seconds: float, source: str = "<document>", what: str = "analysis", total: float | None = None,
) -> Iterator[None]:
    """Run the block within `seconds` of wall-clock time (0 or less: no limit), else raise DeadlineExceeded.

    `total` is the budget the error names when `seconds` is what is left of it. An outer deadline already
    running in this thread is kept: the inner one cannot extend it.
    """
    if seconds is None or seconds <= 0:
        yield
        return
    started = time.monotonic()
    if not _signals_usable():
        yield
        if time.monotonic() - started > seconds:
            raise DeadlineExceeded(source, total or seconds, what)
        return
    fired = False

    def on_alarm(signum: int, frame: Any) -> None:
        nonlocal fired
        if not fired:
            fired = True
            raise _Alarm()

    outer_left, _interval = signal.getitimer(signal.ITIMER_REAL)
    previous = signal.signal(signal.SIGALRM, on_alarm)
    budget = seconds if outer_left <= 0 else min(seconds, outer_left)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Alarm:
        raise DeadlineExceeded(source, total or seconds, what) from None
    finally:
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:
            # give the outer deadline what it had left, less the time spent here (at least a tick)
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, outer_left - (time.monotonic() - started)))
    if fired:
        # the alarm was swallowed by the code it interrupted (a library's `except BaseException`)
        raise DeadlineExceeded(source, total or seconds, what)


class _Alarm(BaseException):
    """Raised by the timer signal: a BaseException, so that a library's `except Exception` (trafilatura has
    many) cannot swallow it; `deadline` turns it into DeadlineExceeded when it leaves the block."""


class Clock:
    """A total time budget for a sequence of blocking reads: `left()` before each, `check()` after."""

    def __init__(self, seconds: float, source: str = "<source>", what: str = "transfer") -> None:
        self.seconds = seconds
        self.source = source
        self.what = what
        self.started = time.monotonic()

    def left(self) -> float:
        """Seconds left (at least a millisecond, so it can be used as a socket timeout); raises when none."""
        remaining = self.seconds - (time.monotonic() - self.started)
        if remaining <= 0:
            raise DeadlineExceeded(self.source, self.seconds, self.what)
        return max(remaining, 1e-3)

    def check(self) -> None:
        """Raise DeadlineExceeded when the budget is spent."""
        self.left()

    @property
    def expired(self) -> bool:
        """Whether the budget is spent."""
        return time.monotonic() - self.started > self.seconds


def _shutdown(sock: Any) -> None:
    """Shut a socket down both ways (wakes a read blocked on it in any thread); errors ignored."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError, ValueError):
        pass


class SocketWatchdog:
    """A total deadline for an exchange over sockets, enforced from a timer thread.

    Sockets are `add`ed as they are opened; when `seconds` pass, each is shut down, which ends a read blocked
    in any thread (a receiver that answers one byte at a time, an SMTP greeting that trickles). `expired` says
    whether that happened, so the caller can name the deadline in its error.

        with SocketWatchdog(30) as dog:
            dog.add(sock); ...
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, sock: Any) -> None:
        """Watch a socket (shut down at once when the deadline has already passed)."""
        with self._lock:
            self._sockets.append(sock)
            late = self.expired
        if late:
            _shutdown(sock)

    def watch(self, get_socket: Any) -> None:
        """Watch whatever socket `get_socket()` returns when the deadline passes (for objects that open theirs
        later, like smtplib.SMTP)."""
        self._sockets.append(_Lazy(get_socket))

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock.get() if isinstance(sock, _Lazy) else sock)

    def __enter__(self) -> SocketWatchdog:
        if self.seconds and self.seconds > 0:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _Lazy:
    """A socket looked up when needed."""

    def __init__(self, get: Any) -> None:
        self._get = get

    def get(self) -> Any:
        try:
            return self._get()
        except Exception:  # noqa: BLE001 - nothing to shut down
            return None
