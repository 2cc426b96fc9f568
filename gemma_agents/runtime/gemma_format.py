"""Gemma chat-turn rendering for raw-prompt backends (the embedded llama.cpp runtime).

The packaged 270M GGUF carries no chat template, and llama.cpp's raw completion needs the
exact prompt text, so the turn format lives here as pure functions of the message list.

Families:

* ``gemma3`` / ``gemma3n``: ``<start_of_turn>user\\n...<end_of_turn>\\n``; only ``user`` and
  ``model`` roles. System and developer text fold into the user turn they precede (so the
  first system message lands at the top of the first user turn, as in Google's template);
  ``tool`` messages become user turns holding a ```` ```tool_output ```` block.
* ``functiongemma``: the same turns plus a ``developer`` role (system text goes there: the
  developer turn is what switches function calling on). A tool result continues the
  *model* turn that made the call (``<start_function_call>...<end_function_call>
  <start_function_response>...<end_function_response>`` then the answer), as Google's
  FunctionGemma transcripts show.
* ``gemma4``: ``<|turn>system|user|model\\n...<turn|>\\n``; tool results also continue the
  model turn (``<|tool_call>...<tool_call|><|tool_response>...<tool_response|>``).

Consecutive messages that land in the same turn are merged (``\\n\\n`` between texts, no
separator next to tool markup). A conversation that ends inside a model turn (a trailing
assistant message, or a tool result in the families above) is *continued*: no new turn is
opened, like Ollama's prefill.

Prefix stability: appending messages that open a new turn never changes the text already
rendered, so ``render_messages(msgs[:n])`` is a prefix of ``render_messages(msgs[:n+k])``
whenever ``msgs[n]`` starts a new turn; in particular after each model call (the next
conversation adds the model's answer). llama.cpp then reuses the KV cache for the whole
earlier prompt. ``<bos>`` is never rendered by default: llama.cpp adds it while tokenizing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ..calls import render_calls
from ..exceptions import ConfigError
from .base import Message

__all__ = [
    "BOS",
    "FAMILIES",
    "Family",
    "TurnFormat",
    "render_messages",
    "split_bos",
    "stop_sequences",
    "turn_format",
]

Family = Literal["gemma3", "gemma3n", "functiongemma", "gemma4"]
FAMILIES: tuple[str, ...] = ("gemma3", "gemma3n", "functiongemma", "gemma4")
BOS = "<bos>"


@dataclass(frozen=True)
class TurnFormat:
    """The turn markup and conventions of one Gemma family.

    Attributes:
        family: Family name.
        turn_start: Token opening a turn (followed by the role and a newline).
        turn_end: Token closing a turn (followed by a newline).
        system_role: Role that system/developer text is rendered in; ``None`` folds it
            into the next user turn.
        tool_in_model_turn: Tool results continue the model turn instead of opening a user
            turn.
        result_open: Markup opening a tool result in this family.
        result_close: Markup closing it.
        string_delim: Delimiter of string values in the family's call syntax.
        call_open: Markup opening a function call.
        call_close: Markup closing it.
        stop: Stop sequences that end a model turn.
    """

    family: str
    turn_start: str
    turn_end: str
    system_role: str | None
    tool_in_model_turn: bool
    result_open: str
    result_close: str
    string_delim: str
    call_open: str
    call_close: str
    stop: tuple[str, ...]

    def open(self, role: str) -> str:
        """Markup that opens a turn of ``role``."""
        return f"{self.turn_start}{role}\n"

    @property
    def close(self) -> str:
        """Markup that closes a turn."""
        return f"{self.turn_end}\n"

    @property
    def generation_prompt(self) -> str:
        """Markup that asks the model for its turn."""
        return self.open("model")


_GEMMA3 = TurnFormat(
    family="gemma3",
    turn_start="<start_of_turn>",
    turn_end="<end_of_turn>",
    system_role=None,
    tool_in_model_turn=False,
    result_open="```tool_output\n",
    result_close="\n```",
    string_delim='"',
    call_open="```tool_code\n",
    call_close="\n```",
    stop=("<end_of_turn>", "<start_of_turn>"),
)

_FORMATS: dict[str, TurnFormat] = {
    "gemma3": _GEMMA3,
    "gemma3n": replace(_GEMMA3, family="gemma3n"),
    "functiongemma": TurnFormat(
        family="functiongemma",
        turn_start="<start_of_turn>",
        turn_end="<end_of_turn>",
        system_role="developer",
        tool_in_model_turn=True,
        result_open="<start_function_response>",
        result_close="<end_function_response>",
        string_delim="<escape>",
        call_open="<start_function_call>",
        call_close="<end_function_call>",
        stop=("<end_of_turn>", "<start_of_turn>", "<start_function_response>"),
    ),
    "gemma4": TurnFormat(
        family="gemma4",
        turn_start="<|turn>",
        turn_end="<turn|>",
        system_role="system",
        tool_in_model_turn=True,
        result_open="<|tool_response>",
        result_close="<tool_response|>",
        string_delim='<|"|>',
        call_open="<|tool_call>",
        call_close="<tool_call|>",
        stop=("<turn|>", "<|turn>", "<|tool_response>"),
    ),
}


def turn_format(family: str | None = None) -> TurnFormat:
    """Return the :class:`TurnFormat` of ``family`` (``None`` means ``gemma3``).

    Raises:
        ConfigError: The family is not one of :data:`FAMILIES`.
    """
    key = (family or "gemma3").lower()
    try:
        return _FORMATS[key]
    except KeyError:
        raise ConfigError(
            f"unknown Gemma family {family!r} for turn formatting",
            hint=f"use one of: {', '.join(FAMILIES)}",
        ) from None


def stop_sequences(family: str | None = None) -> tuple[str, ...]:
    """Stop sequences that end the model's turn in ``family``."""
    return turn_format(family).stop


def split_bos(prompt: str) -> tuple[str, bool]:
    """Remove a leading ``<bos>`` so the tokenizer adds exactly one.

    Returns:
        The prompt without the leading ``<bos>`` and whether one was there.
    """
    if prompt.startswith(BOS):
        return prompt[len(BOS) :], True
    return prompt, False


# --- fallback renderings for messages the dialect layer did not pre-render ----------------


def _render_calls(msg: Message, fmt: TurnFormat) -> str:
    """Render an assistant message's native ``tool_calls`` when it has no text.

    The dialect layer normally renders calls into ``content``; this keeps a conversation
    built from native calls (e.g. replayed from Ollama) representable in every family.
    """
    if fmt.tool_in_model_turn:  # FunctionGemma / Gemma 4: the family's own call dialect
        return render_calls(msg.tool_calls, fmt.family)
    calls = ", ".join(
        c.name + "(" + ", ".join(f"{k}={json.dumps(v)}" for k, v in c.arguments.items()) + ")"
        for c in msg.tool_calls
    )
    return f"{fmt.call_open}[{calls}]{fmt.call_close}"


def _render_tool(msg: Message, fmt: TurnFormat) -> str:
    """Render a ``tool`` message, unless the dialect already wrapped it in result markup."""
    content = msg.content.strip()
    if content.startswith(fmt.result_open.strip()):
        return content
    if fmt.tool_in_model_turn:
        name = msg.tool_name or "tool"
        return (
            f"{fmt.result_open}response:{name}"
            f"{{value:{fmt.string_delim}{content}{fmt.string_delim}}}{fmt.result_close}"
        )
    return f"{fmt.result_open}{content}{fmt.result_close}"


# --- rendering --------------------------------------------------------------------------


@dataclass
class _Part:
    text: str
    markup: bool  # tool markup: joined without a separator


@dataclass
class _Turn:
    role: str
    parts: list[_Part]

    def text(self) -> str:
        out = ""
        for i, part in enumerate(self.parts):
            if i and not (part.markup or self.parts[i - 1].markup):
                out += "\n\n"
            out += part.text
        return out


def _role_and_part(msg: Message, fmt: TurnFormat) -> tuple[str, _Part]:
    role = msg.role
    if role in ("system", "developer"):
        return fmt.system_role or "user", _Part(msg.content.strip(), False)
    if role == "user":
        return "user", _Part(msg.content.strip(), False)
    if role == "assistant":
        text = msg.content.strip()
        if not text and msg.tool_calls:
            return "model", _Part(_render_calls(msg, fmt), fmt.tool_in_model_turn)
        if msg.tool_calls and fmt.tool_in_model_turn and fmt.call_open not in text:
            return "model", _Part(text + _render_calls(msg, fmt), True)
        return "model", _Part(text, fmt.tool_in_model_turn and text.endswith(fmt.call_close))
    if role == "tool":
        return ("model" if fmt.tool_in_model_turn else "user"), _Part(
            _render_tool(msg, fmt), fmt.tool_in_model_turn
        )
    raise ConfigError(
        f"unknown message role {role!r}",
        hint="use system, developer, user, assistant or tool",
    )


def _turns(messages: Sequence[Message], fmt: TurnFormat) -> list[_Turn]:
    turns: list[_Turn] = []
    for msg in messages:
        role, part = _role_and_part(msg, fmt)
        if turns and turns[-1].role == role:
            turns[-1].parts.append(part)
        else:
            turns.append(_Turn(role, [part]))
    return turns


def render_messages(
    messages: Sequence[Message],
    family: str | None = "gemma3",
    *,
    add_generation_prompt: bool = True,
    bos: bool = False,
) -> str:
    """Render a conversation as Gemma turns, ready for raw completion.

    Args:
        messages: The conversation, oldest first. ``images`` are ignored here (the
            runtime decides whether it can handle them).
        family: One of :data:`FAMILIES`; ``None`` means ``gemma3``.
        add_generation_prompt: End with an open model turn for the model to fill: a new
            ``model`` turn, or the still-open last model turn when the conversation ends
            inside one (trailing assistant text or, for functiongemma/gemma4, a tool
            result). ``False`` renders a closed transcript.
        bos: Prepend ``<bos>``; leave ``False`` for llama.cpp, which adds it itself.

    Returns:
        The prompt text.

    Raises:
        ConfigError: Unknown family or message role.
    """
    fmt = turn_format(family)
    turns = _turns(messages, fmt)
    out = [BOS] if bos else []
    for i, turn in enumerate(turns):
        out.append(fmt.open(turn.role))
        out.append(turn.text())
        last = i == len(turns) - 1
        if not (last and add_generation_prompt and turn.role == "model"):
            out.append(fmt.close)
    if add_generation_prompt and (not turns or turns[-1].role != "model"):
        out.append(fmt.generation_prompt)
    return "".join(out)
