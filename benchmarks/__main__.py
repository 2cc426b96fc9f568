"""Dispatcher: ``python -m benchmarks all|list|<name> [args...]``.

Each benchmark runs in its own interpreter (``python -m benchmarks.<name>``) so one
benchmark's loaded models, threads and imports cannot skew the next one's numbers.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def available() -> list[str]:
    """Benchmark names: subpackages that have a ``__main__.py``."""
    return sorted(p.parent.name for p in ROOT.glob("*/__main__.py"))


def _run(name: str, args: list[str]) -> int:
    started = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", f"benchmarks.{name}", *args], cwd=ROOT.parent)
    print(f"[benchmarks.{name}: exit {code}, {time.perf_counter() - started:.1f}s]", flush=True)
    return code


def main(argv: list[str]) -> int:
    names = available()
    usage = f"usage: python -m benchmarks all|list|<name> [args...]\nbenchmarks: {', '.join(names)}"
    if not argv or argv[0] in ("-h", "--help"):
        print(usage)
        return 0 if argv else 2
    target, rest = argv[0], argv[1:]
    if target == "list":
        print("\n".join(names))
        return 0
    if target == "all":
        if rest:
            print(
                "`all` runs every benchmark with its defaults; it takes no arguments",
                file=sys.stderr,
            )
            return 2
        failed = [n for n in names if _run(n, []) != 0]
        if failed:
            print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1 if failed else 0
    if target not in names:
        print(f"unknown benchmark {target!r}\n{usage}", file=sys.stderr)
        return 2
    return _run(target, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
