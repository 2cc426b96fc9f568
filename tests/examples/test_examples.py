"""Every example runs as a user would run it (a subprocess), with the scripted model.

The examples are documentation that executes: if an API they use changes, this fails.
One example also runs against the real embedded Gemma 3 270M when llama.cpp is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# example -> (extra args, strings its output must contain)
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "embed_sync.py": (
        [],
        ["Answer: 355/113 = 3.14159292", "calculator({'expression': '355/113'}) -> 3.14159"],
    ),
    "embed_async.py": ([], ["alice: What is 2 ** 10? -> The result is 1024.", "bob:", "42"]),
    "custom_tool.py": (
        [],
        [
            "'enum': ['pieces', 'dozens']",
            "('check_stock', {'item': 'apples', 'unit': 'pieces'}, '12 pieces')",
            "Answer: We have 12 apples in stock.",
        ],
    ),
    "stream_terminal.py": (
        [],
        [
            "Let me work that out.",
            "[tool] calculator({'expression': 'sqrt(2) * 10'})",
            "[tool] ok in",
            "14.142135623730951",
            "[done] status=answered steps=2",
        ],
    ),
    "approval_flow.py": (
        ["--decision", "edit"],
        [
            "Paused: send_email(",
            "requires approval",
            "Outbox: ['team@example.com: Quarterly report']",
        ],
    ),
    "langgraph_toolnode.py": (
        [],
        [
            "'name': 'get_weather', 'args': {'city': 'Lisbon'}",
            "tool: It is 18°C and sunny",
            "ai: Lisbon: 18°C and sunny.",
        ],
    ),
}


def _run(name: str, *args: str, timeout: float = 120) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_every_example_is_covered() -> None:
    shipped = {p.name for p in EXAMPLES.glob("*.py")}
    assert shipped == set(EXPECTED), "add new examples to EXPECTED (and remove deleted ones)"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_scripted(name: str) -> None:
    args, expected = EXPECTED[name]
    out = _run(name, "--scripted", *args)
    for text in expected:
        assert text in out, f"{name}: {text!r} missing from output:\n{out}"


def test_approval_example_reject_leaves_the_outbox_empty() -> None:
    out = _run("approval_flow.py", "--scripted", "--decision", "reject")
    assert "Outbox: []" in out


@pytest.mark.embedded
def test_embed_sync_on_the_real_270m_model() -> None:
    pytest.importorskip("llama_cpp")
    out = _run("embed_sync.py", timeout=600)
    assert "Tool: calculator(" in out and "3.14159" in out, out
