"""Agent overhead benchmark: our graph vs LangGraph's create_react_agent, same model cost.

Run ``python -m benchmarks.overhead``; see :mod:`benchmarks.overhead.bench`.
"""
