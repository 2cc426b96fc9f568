"""Embedded-runtime benchmark: decode speed vs raw llama-cpp-python, KV prefix reuse in a
two-step agent exchange, and ``import gemma_agents`` time next to ``import langgraph``."""
