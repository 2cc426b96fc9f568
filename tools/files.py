"""First-party pack: ``files.list`` / ``files.read`` / ``files.search`` / ``files.write``.

Everything is confined to one configured root by :class:`gemma_agents.tools.sandbox.Sandbox`
(absolute paths, ``..`` and symlink escapes are refused; opens never follow symlinks).
Reads are size-capped and marked untrusted (a file can contain a prompt injection as
easily as a web page); writes need a human's approval and are never re-run automatically.
There are no module-level tools: without a root there is nothing safe to offer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Literal

from gemma_agents.tools import Tool, ToolInputError, ToolResult, function_to_tool
from gemma_agents.tools.sandbox import PathPolicyError, Sandbox

__all__ = ["files_tools", "pack_tools"]

_BINARY_PROBE = 8192


def files_tools(
    root: str | os.PathLike[str],
    *,
    writable: bool = True,
    max_read_bytes: int = 256_000,
    max_entries: int = 500,
    max_results: int = 100,
    max_write_bytes: int = 1_000_000,
    search_file_bytes: int = 2_000_000,
) -> list[Tool]:
    """Build the file tools confined to ``root``.

    Args:
        root: An existing directory; nothing outside it is reachable.
        writable: Include ``files.write`` (always approval-gated).
        max_read_bytes: Bytes of a file returned by ``files.read``.
        max_entries: Entries listed by ``files.list``.
        max_results: Matching lines returned by ``files.search``.
        max_write_bytes: Largest content ``files.write`` accepts.
        search_file_bytes: Files larger than this are skipped by ``files.search``.

    Raises:
        PathPolicyError: ``root`` is not a directory.
    """
    box = Sandbox.at(root)

    def list_files(path: str = ".") -> str:
        """List the files and folders in a folder under the files root.

        Args:
            path: Folder relative to the files root ("." for the root itself).
        """
        real = box.resolve(path, tool="files.list")
        if not real.is_dir():
            raise PathPolicyError("files.list", f"{path!r} is not a folder")
        fd = box.open(real, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0), tool="files.list")
        try:
            names = sorted(os.listdir(fd))
            lines = []
            for name in names[:max_entries]:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    lines.append(f"{name}/")
                elif stat.S_ISLNK(info.st_mode):
                    lines.append(f"{name} (symlink)")
                else:
                    lines.append(f"{name}  {info.st_size} bytes")
        finally:
            os.close(fd)
        shown = box.relative(real)
        more = (
            f"\n[{len(names) - max_entries} more entries not shown]"
            if len(names) > max_entries
            else ""
        )
        body = "\n".join(lines) if lines else "(empty folder)"
        return f"{shown}:\n{body}{more}"

    def read_file(path: str) -> ToolResult:
        """Read a text file under the files root.

        Args:
            path: File path relative to the files root, e.g. "notes/todo.txt".
        """
        real = box.resolve(path, tool="files.read")
        fd = box.open(real, os.O_RDONLY, tool="files.read")
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise PathPolicyError("files.read", f"{path!r} is not a regular file")
        size = info.st_size
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(max_read_bytes + 1)
        rel = box.relative(real)
        if b"\x00" in data[:_BINARY_PROBE]:
            return ToolResult(
                f"[{rel} is a binary file of {size} bytes; not shown]",
                untrusted=True,
                source=f"file:{rel}",
            )
        truncated = len(data) > max_read_bytes
        text = data[:max_read_bytes].decode("utf-8", errors="replace")
        if truncated:
            text += f"\n[file cut at {max_read_bytes} of {size} bytes]"
        return ToolResult(text, untrusted=True, source=f"file:{rel}", truncated=truncated,
                          metadata={"bytes": size})  # fmt: skip

    def search_files(query: str, path: str = ".") -> ToolResult:
        """Find lines containing a text (case-insensitive) in the files under a folder.

        Args:
            query: The text to look for.
            path: Folder (relative to the files root) to search in.
        """
        if not query.strip():
            raise ToolInputError("files.search", "the query is empty")
        real = box.resolve(path, tool="files.search")
        needle = query.lower()
        hits: list[str] = []
        candidates = [real] if real.is_file() else box.walk(real)
        for file in candidates:
            if len(hits) >= max_results:
                break
            hits.extend(_grep(box, file, needle, max_results - len(hits), search_file_bytes))
        rel = box.relative(real)
        if not hits:
            return ToolResult(
                f"no lines containing {query!r} under {rel}", untrusted=True, source=f"file:{rel}"
            )
        more = "\n[more matches not shown]" if len(hits) >= max_results else ""
        return ToolResult("\n".join(hits) + more, untrusted=True, source=f"file:{rel}")

    def write_file(
        path: str, content: str, mode: Literal["create", "overwrite", "append"] = "create"
    ) -> str:
        """Write a text file under the files root.

        Args:
            path: File path relative to the files root; missing folders are created.
            content: The text to write.
            mode: "create" (fail if the file exists), "overwrite" or "append".
        """
        data = content.encode("utf-8")
        if len(data) > max_write_bytes:
            raise ToolInputError("files.write", f"content is larger than {max_write_bytes} bytes")
        real = box.resolve(path, tool="files.write")
        if real == box.root:
            raise PathPolicyError("files.write", "cannot write to the root folder itself")
        box.makedirs(real.parent, tool="files.write")
        flags = os.O_WRONLY | os.O_CREAT
        flags |= {"create": os.O_EXCL, "overwrite": os.O_TRUNC, "append": os.O_APPEND}[mode]
        fd = box.open(real, flags, 0o644, tool="files.write")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return f"wrote {len(data)} bytes to {box.relative(real)} ({mode})"

    common: dict[str, Any] = {"tags": ("files", "builtin")}
    tools = [
        function_to_tool(list_files, name="files.list", side_effects="read", **common),
        function_to_tool(
            read_file, name="files.read", side_effects="read", untrusted_output=True, **common
        ),
        function_to_tool(
            search_files, name="files.search", side_effects="read", untrusted_output=True, **common
        ),
    ]
    if writable:
        tools.append(
            function_to_tool(
                write_file, name="files.write", side_effects="write", requires_approval=True,
                idempotent=False, **common,
            )
        )  # fmt: skip
    return tools


def _grep(box: Sandbox, file: Path, needle: str, limit: int, max_bytes: int) -> list[str]:
    try:
        if file.stat().st_size > max_bytes or not box.contains(Path(os.path.realpath(file))):
            return []
        fd = box.open(Path(os.path.realpath(file)), os.O_RDONLY, tool="files.search")
    except (OSError, ToolInputError):
        return []
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes)
    if b"\x00" in data[:_BINARY_PROBE]:
        return []
    rel = box.relative(file)
    out = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if needle in line.lower():
            out.append(f"{rel}:{number}: {line.strip()[:300]}")
            if len(out) >= limit:
                break
    return out


def pack_tools(config: Any = None) -> list[Tool]:
    """Tools for a :class:`~gemma_agents.tools.ToolsConfig`: none unless ``files_root`` is set."""
    root = getattr(config, "files_root", None)
    if not root:
        return []
    return files_tools(root, writable=bool(getattr(config, "files_writable", True)))
