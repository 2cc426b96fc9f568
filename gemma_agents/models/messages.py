"""Convert LangChain messages into runtime messages written in a call dialect.

LangChain keeps tool calls and results as structured data; a Gemma model without native
tools only understands them as text in the format it was prompted with. This module is the
one place that decides how a conversation looks to the model: where the tool declarations go
(first user turn for Gemma 3, developer turn for FunctionGemma, system turn for Gemma 4), how
past calls are replayed (``render_calls``) and how results come back (``render_tool_result``
in the dialect's result role, consecutive results merged into one turn).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from ..calls import Dialect, render_calls, render_tool_result
from ..calls._types import ToolCall
from ..exceptions import ConfigError, UnsupportedFeature
from ..runtime.base import Message

__all__ = [
    "CONTEXT_NOTE",
    "content_text",
    "extract_images",
    "is_context_note",
    "to_runtime_messages",
    "tool_name_for",
]


def content_text(content: Any) -> str:
    """The text of a LangChain message content (a string or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type") == "text":
                texts.append(str(part.get("text", "")))
        return "\n".join(t for t in texts if t)
    return "" if content is None else str(content)


def extract_images(content: Any) -> list[str]:
    """Base64 image payloads from content parts (``image_url`` data URLs, base64 blocks).

    Remote URLs are refused rather than fetched: the library never downloads on behalf of a
    prompt (server-side request forgery, and no network in many deployments).

    Raises:
        UnsupportedFeature: An image is given as a remote URL.
        ConfigError: A data URL or base64 payload is malformed.
    """
    if not isinstance(content, list):
        return []
    images: list[str] = []
    for part in content:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        data: str | None = None
        if kind == "image_url":
            url = part.get("image_url")
            url = url.get("url") if isinstance(url, dict) else url
            data = _from_url(str(url or ""))
        elif kind == "image":
            if part.get("base64") or part.get("data"):
                data = str(part.get("base64") or part.get("data"))
            elif part.get("url"):
                data = _from_url(str(part["url"]))
        if data is not None:
            images.append(_check_base64(data))
    return images


def _from_url(url: str) -> str:
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        if ";base64" not in header or not payload:
            raise ConfigError(
                "image data URL is not base64-encoded",
                hint="use data:image/png;base64,<payload>",
            )
        return payload
    raise UnsupportedFeature(
        f"remote image URLs are not fetched ({url[:60]!r})",
        hint="download the image yourself and pass it as a base64 data URL",
    )


def _check_base64(data: str) -> str:
    try:
        base64.b64decode(data, validate=True)
    except (ValueError, TypeError):
        raise ConfigError(
            "image payload is not valid base64", hint="encode the image bytes with base64"
        ) from None
    return data


def tool_name_for(message: ToolMessage, names_by_id: dict[str, str]) -> str:
    """The name of the tool a ``ToolMessage`` answers (from its ``name`` or its call id)."""
    return message.name or names_by_id.get(message.tool_call_id, "") or "tool"


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    text = content_text(content)
    return text if text else json.dumps(content, ensure_ascii=False, default=str)


def _calls_of(message: AIMessage) -> list[ToolCall]:
    return [
        ToolCall(name=c["name"], arguments=dict(c.get("args") or {}), id=c.get("id") or "")
        for c in message.tool_calls
    ]


#: ``name`` of a user message that is a per-step note from the caller (the agent's step
#: budget, a loop hint) rather than a request: it joins the newest user turn in text
#: dialects and is left out of constrained transcripts.
CONTEXT_NOTE = "context_note"


def is_context_note(message: BaseMessage) -> bool:
    return isinstance(message, HumanMessage) and message.name == CONTEXT_NOTE


def to_runtime_messages(
    messages: Sequence[BaseMessage],
    dialect: Dialect | None,
    *,
    tools_prompt: str | None = None,
) -> list[Message]:
    """Convert a LangChain conversation for the runtime.

    Args:
        messages: The conversation.
        dialect: The text dialect, or ``None`` for native tool calling (calls and results
            stay structured: ``Message.tool_calls`` and ``tool`` messages).
        tools_prompt: The rendered tool declarations; placed in the dialect's system role,
            or at the top of the first user turn when the model has no system turn.

    Raises:
        ConfigError: A message type the model cannot take.
    """
    names_by_id: dict[str, str] = {}
    out: list[Message] = []
    system_parts: list[str] = []
    for msg in messages:
        if isinstance(msg, SystemMessage) or (
            isinstance(msg, ChatMessage) and msg.role in ("system", "developer")
        ):
            system_parts.append(content_text(msg.content))
        elif isinstance(msg, HumanMessage) or (isinstance(msg, ChatMessage) and msg.role == "user"):
            text = content_text(msg.content)
            images: list[bytes | str] = list(extract_images(msg.content))
            if dialect is not None and out and out[-1].role == "user":
                # Gemma's turns must alternate: a user note after a user turn (or after
                # tool results fed back as a user turn) joins that turn.
                out[-1].content = f"{out[-1].content}\n\n{text}" if out[-1].content else text
                out[-1].images.extend(images)
            else:
                out.append(Message("user", text, images=images))
        elif isinstance(msg, AIMessage):
            calls = _calls_of(msg)
            for call in calls:
                names_by_id[call.id] = call.name
            text = content_text(msg.content).strip()
            if dialect is None:
                out.append(Message("assistant", text, tool_calls=calls))
            elif calls:
                rendered = render_calls(calls, dialect)
                out.append(Message("assistant", f"{text}\n{rendered}" if text else rendered))
            else:
                out.append(Message("assistant", text))
        elif isinstance(msg, ToolMessage):
            name = tool_name_for(msg, names_by_id)
            result = _result_text(msg.content)
            if dialect is None:
                out.append(Message("tool", result, tool_name=name, tool_call_id=msg.tool_call_id))
                continue
            rendered = render_tool_result(name, result, dialect, call_id=msg.tool_call_id)
            role = dialect.result_role
            if role == "user" and out and out[-1].role == "user" and out[-1].tool_name:
                out[-1].content += "\n" + rendered  # consecutive results: one user turn
            else:
                out.append(
                    Message(
                        "tool" if role != "user" else "user",
                        rendered,
                        tool_name=name,
                        tool_call_id=msg.tool_call_id,
                    )
                )
        else:
            raise ConfigError(
                f"ChatGemma cannot send a {type(msg).__name__} to the model",
                hint="use SystemMessage, HumanMessage, AIMessage or ToolMessage",
            )
    return _place_system(out, system_parts, dialect, tools_prompt)


def _place_system(
    out: list[Message],
    system_parts: list[str],
    dialect: Dialect | None,
    tools_prompt: str | None,
) -> list[Message]:
    head = "\n\n".join(p for p in [tools_prompt or "", *system_parts] if p.strip())
    if not head:
        return out
    role = "system" if dialect is None else dialect.system_role
    if role is None:
        # No system turn (Gemma 3): the text goes at the top of the first user turn, which
        # also keeps Ollama's and llama.cpp's renderings of the conversation identical.
        for msg in out:
            if msg.role == "user" and not msg.tool_name:
                msg.content = f"{head}\n\n{msg.content}" if msg.content else head
                return out
        return [Message("user", head), *out]
    return [Message(role, head), *out]  # type: ignore[arg-type]
