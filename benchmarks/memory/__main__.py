"""``python -m benchmarks.memory``."""

import sys

from benchmarks.memory.bench import main

sys.exit(main())
