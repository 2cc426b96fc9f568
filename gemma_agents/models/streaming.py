"""Keep tool-call markup out of streamed text.

A prompted model writes its calls as text, so a naive stream would show users raw
``[get_weather(city="Paris")]`` or ``<start_function_call>`` markup before the parser sees
the whole answer. :class:`MarkupFilter` passes prose through as it arrives and holds
everything from the first character that could start a call (``[``, ``{``, ``<``, a code
fence, ``FUNCTION_CALL``). Held text is released at the end as the parser's prose, so
false alarms (a markdown link, a JSON example) still reach the user, just later.
"""

from __future__ import annotations

__all__ = ["TRIGGERS", "MarkupFilter"]

TRIGGERS: tuple[str, ...] = ("[", "```", "<", "{", "FUNCTION_CALL")


def _trigger_index(text: str) -> int | None:
    """Index where possible markup starts, including a trigger cut off at the end."""
    found = [i for i in (text.find(t) for t in TRIGGERS) if i >= 0]
    best = min(found) if found else None
    # A prefix of a multi-character trigger at the very end ("`", "``", "FUNC"...).
    for trigger in TRIGGERS:
        for size in range(len(trigger) - 1, 0, -1):
            if text.endswith(trigger[:size]):
                start = len(text) - size
                if best is None or start < best:
                    best = start
                break
    return best


class MarkupFilter:
    """Split a text stream into prose that is safe to show now and held-back markup.

    Attributes:
        emitted: Everything released so far.
        held: Text held back because it may be (or contain) call markup.
    """

    def __init__(self) -> None:
        self.emitted = ""
        self.held = ""

    @property
    def text(self) -> str:
        """The whole text received so far."""
        return self.emitted + self.held

    def feed(self, piece: str) -> str:
        """Add streamed text; return the part that can be shown now."""
        if not piece:
            return ""
        if self.held and not self._only_partial_trigger():
            self.held += piece  # already holding real markup: hold until the end
            return ""
        pending = self.held + piece
        self.held = ""
        index = _trigger_index(pending)
        if index is None:
            out = pending
        else:
            out, self.held = pending[:index], pending[index:]
        self.emitted += out
        return out

    def _only_partial_trigger(self) -> bool:
        """The held text is only a cut-off trigger prefix (``FUNC``), not a trigger yet."""
        return not any(t in self.held for t in TRIGGERS) and not self.held.startswith(
            ("[", "{", "<")
        )

    def finish(self, prose: str) -> str:
        """Return what is left to show once the parser found ``prose`` in the whole text.

        Args:
            prose: The parser's ``.text`` (the output without call markup).
        """
        if prose.startswith(self.emitted):
            rest = prose[len(self.emitted) :]
        elif prose.startswith(self.emitted.rstrip()):
            rest = prose[len(self.emitted.rstrip()) :]
            rest = rest if not self.emitted.endswith((" ", "\n")) else rest.lstrip()
        elif not self.emitted.strip():
            rest = prose
        else:
            rest = ""  # the parser rewrote released prose; never repeat text already shown
        self.emitted += rest
        self.held = ""
        return rest
