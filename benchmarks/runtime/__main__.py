"""``python -m benchmarks.runtime``."""

import sys

from benchmarks.runtime.bench import main

sys.exit(main())
