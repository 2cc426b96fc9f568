"""First-party pack: ``shell.run``, allowlisted commands without a shell.

Off unless an operator lists the executables it may start. The command line is split with
``shlex`` and executed directly (no ``/bin/sh``), so ``echo $HOME; rm -rf /`` prints that
text literally: no variables, globs, pipes, redirections or command chaining. Only
allowlisted executables run, resolved to absolute paths when the tool is built (a later
``PATH`` change cannot swap them); shells and interpreters are refused in the allowlist
unless explicitly permitted, because ``bash -c`` would re-open everything. Each run needs
approval, has a timeout (the whole process group is killed), a capped output and a minimal
environment (no inherited secrets).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from gemma_agents.exceptions import ToolDefinitionError
from gemma_agents.tools import Tool, ToolInputError, function_to_tool

__all__ = ["UNSAFE_EXECUTABLES", "pack_tools", "run_command", "shell_tools"]

UNSAFE_EXECUTABLES = frozenset(
    {
        "sh", "bash", "zsh", "dash", "ksh", "fish", "csh", "tcsh", "busybox", "env", "xargs",
        "sudo", "su", "doas", "nohup", "timeout", "nice", "exec", "eval", "python", "python3",
        "perl", "ruby", "node", "php", "lua", "awk", "gawk", "find", "ssh", "docker",
    }
)  # fmt: skip
"""Executables that can run arbitrary other commands; refused unless ``allow_unsafe``."""

_DEFAULT_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def shell_tools(
    allow: Iterable[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 10.0,
    max_output: int = 20_000,
    env: Mapping[str, str] | None = None,
    allow_unsafe: bool = False,
) -> list[Tool]:
    """Build ``shell.run`` for an allowlist of executables.

    Args:
        allow: Executable names (looked up on PATH now) or absolute paths.
        cwd: Working directory (default: the current one).
        timeout: Seconds before the process group is killed.
        max_output: Bytes of combined stdout/stderr returned.
        env: Environment for commands (default: a minimal PATH/LANG only).
        allow_unsafe: Permit shells and interpreters in the allowlist.

    Raises:
        ToolDefinitionError: empty allowlist, unknown executable, or an unsafe one.
    """
    table = _resolve_allowlist(allow, allow_unsafe)
    workdir = str(Path(cwd).expanduser().resolve()) if cwd is not None else None
    environment = dict(env) if env is not None else dict(_DEFAULT_ENV)
    names = ", ".join(sorted({Path(p).name for p in table.values()}))

    def shell_run(command: str) -> str:
        """Run one allowlisted command (no shell: no pipes, variables or chaining).

        Args:
            command: The command line, e.g. "ls -la" or "git status".
        """
        return run_command(
            command, table, cwd=workdir, timeout=timeout, max_output=max_output, env=environment
        )

    shell_run.__doc__ = (shell_run.__doc__ or "").replace(
        "(no shell:", f"(allowed: {names}; no shell:"
    )
    return [
        function_to_tool(
            shell_run, name="shell.run", side_effects="external", requires_approval=True,
            idempotent=False, timeout=timeout + 5, tags=("shell", "builtin"),
        )
    ]  # fmt: skip


def run_command(
    command: str,
    table: Mapping[str, str],
    *,
    cwd: str | None = None,
    timeout: float = 10.0,
    max_output: int = 20_000,
    env: Mapping[str, str] | None = None,
) -> str:
    """Split ``command``, check it against ``table`` (name -> absolute path) and run it.

    Raises:
        ToolInputError: unparseable command line or an executable not on the allowlist.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ToolInputError("shell.run", f"cannot parse the command line: {exc}") from exc
    if not argv:
        raise ToolInputError("shell.run", "the command is empty")
    if any("\x00" in arg for arg in argv):
        raise ToolInputError("shell.run", "the command contains a NUL byte")
    executable = table.get(argv[0])
    if executable is None:
        allowed = ", ".join(sorted({Path(p).name for p in table.values()}))
        raise ToolInputError(
            "shell.run", f"{argv[0]!r} is not an allowed command", hint=f"allowed: {allowed}"
        )
    proc = subprocess.Popen(
        [executable, *argv[1:]],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env=dict(env) if env is not None else dict(_DEFAULT_ENV),
        shell=False,
        start_new_session=True,
    )
    assert proc.stdout is not None
    captured = bytearray()
    reader = threading.Thread(
        target=_read_capped, args=(proc.stdout, captured, max_output), daemon=True
    )
    started = time.monotonic()
    reader.start()
    reader.join(timeout)  # ends at EOF (the command finished) or when the cap is reached
    timed_out = reader.is_alive()
    if timed_out or len(captured) > max_output:
        _kill_group(proc)
    try:
        proc.wait(timeout=max(0.1, timeout - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        proc.wait()
    reader.join(timeout=2)
    output = bytes(captured)
    truncated = len(output) > max_output
    text = output[:max_output].decode("utf-8", errors="replace")
    status = (
        f"timed out after {timeout:g}s (killed)" if timed_out else f"exit code {proc.returncode}"
    )
    note = f"\n[output cut at {max_output} bytes]" if truncated else ""
    return f"$ {shlex.join(argv)}\n{status}\n{text}{note}"


def _read_capped(stream: IO[bytes], buffer: bytearray, limit: int) -> None:
    """Read into ``buffer`` until EOF or just past ``limit`` (so the caller sees the overflow)."""
    try:
        while len(buffer) <= limit:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            buffer.extend(chunk)
    except (OSError, ValueError):
        pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _resolve_allowlist(allow: Iterable[str], allow_unsafe: bool) -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in allow:
        name = Path(entry).name
        if name in UNSAFE_EXECUTABLES and not allow_unsafe:
            raise ToolDefinitionError(
                "shell.run",
                f"{entry!r} can run arbitrary commands and is refused in the allowlist",
                hint="list specific programs instead, or pass allow_unsafe=True knowingly",
            )
        path = entry if os.path.isabs(entry) else shutil.which(entry)
        if not path or not os.access(path, os.X_OK) or os.path.isdir(path):
            raise ToolDefinitionError("shell.run", f"allowlisted command {entry!r} was not found")
        # Absolute but not symlink-resolved: multi-call binaries dispatch on their name.
        absolute = os.path.abspath(path)
        table[name] = absolute
        table[entry] = absolute
    if not table:
        raise ToolDefinitionError("shell.run", "the allowlist is empty; the shell tool stays off")
    return table


def pack_tools(config: Any = None) -> list[Tool]:
    """Tools for a :class:`~gemma_agents.tools.ToolsConfig`: none unless ``shell_allow`` is set."""
    allow = tuple(getattr(config, "shell_allow", ()) or ())
    if not allow:
        return []
    cwd = getattr(config, "shell_cwd", None) or getattr(config, "files_root", None)
    return shell_tools(allow, cwd=cwd, timeout=float(getattr(config, "shell_timeout", 10.0)))
