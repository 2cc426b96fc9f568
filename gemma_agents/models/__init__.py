"""LangChain chat models for Gemma: :class:`ChatGemma` and how it drives each model.

``ChatGemma`` turns any Gemma model on any runtime into a tool-calling LangChain chat model;
:func:`select_strategy` is the per-model choice between native, prompted and constrained
tool calls, exposed so applications can inspect or override it.
"""

from __future__ import annotations

from .chat_gemma import ChatGemma
from .constrained import format_schema, union_schema
from .fewshot import Shot, select_shots
from .selection import Strategy, family_of_model, select_strategy

__all__ = [
    "ChatGemma",
    "Shot",
    "Strategy",
    "family_of_model",
    "format_schema",
    "select_shots",
    "select_strategy",
    "union_schema",
]
