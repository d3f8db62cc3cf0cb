"""Quality gate: score breachlens on the seed corpus against the floors pinned in floors.json.

    python tests/gate/gate.py                      # analyse ../shared/seeds, then score
    python tests/gate/gate.py --analysis out.json  # score an analysis JSON made elsewhere
    python tests/gate/gate.py --print-hash         # the current corpus hash (to pin after revisiting floors)

The floors only mean something for the corpus they were measured on, so floors.json pins the sha256 of the seed
corpus: when the seeds or their gold labels change the gate says so loudly and fails until the floors are
revisited and the new hash is committed with them. shared/ is the sibling of the repository root, or
$BREACHLENS_SHARED. Exit status: 0 all floors met, 1 a floor missed or the corpus changed, 2 the gate could not run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOORS = HERE / "floors.json"


def shared_dir() -> Path:
    """The shared/ folder: $BREACHLENS_SHARED, else the sibling of the repository root."""
    override = os.environ.get("BREACHLENS_SHARED")
    return Path(override) if override else Path(__file__).resolve().parents[2].parent / "shared"


def corpus_files(seeds: Path) -> list[Path]:
    """The files whose bytes define the corpus: the seed articles and the gold labels, sorted by name."""
    return sorted([*seeds.glob("*.txt"), seeds / "gold.jsonl"], key=lambda p: p.name)


def corpus_sha256(seeds: Path) -> str:
    """sha256 over, for each corpus file in name order: name, NUL, bytes, NUL."""
    digest = hashlib.sha256()
    for path in corpus_files(seeds):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def bound_args(floors: dict) -> list[str]:
    """score.py --min/--max options from the floors file."""
    args: list[str] = []
    for op in ("min", "max"):
        for name, value in sorted(floors.get(op, {}).items()):
            args += [f"--{op}", f"{name}={value}"]
    return args


def run_analysis(seeds: Path, out: Path) -> None:
    """`breachlens analyze` over the seed articles into `out` (JSON)."""
    articles = [str(p) for p in sorted(seeds.glob("*.txt"))]
    cmd = [sys.executable, "-m", "breachlens", "analyze", *articles, "--format", "json", "--quiet", "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"gate: breachlens analyze failed (exit {proc.returncode})")


def main(argv: list[str] | None = None) -> int:
    """Run the gate; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--analysis", type=Path, help="score this analysis JSON instead of running breachlens analyze")
    ap.add_argument("--print-hash", action="store_true", help="print the current corpus sha256 and exit")
    args = ap.parse_args(argv)

    shared = shared_dir()
    seeds, score = shared / "seeds", shared / "tools" / "score.py"
    if not (seeds / "gold.jsonl").is_file() or not score.is_file():
        print(f"gate: cannot find seeds/gold.jsonl and tools/score.py under {shared} (set BREACHLENS_SHARED)", file=sys.stderr)
        return 2
    current = corpus_sha256(seeds)
    if args.print_hash:
        print(current)
        return 0
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory() as tmp:
        analysis = args.analysis
        if analysis is None:
            analysis = Path(tmp) / "analysis.json"
            run_analysis(seeds, analysis)
        cmd = [sys.executable, str(score), "--gold", str(seeds / "gold.jsonl"), "--docs", str(seeds), str(analysis)]
        proc = subprocess.run(cmd + bound_args(floors), text=True)

    status = 0 if proc.returncode == 0 else 1
    pinned = floors.get("corpus", {}).get("sha256")
    if current != pinned:
        bar = "!" * 78
        print(
            f"\n{bar}\ngate: THE SEED CORPUS CHANGED since the floors were pinned.\n"
            f"  pinned  {pinned}\n  current {current}\n"
            "  Revisit every floor in tests/gate/floors.json against the new corpus, then commit the new hash\n"
            f"  (python tests/gate/gate.py --print-hash) together with the floors.\n{bar}",
            file=sys.stderr,
        )
        status = 1
    print("gate: PASS" if status == 0 else "gate: FAIL", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
