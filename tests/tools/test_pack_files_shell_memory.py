"""The files, shell and memory packs: confinement, no-shell execution, per-user memory."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gemma_agents.exceptions import ToolDefinitionError
from gemma_agents.memory._types import MemoryHit, MemoryKind, MemoryStore
from gemma_agents.tools import Tool, ToolInputError, use_tool_context
from gemma_agents.tools.sandbox import PathPolicyError, Sandbox

# -- files -------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (root / "notes").mkdir(parents=True)
    outside.mkdir()
    (root / "notes" / "todo.txt").write_text("buy milk\nCall Alice\nwater plants\n")
    (root / "readme.md").write_text("# Project\nAlice wrote this.\n")
    (root / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    (outside / "secret.txt").write_text("TOP SECRET alice")
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "escape_dir").symlink_to(outside, target_is_directory=True)
    (root / "inner_link.txt").symlink_to(root / "readme.md")
    return {"root": root, "outside": outside}


def _files(packs: dict[str, ModuleType], root: Path, **options: Any) -> dict[str, Tool]:
    return {t.name: t for t in packs["files"].files_tools(root, **options)}


def test_files_list_read_search(packs: dict[str, ModuleType], tree: dict[str, Path]) -> None:
    tools = _files(packs, tree["root"])
    listing = tools["files.list"].run({})
    assert listing.splitlines()[0] == ".:"
    assert (
        "notes/" in listing
        and "readme.md  28 bytes" in listing
        and "escape.txt (symlink)" in listing
    )
    read = tools["files.read"].run({"path": "notes/todo.txt"})
    assert read.text == "buy milk\nCall Alice\nwater plants\n"
    assert read.untrusted and read.source == "file:notes/todo.txt"
    assert tools["files.read"].run({"path": "inner_link.txt"}).text.startswith("# Project")
    found = tools["files.search"].run({"query": "alice"}).text
    # top-level files first, then sub-folders; symlinks are not followed (no duplicate hit)
    assert found.splitlines() == ["readme.md:2: Alice wrote this.", "notes/todo.txt:2: Call Alice"]
    assert "TOP SECRET" not in found  # the symlinked outside folder is not searched
    assert (
        tools["files.read"].run({"path": "blob.bin"}).text
        == "[blob.bin is a binary file of 300 bytes; not shown]"
    )
    assert tools["files.read"].untrusted_output and tools["files.search"].untrusted_output


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/etc/passwd", "absolute paths are not allowed"),
        ("../outside/secret.txt", "'..' is not allowed"),
        ("notes/../../outside/secret.txt", "'..' is not allowed"),
        ("~/secret.txt", "absolute paths are not allowed"),
        ("escape.txt", "resolves outside the files root"),
        ("escape_dir/secret.txt", "resolves outside the files root"),
        ("notes\x00.txt", "NUL byte"),
        ("missing.txt", "does not exist"),
        ("notes", "not a regular file"),
    ],
)
def test_files_read_refuses_escapes(
    packs: dict[str, ModuleType], tree: dict[str, Path], path: str, needle: str
) -> None:
    with pytest.raises(PathPolicyError) as info:
        _files(packs, tree["root"])["files.read"].run({"path": path})
    assert needle in str(info.value)
    assert "TOP SECRET" not in str(info.value)


def test_files_read_cap(packs: dict[str, ModuleType], tree: dict[str, Path]) -> None:
    (tree["root"] / "big.txt").write_text("a" * 5000)
    result = _files(packs, tree["root"], max_read_bytes=1000)["files.read"].run({"path": "big.txt"})
    assert result.truncated and result.text.endswith("[file cut at 1000 of 5000 bytes]")
    assert result.text.split("\n")[0] == "a" * 1000


def test_files_write_modes_and_approval(
    packs: dict[str, ModuleType], tree: dict[str, Path]
) -> None:
    write = _files(packs, tree["root"])["files.write"]
    assert (write.requires_approval, write.side_effects, write.idempotent) == (True, "write", False)
    assert (
        write.run({"path": "out/new/a.txt", "content": "one"})
        == "wrote 3 bytes to out/new/a.txt (create)"
    )
    with pytest.raises(PathPolicyError, match="already exists"):
        write.run({"path": "out/new/a.txt", "content": "again"})
    write.run({"path": "out/new/a.txt", "content": "+two", "mode": "append"})
    assert (tree["root"] / "out/new/a.txt").read_text() == "one+two"
    write.run({"path": "out/new/a.txt", "content": "fresh", "mode": "overwrite"})
    assert (tree["root"] / "out/new/a.txt").read_text() == "fresh"
    with pytest.raises(PathPolicyError, match="outside the files root"):
        write.run({"path": "escape_dir/planted.txt", "content": "x"})
    with pytest.raises(PathPolicyError, match="outside the files root"):
        write.run({"path": "escape.txt", "content": "x", "mode": "overwrite"})
    assert not (tree["outside"] / "planted.txt").exists()
    assert (tree["outside"] / "secret.txt").read_text() == "TOP SECRET alice"
    assert "files.write" not in _files(packs, tree["root"], writable=False)


def test_sandbox_open_refuses_a_symlink_swapped_in_after_the_check(tree: dict[str, Path]) -> None:
    """TOCTOU: the path is checked, then a folder is replaced by a symlink to outside."""
    box = Sandbox.at(tree["root"])
    (tree["root"] / "swap").mkdir()
    (tree["root"] / "swap" / "secret.txt").write_text("inside")
    checked = box.resolve("swap/secret.txt")
    (tree["root"] / "swap" / "secret.txt").unlink()
    (tree["root"] / "swap").rmdir()
    (tree["root"] / "swap").symlink_to(tree["outside"], target_is_directory=True)
    with pytest.raises(PathPolicyError, match="refusing to follow a symlink"):
        box.open(checked, os.O_RDONLY)


def test_files_root_must_exist(packs: dict[str, ModuleType], tmp_path: Path) -> None:
    with pytest.raises(PathPolicyError, match="not a directory"):
        packs["files"].files_tools(tmp_path / "nope")


# -- shell -------------------------------------------------------------------------------------


def _shell(packs: dict[str, ModuleType], allow: Sequence[str], **options: Any) -> Tool:
    return packs["shell"].shell_tools(allow, **options)[0]


def test_shell_runs_allowlisted_commands_without_a_shell(
    packs: dict[str, ModuleType], tmp_path: Path
) -> None:
    run = _shell(packs, ["echo", "ls"], cwd=tmp_path)
    assert (run.name, run.requires_approval, run.side_effects, run.idempotent) == (
        "shell.run",
        True,
        "external",
        False,
    )
    assert "allowed: echo, ls" in run.description
    out = run.run({"command": "echo $HOME; rm -rf / && `id` $(whoami) | cat > /tmp/x"})
    assert out.splitlines()[1] == "exit code 0"
    assert out.splitlines()[2] == "$HOME; rm -rf / && `id` $(whoami) | cat > /tmp/x"
    (tmp_path / "marker.txt").write_text("m")
    assert "marker.txt" in run.run({"command": "ls"})
    assert run.run({"command": "ls no-such-file"}).splitlines()[1] != "exit code 0"


def test_shell_refuses_unlisted_and_unparseable_commands(packs: dict[str, ModuleType]) -> None:
    run = _shell(packs, ["echo"])
    for command, needle in [
        ("rm -rf /tmp/x", "'rm' is not an allowed command"),
        ("/bin/rm -rf /tmp/x", "'/bin/rm' is not an allowed command"),
        ("echo 'unterminated", "cannot parse"),
        ("   ", "empty"),
    ]:
        with pytest.raises(ToolInputError) as info:
            run.run({"command": command})
        assert needle in str(info.value)


def test_shell_allowlist_rejects_interpreters_and_unknown_programs(
    packs: dict[str, ModuleType],
) -> None:
    for entry in ("bash", "/bin/sh", "python3", "env"):
        with pytest.raises(ToolDefinitionError, match="can run arbitrary commands"):
            _shell(packs, [entry])
    with pytest.raises(ToolDefinitionError, match="was not found"):
        _shell(packs, ["definitely-not-a-program-xyz"])
    with pytest.raises(ToolDefinitionError, match="allowlist is empty"):
        _shell(packs, [])


def test_shell_timeout_and_output_cap(packs: dict[str, ModuleType]) -> None:
    sleeper = _shell(packs, ["sleep"], timeout=0.5)
    started = time.monotonic()
    out = sleeper.run({"command": "sleep 10"})
    assert "timed out after 0.5s (killed)" in out
    assert time.monotonic() - started < 5
    yes = _shell(packs, ["yes"], max_output=1000, timeout=10)
    started = time.monotonic()
    out = yes.run({"command": "yes spam"})
    assert out.endswith("[output cut at 1000 bytes]")
    assert time.monotonic() - started < 5  # killed at the cap, not at the timeout


def test_shell_environment_has_no_inherited_secrets(
    packs: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMMA_TEST_SECRET_TOKEN", "hunter2")
    out = _shell(packs, ["printenv"]).run({"command": "printenv"})
    assert "hunter2" not in out and "PATH=" in out


# -- memory ------------------------------------------------------------------------------------


class SubstringMemory:
    """A real (if simple) MemoryStore: per-user lists, substring-overlap scoring."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        text: str,
        *,
        user: str = "default",
        kind: MemoryKind = "fact",
        thread: str | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> str:
        row_id = f"m{len(self.rows) + 1}"
        self.rows.append({"id": row_id, "text": text, "user": user, "kind": kind, "source": source})
        return row_id

    def search(
        self,
        query: str,
        *,
        user: str = "default",
        k: int = 5,
        threshold: float | None = None,
        kinds: Sequence[MemoryKind] | None = None,
    ) -> list[MemoryHit]:
        words = set(query.lower().split())
        hits = []
        for row in self.rows:
            if row["user"] != user:
                continue
            overlap = len(words & set(row["text"].lower().split())) / max(1, len(words))
            if overlap > 0:
                hits.append(MemoryHit(row["id"], row["text"], overlap, {"kind": row["kind"]}))
        return sorted(hits, key=lambda h: -h.score)[:k]

    def forget(
        self,
        ids: Sequence[str] | None = None,
        *,
        user: str | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> int:
        keep = [
            r
            for r in self.rows
            if not (r["id"] in (ids or ()) and (user is None or r["user"] == user))
        ]
        removed = len(self.rows) - len(keep)
        self.rows = keep
        return removed


def _memory(packs: dict[str, ModuleType], store: MemoryStore, **options: Any) -> dict[str, Tool]:
    return {t.name: t for t in packs["memory"].memory_tools(store, **options)}


def test_memory_tools_use_the_context_user(packs: dict[str, ModuleType]) -> None:
    store = SubstringMemory()
    assert isinstance(store, MemoryStore)
    tools = _memory(packs, store)
    with use_tool_context(user_id="alice"):
        assert (
            tools["memory.remember"].run({"text": "my cat is called Tom"}) == "remembered (id m1)"
        )
    with use_tool_context(user_id="bob"):
        tools["memory.remember"].run({"text": "my cat is called Felix"})
        bob = tools["memory.recall"].run({"query": "cat called"})
    assert "Felix" in bob.text and "Tom" not in bob.text and bob.untrusted
    with use_tool_context(user_id="alice"):
        alice = tools["memory.recall"].run({"query": "cat"}).text
        assert alice.startswith("- [m1] my cat is called Tom (score")
        assert (
            tools["memory.forget"].run({"ids": ["m2"]}) == "forgot 0 memories"
        )  # bob's id: not hers
        assert tools["memory.forget"].run({"ids": ["m1"]}) == "forgot 1 memory"
        assert tools["memory.recall"].run({"query": "cat"}).text == "no matching memories"
    assert [r["user"] for r in store.rows] == ["bob"]
    assert store.rows[0]["source"] == "tool:memory.remember"
    assert tools["memory.forget"].requires_approval and tools["memory.recall"].untrusted_output


async def test_memory_context_reaches_threaded_tools(packs: dict[str, ModuleType]) -> None:
    store = SubstringMemory()
    tools = _memory(packs, store)
    with use_tool_context(user_id="carol"):
        await tools["memory.remember"].arun({"text": "likes tea"})
    assert store.rows[0]["user"] == "carol"


def test_memory_fixed_user_and_input_errors(packs: dict[str, ModuleType]) -> None:
    store = SubstringMemory()
    tools = _memory(packs, store, user="dave", forget_requires_approval=False)
    with use_tool_context(user_id="mallory"):
        tools["memory.remember"].run({"text": "prefers trains", "kind": "episode"})
    assert store.rows[0]["user"] == "dave" and store.rows[0]["kind"] == "episode"
    assert not tools["memory.forget"].requires_approval
    with pytest.raises(ToolInputError, match="empty"):
        tools["memory.remember"].run({"text": "   "})
    with pytest.raises(ToolInputError, match="no ids"):
        tools["memory.forget"].run({"ids": []})
    assert packs["memory"].pack_tools(None) == []


def test_memory_tools_over_the_real_in_memory_store(packs: dict[str, ModuleType]) -> None:
    memory = pytest.importorskip("gemma_agents.memory")
    store = memory.InMemoryMemory(memory.HashingEmbedder())
    tools = _memory(packs, store, user="erin")
    tools["memory.remember"].run({"text": "Erin's favourite colour is green"})
    tools["memory.remember"].run({"text": "Erin works as a pilot"})
    recalled = tools["memory.recall"].run({"query": "favourite colour", "k": 1}).text
    assert recalled.startswith("- [") and "green" in recalled
    memory_id = recalled.split("]", 1)[0].removeprefix("- [")
    assert tools["memory.forget"].run({"ids": [memory_id]}) == "forgot 1 memory"
    assert "green" not in tools["memory.recall"].run({"query": "favourite colour"}).text
