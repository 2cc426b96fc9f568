"""`gemma-agents memory ...` through Typer's CliRunner on a temporary GEMMA_AGENTS_HOME."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gemma_agents.cli import app
from gemma_agents.memory import ChromaMemory, HashingEmbedder

runner = CliRunner()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMMA_AGENTS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _run(*args: str):
    result = runner.invoke(app, ["memory", *args])
    return result


def test_add_search_stats_forget_roundtrip(home, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "The boiler was serviced in March.\n\nThe landlord is Victor Lemaire.", encoding="utf-8"
    )
    added = _run(
        "add", str(notes), "--text", "Ada likes teal", "--user", "ada", "--embedder", "hashing"
    )
    assert added.exit_code == 0, added.output
    assert (
        "notes.txt: 1 chunk(s)" in added.output
        and "stored 2 memories for user 'ada'" in added.output
    )
    # No --embedder needed from now on: the collection says which one wrote it.
    found = _run("search", "who is the landlord", "--user", "ada", "--json")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.output)
    assert "Victor Lemaire" in hits[0]["text"] and hits[0]["user"] == "ada"
    assert hits[0]["kind"] == "document" and hits[0]["title"] == "notes.txt"
    table = _run("search", "teal", "--user", "ada", "-k", "1")
    assert table.exit_code == 0 and "Ada likes teal" in table.output
    assert "no memories found" in _run("search", "teal", "--user", "bo").output

    stats = json.loads(_run("stats", "--json").output)
    assert stats["count"] == 2 and stats["users"] == {"ada": 2}
    assert stats["embedder"] == "hashing-v1" and str(home / "memory") in stats["location"]
    assert "per kind:" in _run("stats").output

    memory_id = hits[0]["id"]
    gone = _run("forget", "--id", memory_id)
    assert gone.exit_code == 0 and "forgot 1 memory" in gone.output
    refused = runner.invoke(app, ["memory", "forget", "--user", "ada"], input="n\n")
    assert (
        refused.exit_code == 1
        and ChromaMemory(home / "memory", embedder=HashingEmbedder()).count() == 1
    )
    assert "forgot 1 memory" in _run("forget", "--user", "ada", "--yes").output


def test_reembed_and_mismatch_messages(home):
    assert (
        _run(
            "add", "--text", "Bo rides a scooter", "--user", "bo", "--embedder", "hashing"
        ).exit_code
        == 0
    )
    mismatch = _run("search", "scooter", "--user", "bo", "--embedder", "hashing:64")
    assert mismatch.exit_code == 1
    assert "written by embedder 'hashing-v1' (256 dimensions)" in mismatch.output
    assert "gemma-agents memory reembed" in mismatch.output
    assert "Traceback" not in mismatch.output
    moved = _run("reembed", "--embedder", "hashing:64", "--batch-size", "10")
    assert moved.exit_code == 0, moved.output
    assert "re-embedded 1 memories with hashing-v1 (64 dimensions)" in moved.output
    after = json.loads(_run("search", "scooter", "--user", "bo", "--json").output)
    assert after[0]["text"] == "Bo rides a scooter"
    assert json.loads(_run("stats", "--json").output)["dimension"] == 64


def test_usage_errors(home, tmp_path):
    assert "no collection 'memories' yet" in _run("stats").output
    assert "no collection 'memories' to re-embed" in _run("reembed", "--embedder", "hashing").output
    assert _run("add").exit_code == 2
    assert _run("forget").exit_code == 2
    missing = _run("add", str(tmp_path / "nope.txt"), "--embedder", "hashing")
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert not (home / "memory").exists()  # nothing created for a failed command
    bad = _run("add", "--text", "x", "--embedder", "bert")
    assert bad.exit_code == 2 and "unknown embedder 'bert'" in bad.output
