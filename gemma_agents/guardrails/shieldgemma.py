"""ShieldGemma: Google's Gemma-based safety classifier as a guard.

ShieldGemma answers "does this text violate the policy?" with ``Yes`` or ``No``; the model
card scores P(Yes) from the probabilities of those two tokens. Ollama's ``shieldgemma``
template hard-codes the four default harm policies, so this guard builds the model-card
prompt itself (custom policies included) and sends it through ``/api/generate`` with
``raw: true``.

Scoring: when the server returns log-probabilities (Ollama's ``logprobs`` /
``top_logprobs``), P(Yes) is the softmax over the ``Yes`` and ``No`` candidates of the
first token; otherwise P is 1.0 for an answer starting with Yes and 0.0 for No. Anything
else is a :class:`~gemma_agents.exceptions.ModelBehaviorError`, which the pipeline turns
into allow or block by the guard's ``fail_mode`` (``open`` by default: the classifier is
an extra layer and an outage should not stop the assistant).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import InferenceError, ModelBehaviorError, ModelNotFound, RuntimeUnavailable
from ._types import Decision, GuardContext, Guardrail, Stage
from .indirect import _defang

if TYPE_CHECKING:
    from ..calls._types import ToolCall
    from ..runtime.base import Runtime
    from ..tools._tool import Tool

__all__ = [
    "DEFAULT_POLICIES",
    "Policy",
    "ShieldGemmaGuard",
    "ShieldVerdict",
    "build_prompt",
    "p_yes_from_logprobs",
    "parse_answer",
]


@dataclass(frozen=True)
class Policy:
    """One safety policy as the model card phrases it.

    Attributes:
        name: The quoted title (``No Dangerous Content``).
        content: What is prohibited, phrased to follow "shall not contain or seek
            generation of content that" (prompts) and "shall not generate content that"
            (responses).
    """

    name: str
    content: str

    def render(self, kind: Literal["prompt", "response"]) -> str:
        lead = (
            "The prompt shall not contain or seek generation of content that"
            if kind == "prompt"
            else "The chatbot shall not generate content that"
        )
        return f'* "{self.name}": {lead} {self.content}'


DEFAULT_POLICIES: tuple[Policy, ...] = (
    Policy(
        "No Dangerous Content",
        "harming oneself and/or others (e.g., accessing or building firearms and explosive "
        "devices, promotion of terrorism, instructions for suicide).",
    ),
    Policy(
        "No Harassment",
        "is malicious, intimidating, bullying, or abusive content targeting another "
        "individual (e.g., physical threats, denial of tragic events, disparaging victims "
        "of violence).",
    ),
    Policy(
        "No Hate Speech",
        "targeting identity and/or protected attributes (e.g., racial slurs, promotion of "
        "discrimination, calls to violence against protected groups) or dehumanizing/"
        "belittling/vilifying on the bases of race, ethnicity, religion, disability, age, "
        "nationality, veteran status, sexual orientation, gender, gender identity, caste, "
        "or any other protected status.",
    ),
    Policy(
        "No Sexually Explicit Information",
        "contains references to sexual acts or other lewd content (e.g., sexually graphic "
        "descriptions, content aimed at causing arousal). Medical or scientific terms "
        "related to human anatomy or sex education are permitted.",
    ),
)


def build_prompt(
    user_text: str,
    policies: Sequence[Policy] = DEFAULT_POLICIES,
    *,
    response: str | None = None,
) -> str:
    """The model-card prompt for a user prompt, or for a chatbot response to it.

    Control tokens inside the texts are defanged so content cannot close the turn early
    and append its own "No".
    """
    if not policies:
        raise ValueError("ShieldGemma needs at least one policy")
    kind: Literal["prompt", "response"] = "prompt" if response is None else "response"
    what = "a user prompt" if response is None else "an AI response to prompt"
    parts = [
        f"You are a policy expert trying to help determine whether {what} is in violation "
        "of the defined safety policies.",
        "",
        "<start_of_turn>",
        f"Human Question: {_defang(user_text).strip()}",
        "<end_of_turn>",
        "",
    ]
    if response is not None:
        parts += [
            "<start_of_turn>",
            f"Chatbot Response: {_defang(response).strip()}",
            "<end_of_turn>",
            "",
        ]
    principle = "principle is" if len(policies) == 1 else "principles are"
    subject = "human question" if response is None else "Chatbot Response"
    parts += [
        f"Our safety {principle} defined in the below:",
        "",
        *(p.render(kind) for p in policies),
        "",
        "===",
        "",
        f"Does the {subject} violate the above principle{'s' if len(policies) > 1 else ''}? "
        "Your answer must start with 'Yes' or 'No'. And then walk through step by step to be "
        "sure we answer correctly.",
        "",
    ]
    return "\n".join(parts)


_ANSWER = re.compile(r"^[\s\"'`*_#>\-\[(]*(yes|no)\b", re.IGNORECASE)


def parse_answer(text: str) -> bool:
    """True for an answer starting with Yes, False for No (tolerates ``**Yes**``, case,
    punctuation and an explanation after). Raises :class:`ModelBehaviorError` otherwise."""
    m = _ANSWER.match(text or "")
    if m is None:
        snippet = (text or "").strip()[:60]
        raise ModelBehaviorError(f"ShieldGemma answered neither Yes nor No: {snippet!r}")
    return m.group(1).lower() == "yes"


def p_yes_from_logprobs(logprobs: Sequence[Any] | None) -> float | None:
    """P(Yes) from Ollama's per-token log-probabilities, or ``None`` when unusable.

    Looks for the first generated token that is ``Yes``/``No`` (after stripping
    whitespace and markdown), then normalises over the two among its top candidates.
    """
    for entry in logprobs or ():
        token = _get(entry, "token")
        if not isinstance(token, str) or not token.strip(" \n\t*_\"'`"):
            continue  # leading whitespace / markdown token: look at the next one
        cands: dict[str, float] = {}
        for cand in [entry, *(_get(entry, "top_logprobs") or ())]:
            tok = str(_get(cand, "token") or "").strip(" \n\t*_\"'`").lower()
            lp = _get(cand, "logprob")
            if tok in ("yes", "no") and isinstance(lp, (int, float)) and tok not in cands:
                cands[tok] = float(lp)
        if not cands:
            return None
        if "yes" in cands and "no" in cands:
            top = max(cands.values())
            ey, en = math.exp(cands["yes"] - top), math.exp(cands["no"] - top)
            return ey / (ey + en)
        if "yes" in cands:
            return min(1.0, math.exp(cands["yes"]))
        return max(0.0, 1.0 - math.exp(cands["no"]))
    return None


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


@dataclass(frozen=True)
class ShieldVerdict:
    """One classification: P(violation), how it was obtained and the raw answer."""

    p_yes: float
    source: Literal["logprobs", "answer"]
    answer: str


class ShieldGemmaGuard(Guardrail):
    """Classify input and/or answers with ShieldGemma and block above a threshold.

    Args:
        model: Ollama model name (``shieldgemma:2b``, ``:9b``, ``:27b``).
        host: Ollama URL (``OLLAMA_HOST`` / the default when ``None``).
        runtime: Any :class:`~gemma_agents.runtime.base.Runtime` with ``complete()``
            (used instead of the Ollama client; answers are scored 1.0/0.0).
        policies: The policies to check (default: the four model-card harm policies).
        threshold: P(Yes) at or above which the text is flagged.
        action: ``block``, ``warn`` (allow with reasons) or ``approve``.
        per_policy: One request per policy (the model card's setup; max P wins) instead
            of one request listing every policy.
        logprobs: Ask the server for log-probabilities (ignored by servers without).
        stages: ``input`` and/or ``output``.
        timeout_s: Request timeout.
    """

    name = "shieldgemma"

    def __init__(
        self,
        model: str = "shieldgemma:2b",
        *,
        host: str | None = None,
        runtime: Runtime | None = None,
        policies: Iterable[Policy] = DEFAULT_POLICIES,
        threshold: float = 0.5,
        action: Literal["block", "warn", "approve"] = "block",
        per_policy: bool = False,
        logprobs: bool = True,
        stages: Iterable[Stage] = ("input", "output"),
        timeout_s: float = 30.0,
        fail_mode: Literal["open", "closed"] = "open",
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
        if action not in ("block", "warn", "approve"):
            raise ValueError(f"action must be block, warn or approve, not {action!r}")
        self.model = model
        self.host = host
        self.runtime = runtime
        self.policies = tuple(policies)
        if not self.policies:
            raise ValueError("ShieldGemmaGuard needs at least one policy")
        self.threshold = threshold
        self.action = action
        self.per_policy = per_policy
        self.logprobs = logprobs
        self.stages = frozenset(stages)
        self.timeout_s = timeout_s
        self.fail_mode = fail_mode
        self._client: Any = None
        self._aclient: Any = None

    # -- transport --------------------------------------------------------------------

    def _request(self, prompt: str) -> dict[str, Any]:
        return {
            "model": self.model,
            "prompt": prompt,
            "raw": True,
            "stream": False,
            "options": {"temperature": 0.0, "num_predict": 8},
            **({"logprobs": True, "top_logprobs": 5} if self.logprobs else {}),
        }

    def _verdict(self, response: Any) -> ShieldVerdict:
        text = str(_get(response, "response") or "")
        p = p_yes_from_logprobs(_get(response, "logprobs"))
        if p is not None:
            return ShieldVerdict(p, "logprobs", text)
        return ShieldVerdict(1.0 if parse_answer(text) else 0.0, "answer", text)

    def _wrap(self, exc: Exception) -> Exception:
        import ollama

        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 404:
                return ModelNotFound(self.model, hint=f"run `ollama pull {self.model}`")
            return InferenceError(
                f"ShieldGemma request failed: {exc.error}", status_code=exc.status_code
            )
        if isinstance(exc, (ConnectionError, OSError)) or type(exc).__module__.startswith("httpx"):
            return RuntimeUnavailable(
                f"cannot reach Ollama for {self.model}: {exc}", hint="start `ollama serve`"
            )
        return exc

    def classify(self, prompt: str) -> ShieldVerdict:
        """Send one ready-made prompt and score the answer."""
        if self.runtime is not None:
            result = self.runtime.complete(prompt, options={"temperature": 0.0, "num_predict": 8})
            return self._verdict({"response": getattr(result, "text", "")})
        if self._client is None:
            import ollama

            self._client = ollama.Client(host=self.host, timeout=self.timeout_s)
        try:
            return self._verdict(self._client.generate(**self._request(prompt)))
        except Exception as exc:
            raise self._wrap(exc) from exc

    async def aclassify(self, prompt: str) -> ShieldVerdict:
        """Async :meth:`classify` (``ollama.AsyncClient``; a runtime runs in a thread)."""
        if self.runtime is not None:
            return await asyncio.to_thread(self.classify, prompt)
        if self._aclient is None:
            import ollama

            self._aclient = ollama.AsyncClient(host=self.host, timeout=self.timeout_s)
        try:
            return self._verdict(await self._aclient.generate(**self._request(prompt)))
        except Exception as exc:
            raise self._wrap(exc) from exc

    # -- deciding ---------------------------------------------------------------------

    def _prompts(self, text: str, ctx: GuardContext, stage: Stage) -> list[tuple[str, str]]:
        groups = [(p,) for p in self.policies] if self.per_policy else [self.policies]
        out = []
        for group in groups:
            if stage == "output":
                question = str(ctx.extra.get("user_message") or "")
                prompt = build_prompt(question, group, response=text)
            else:
                prompt = build_prompt(text, group)
            out.append((", ".join(p.name for p in group), prompt))
        return out

    def _decide(
        self, results: list[tuple[str, ShieldVerdict]], text: str, stage: Stage
    ) -> Decision | None:
        flagged = [(names, v) for names, v in results if v.p_yes >= self.threshold]
        if not flagged:
            return None
        reasons = tuple(
            f"P(violation)={v.p_yes:.2f} >= {self.threshold:g} for {names} (from {v.source})"
            for names, v in flagged
        )
        if self.action == "warn":
            return Decision("allow", reasons, text=text, stage=stage)
        what = "message" if stage == "input" else "answer"
        return Decision(
            self.action,
            reasons,
            text=text,
            stage=stage,
            message=f"This {what} was flagged by the safety classifier and was not processed.",
        )

    def _check(self, text: str, ctx: GuardContext, stage: Stage) -> Decision | None:
        results = [(names, self.classify(p)) for names, p in self._prompts(text, ctx, stage)]
        return self._decide(results, text, stage)

    async def _acheck(self, text: str, ctx: GuardContext, stage: Stage) -> Decision | None:
        prompts = self._prompts(text, ctx, stage)
        verdicts = await asyncio.gather(*(self.aclassify(p) for _, p in prompts))
        return self._decide(
            [(n, v) for (n, _), v in zip(prompts, verdicts, strict=True)], text, stage
        )

    def check_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._check(text, ctx, "input")

    def check_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return self._check(text, ctx, "output")

    async def acheck_input(self, text: str, ctx: GuardContext) -> Decision | None:
        return await self._acheck(text, ctx, "input")

    async def acheck_output(self, text: str, ctx: GuardContext) -> Decision | None:
        return await self._acheck(text, ctx, "output")

    def check_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return self._check(text, ctx, "tool_result")

    async def acheck_tool_result(
        self, text: str, call: ToolCall, tool: Tool | None, ctx: GuardContext
    ) -> Decision | None:
        return await self._acheck(text, ctx, "tool_result")
