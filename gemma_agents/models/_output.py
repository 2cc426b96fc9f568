"""Turn a finished ChatGemma step into LangChain messages and stream chunks.

Kept apart from the model class so the shapes LangChain expects (``usage_metadata``,
``response_metadata``, ``invalid_tool_calls``, ``tool_call_chunks``) are defined in one
place for ``invoke``, ``stream`` and the stream assembler alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

from ..runtime.base import Usage
from ._plan import Outcome

__all__ = ["final_chunk", "outcome_chunks", "response_metadata", "to_ai_message", "usage_metadata"]


def usage_metadata(usage: Usage) -> dict[str, Any]:
    """LangChain ``UsageMetadata`` from our :class:`Usage`."""
    return {
        "input_tokens": usage.prompt_tokens,
        "output_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        "input_token_details": {"cache_read": usage.cached_tokens},
    }


def response_metadata(outcome: Outcome) -> dict[str, Any]:
    """What ChatGemma reports next to every answer (strategy, timings, repairs)."""
    usage = outcome.usage
    strategy = outcome.strategy
    return {
        "model": outcome.model,
        "model_name": outcome.model,
        "dialect": outcome.dialect or (strategy.dialect if strategy else None),
        "mode": strategy.mode if strategy else None,
        "strategy_reason": strategy.reason if strategy else None,
        "done_reason": outcome.done_reason,
        "timings": {
            "prompt_eval_ms": usage.prompt_eval_ms,
            "eval_ms": usage.eval_ms,
            "total_ms": usage.total_ms,
            "tokens_per_s": round(usage.tokens_per_s, 2),
        },
        "cached_tokens": usage.cached_tokens,
        "repairs": [r.as_dict() for r in outcome.repairs],
    }


def to_ai_message(outcome: Outcome) -> AIMessage:
    """The ``AIMessage`` for a finished step."""
    extra: dict[str, Any] = {}
    if outcome.thinking:
        extra["reasoning_content"] = outcome.thinking
    return AIMessage(
        content=outcome.text,
        tool_calls=[call.to_langchain() for call in outcome.calls],
        invalid_tool_calls=outcome.invalid,  # type: ignore[arg-type]
        usage_metadata=usage_metadata(outcome.usage),  # type: ignore[arg-type]
        response_metadata=response_metadata(outcome),
        additional_kwargs=extra,
    )


def outcome_chunks(outcome: Outcome) -> Iterator[AIMessageChunk]:
    """A finished step as stream chunks (constrained mode decides before showing text)."""
    if outcome.text:
        yield AIMessageChunk(content=outcome.text)
    for index, call in enumerate(outcome.calls):
        yield AIMessageChunk(
            content="",
            tool_call_chunks=[
                {
                    "type": "tool_call_chunk",
                    "name": call.name,
                    "args": json.dumps(call.arguments, ensure_ascii=False),
                    "id": call.id,
                    "index": index,
                }
            ],
        )
    yield final_chunk(outcome, len(outcome.calls))


def final_chunk(outcome: Outcome, next_index: int, text: str = "") -> AIMessageChunk:
    """The last chunk: invalid calls, usage and metadata.

    LangChain re-parses streamed ``tool_call_chunks`` when merging, so an invalid call is
    sent with ``args`` that are deliberately not a JSON object (its error, then its raw
    arguments): the merged message lists it under ``invalid_tool_calls`` and can never
    turn it into a runnable call. The structured errors are in
    ``response_metadata["invalid_tool_calls"]``.
    """
    chunks = [
        {
            "type": "tool_call_chunk",
            "name": entry["name"],
            "args": f"INVALID: {entry['error']} | args: {entry['args']}",
            "id": entry["id"],
            "index": next_index + i,
        }
        for i, entry in enumerate(outcome.invalid)
    ]
    meta = response_metadata(outcome)
    meta["invalid_tool_calls"] = outcome.invalid
    return AIMessageChunk(
        content=text,
        tool_call_chunks=chunks,  # type: ignore[arg-type]
        usage_metadata=usage_metadata(outcome.usage),  # type: ignore[arg-type]
        response_metadata=meta,
        chunk_position="last",
    )
