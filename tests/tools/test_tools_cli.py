"""`gemma-agents tools list` / `tools show`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from gemma_agents.cli import app

runner = CliRunner()


def _plugins(folder: Path) -> Path:
    folder.mkdir()
    (folder / "greeter.py").write_text(
        textwrap.dedent(
            '''
            from gemma_agents.tools import tool

            @tool(side_effects="external", requires_approval=True, tags=("demo",))
            def greet(name: str) -> str:
                """Greet someone.

                Args:
                    name: Who to greet.
                """
                return "hi " + name
            '''
        )
    )
    (folder / "broken.py").write_text("import not_a_real_module_xyz\n")
    return folder


def test_tools_list_json_has_sources_schemas_risk_and_errors(tmp_path: Path) -> None:
    folder = _plugins(tmp_path / "plugins")
    result = runner.invoke(
        app,
        [
            "tools",
            "list",
            "--json",
            "--no-entry-points",
            "--tool-dir",
            str(folder),
            "--files-root",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    tools = {t["name"]: t for t in payload["tools"]}
    assert {"calculator", "clock.now", "http.get", "files.read", "files.write", "greet"} <= set(
        tools
    )
    greet = tools["greet"]
    assert greet["source"] == f"plugin:{folder / 'greeter.py'}"
    assert (greet["side_effects"], greet["requires_approval"], greet["idempotent"]) == (
        "external",
        True,
        True,
    )
    assert greet["tags"] == ["demo"] and greet["timeout"] == 30.0
    assert greet["schema"]["properties"]["name"]["description"] == "Who to greet."
    assert tools["files.read"]["untrusted_output"] is True
    assert payload["errors"] == [
        {
            "origin": str(folder / "broken.py"),
            "error": "line 1: ModuleNotFoundError: No module named 'not_a_real_module_xyz'",
            "kind": "folder",
        }
    ]


def test_tools_list_table(tmp_path: Path) -> None:
    folder = _plugins(tmp_path / "plugins")
    result = runner.invoke(
        app,
        ["tools", "list", "--no-entry-points", "--tool-dir", str(folder)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "calculator" in result.output and "pack:calculator" in result.output
    assert "greet" in result.output and "external" in result.output
    assert (
        "1 plugin(s) failed to load" in result.output and "not_a_real_module_xyz" in result.output
    )
    assert "files pack off" in result.output


def test_tools_show(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["tools", "show", "calculator"])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert record["schema"]["required"] == ["expression"]
    missing = runner.invoke(app, ["tools", "show", "calculater"])
    assert missing.exit_code == 1
    assert "did you mean calculator" in missing.output
