"""``python -m benchmarks.overhead``."""

from benchmarks.overhead.bench import main

main()
