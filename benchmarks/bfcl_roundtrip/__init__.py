"""BFCL round-trip benchmark: dialect render/parse fidelity and schema conversion coverage.

Run ``python -m benchmarks.bfcl_roundtrip``; the BFCL data (``bfcl-eval`` on PyPI,
Apache-2.0) is downloaded into ``gemma_agents.config.cache_dir()/bench`` on first use.
"""
