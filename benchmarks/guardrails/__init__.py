"""Guardrail evaluation benchmark: ``python -m benchmarks.guardrails``."""
