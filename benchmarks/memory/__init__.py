"""Long-term memory benchmark: store scale and retrieval quality (see bench.py)."""
