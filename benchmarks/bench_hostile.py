"""`breachlens bench --hostile`: seconds and peak memory of analysing each hostile document (hostile.py).

Each document is analysed in a fresh process (`breachlens analyze FILE --format json`, the path a user takes),
so its peak RSS is its own: the figure includes the Python interpreter and the spaCy model (about 250 MB), as
a user's process would. The seconds are the analysis only (model loading excluded). A document that overruns
the per-document deadline shows as its one error line; a process that does not finish within `timeout_s`
is killed and reported as such.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .hostile import KINDS, write_corpus

# A process still running after this many seconds is killed (the budget is 10 s; this only bounds the bench).
BENCH_TIMEOUT_S = 300

_CHILD = r"""
import json, resource, sys, time
from breachlens.analysis.nlp import load_nlp
from breachlens.pipeline import analyze
from breachlens.settings import Settings
settings = Settings.load(sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None)
load_nlp(settings.nlp.model)
from breachlens.analysis.enrich import _actor_index
_actor_index()
start = time.perf_counter()
result = analyze([sys.argv[1]], settings)
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": round(seconds, 2),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    "documents": len(result.documents),
    "error": result.failures[0].reason if result.failures else None,
}))
"""


@dataclass
class HostileRow:
    """One hostile kind's figures."""

    kind: str
    bytes: int
    seconds: float | None
    peak_rss_mb: float | None
    outcome: str

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable row."""
        return {
            "kind": self.kind, "bytes": self.bytes, "seconds": self.seconds, "peak_rss_mb": self.peak_rss_mb,
            "outcome": self.outcome,
        }


def _run_one(path: Path, config: str | None, timeout_s: float) -> tuple[float | None, float | None, str]:
    """Analyse one file in a child process: (seconds, peak RSS MB, outcome)."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), config or ""], capture_output=True, text=True,
            timeout=timeout_s, env=env, check=False,
        )
    except subprocess.TimeoutExpired:
        return round(time.perf_counter() - started, 1), None, f"killed after {timeout_s:.0f} s"
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return None, None, f"crashed (exit {proc.returncode}): {tail[:120]}"
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    if figures["error"]:
        outcome = "error line: " + figures["error"][:100]
    else:
        outcome = f"analysed ({figures['documents']} document)"
    return figures["seconds"], figures["peak_rss_mb"], outcome


def bench_hostile(
    scale: float = 1.0, kinds: list[str] | None = None, config: str | None = None,
    timeout_s: float = BENCH_TIMEOUT_S,
) -> list[HostileRow]:
    """Figures per hostile kind at `scale` (1.0 = full size)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="breachlens-hostile-") as tmp:
        for path in write_corpus(tmp, scale, kinds):
            seconds, rss, outcome = _run_one(path, config, timeout_s)
            rows.append(HostileRow(path.stem, path.stat().st_size, seconds, rss, outcome))
            path.unlink()
    return rows


def _tree_peaks(root: int, peaks: dict[int, tuple[str, float]]) -> None:
    """Record the peak RSS (VmHWM, MB) of `root` and its descendants now, by pid, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                names[int(entry)] = fh.read().replace(b"\0", b" ").decode(errors="replace")[:80]
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        mb = int(line.split()[1]) / 1024
                        if mb > peaks.get(pid, ("", 0.0))[1]:
                            peaks[pid] = (names.get(pid, "?"), mb)
        except OSError:
            continue


def bench_hostile_ingest(scale: float = 1.0, workers: int = 2, timeout_s: float = 1800) -> dict[str, Any]:
    """Ingest the whole hostile corpus with `workers` pool workers; seconds, and peak RSS of each process.

    The main process and every pool worker are sampled from /proc every 0.2 s (Linux only).
    """
    with tempfile.TemporaryDirectory(prefix="breachlens-hostile-ingest-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, scale)
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cmd = [sys.executable, "-m", "breachlens", "ingest", str(corpus), "--db", str(Path(tmp) / "h.db"),
               "--workers", str(workers), "-q"]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        peaks: dict[int, tuple[str, float]] = {}
        while proc.poll() is None and time.perf_counter() - started < timeout_s:
            _tree_peaks(proc.pid, peaks)
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
        seconds = time.perf_counter() - started
    main = peaks.pop(proc.pid, ("", 0.0))[1]
    workers_mb = sorted((round(mb, 1) for name, mb in peaks.values() if "forkserver" not in name or mb > 200),
                        reverse=True)
    return {
        "workers": workers, "seconds": round(seconds, 1), "exit": proc.returncode,
        "main_peak_rss_mb": round(main, 1), "worker_peak_rss_mb": workers_mb[: max(workers, 1) * 4],
        "error_lines": sum(1 for line in err.splitlines() if line.startswith("error:")),
    }


def format_table(rows: list[HostileRow]) -> str:
    """A plain-text table, worst seconds and worst RSS at the end."""
    lines = [f"{'kind':<22} {'bytes':>10} {'seconds':>8} {'peak RSS MB':>12}  outcome"]
    for r in rows:
        sec = "-" if r.seconds is None else f"{r.seconds:.2f}"
        rss = "-" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}"
        lines.append(f"{r.kind:<22} {r.bytes:>10,} {sec:>8} {rss:>12}  {r.outcome}")
    timed = [r.seconds for r in rows if r.seconds is not None]
    mem = [r.peak_rss_mb for r in rows if r.peak_rss_mb is not None]
    if timed and mem:
        lines.append(f"worst: {max(timed):.2f} s, {max(mem):.0f} MB peak RSS")
    return "\n".join(lines)


__all__ = ["HostileRow", "bench_hostile", "bench_hostile_ingest", "format_table", "KINDS"]
