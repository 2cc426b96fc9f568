"""Plugin discovery: folders loaded by path, entry points of a real installed distribution,
the first-party packs and default_registry()."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gemma_agents.exceptions import ConfigError
from gemma_agents.tools import (
    BUILTIN_PACKS,
    ToolRegistry,
    ToolsConfig,
    builtin_packs_dir,
    default_registry,
    load_plugins,
)
from gemma_agents.tools.plugins import load_module_from_path

REPO = Path(__file__).resolve().parents[2]
GOOD = '''
from gemma_agents.tools import tool

@tool
def hello(name: str) -> str:
    """Greet someone."""
    return "hello " + name
'''


def _write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def test_folder_with_broken_plugins_beside_good_ones(tmp_path: Path) -> None:
    _write(tmp_path, "good.py", GOOD)
    _write(tmp_path, "syntax_error.py", "def broken(:\n    pass\n")
    _write(tmp_path, "bad_import.py", "import no_such_module_for_gemma_agents\n")
    _write(
        tmp_path,
        "bad_tool.py",
        '''
        from gemma_agents.tools import tool

        x = 1

        @tool
        def untyped(value):
            """No hint."""
            return value
        ''',
    )
    _write(
        tmp_path,
        "registering.py",
        '''
        from gemma_agents.tools import tool

        def register(registry):
            @registry.tool(namespace="reg")
            def ping() -> str:
                """Reply pong."""
                return "pong"
        ''',
    )
    _write(
        tmp_path,
        "listed.py",
        '''
        from gemma_agents.tools import tool

        @tool
        def shown(x: int) -> int:
            """Shown."""
            return x

        @tool
        def hidden(x: int) -> int:
            """Not listed in TOOLS."""
            return x

        TOOLS = [shown]
        ''',
    )
    _write(tmp_path, "_private.py", "raise RuntimeError('never imported')\n")
    _write(tmp_path, "notes.txt", "not a plugin")
    _write(
        tmp_path,
        "pkgplugin/__init__.py",
        """
        from .impl import twice
        """,
    )
    _write(
        tmp_path,
        "pkgplugin/impl.py",
        '''
        from gemma_agents.tools import tool

        @tool
        def twice(n: int) -> int:
            """Double a number."""
            return 2 * n
        ''',
    )

    registry = ToolRegistry()
    report = load_plugins(registry, [tmp_path], entry_points=False)

    assert sorted(registry.names()) == ["hello", "reg.ping", "shown", "twice"]
    assert registry["hello"].run({"name": "Ada"}) == "hello Ada"
    assert registry["twice"].run({"n": 4}) == 8
    assert registry["hello"].source == f"plugin:{tmp_path / 'good.py'}"
    errors = {Path(e.origin).name: e.error for e in report.errors}
    assert set(errors) == {"syntax_error.py", "bad_import.py", "bad_tool.py"}
    assert errors["syntax_error.py"].startswith("line 1: SyntaxError")
    assert errors["bad_import.py"] == (
        "line 1: ModuleNotFoundError: No module named 'no_such_module_for_gemma_agents'"
    )
    assert "line 6" in errors["bad_tool.py"] and "has no type hint" in errors["bad_tool.py"]
    assert all("\n" not in e for e in errors.values())
    assert registry.report is report and not report.ok
    assert "FAILED" in report.summary() and "hello" in report.summary()


def test_duplicate_tool_across_plugins_is_reported_not_fatal(tmp_path: Path) -> None:
    _write(tmp_path, "a_first.py", GOOD)
    _write(tmp_path, "b_second.py", GOOD)
    _write(
        tmp_path,
        "c_third.py",
        '''
        from gemma_agents.tools import tool

        @tool
        def other(x: int) -> int:
            """Other."""
            return x
        ''',
    )
    registry = ToolRegistry()
    report = load_plugins(registry, [tmp_path], entry_points=False)
    assert registry.names() == ["hello", "other"]
    assert len(report.errors) == 1
    assert report.errors[0].origin.endswith("b_second.py")
    assert "already registered" in report.errors[0].error


def test_modules_load_under_unique_names_without_touching_sys_path(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, word in ((one, "alpha"), (two, "beta")):
        _write(
            folder,
            "tools.py",
            f'''
            from gemma_agents.tools import tool

            @tool
            def {word}() -> str:
                """Say {word}."""
                return "{word}"
            ''',
        )
    path_before = list(sys.path)
    registry = ToolRegistry()
    report = load_plugins(registry, [one, two], entry_points=False)
    assert report.ok and registry.names() == ["alpha", "beta"]
    assert sys.path == path_before
    module_one = load_module_from_path(one / "tools.py")
    module_two = load_module_from_path(two / "tools.py")
    assert module_one.__name__ != module_two.__name__
    assert module_one.__name__.startswith("gemma_agents_plugins.p")
    assert getattr(sys.modules.get("tools"), "__file__", None) not in {
        str(one / "tools.py"),
        str(two / "tools.py"),
    }
    # unchanged files are not executed again
    assert load_module_from_path(one / "tools.py") is module_one


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    report = load_plugins(ToolRegistry(), [tmp_path / "absent"], entry_points=False)
    assert [e.error for e in report.errors] == ["not a directory"]


@pytest.mark.slow
def test_entry_points_of_a_real_installed_distribution(tmp_path: Path) -> None:
    """pip-install examples/plugin_package into a temp dir, then discover it in a subprocess."""
    pytest.importorskip("hatchling", reason="building the example plugin needs hatchling (offline)")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
            "--no-build-isolation", "--no-index", "--target", str(site),
            str(REPO / "examples" / "plugin_package"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )  # fmt: skip
    assert (site / "gemma_agents_example_plugin" / "__init__.py").is_file()
    script = textwrap.dedent(
        """
        import json
        from gemma_agents.tools import ToolRegistry, default_registry, load_plugins

        registry = ToolRegistry()
        report = load_plugins(registry)
        full = default_registry({"env": False})
        print(json.dumps({
            "names": registry.names(),
            "sources": sorted({t.source for t in registry}),
            "errors": [str(e) for e in report.errors],
            "convert": registry["units.convert_length"].run(
                {"value": 1, "from_unit": "mi", "to_unit": "km"}),
            "count": registry["text.word_count"].run({"text": "a b c"}),
            "in_default": "text.reverse" in full and "calculator" in full,
        }))
        """
    )
    env = {"PYTHONPATH": f"{site}{':'}{REPO}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["names"] == ["text.word_count", "text.reverse", "units.convert_length"]
    assert result["sources"] == ["entry-point:gemma-agents-example-plugin"]
    assert result["errors"] == []
    assert result["convert"] == pytest.approx(1.609344)
    assert result["count"] == 3
    assert result["in_default"] is True


def test_builtin_packs_dir_is_the_repository_tools_folder() -> None:
    folder = builtin_packs_dir()
    assert folder is not None and folder.resolve() == (REPO / "tools").resolve()
    assert {p.stem for p in folder.glob("*.py")} >= set(BUILTIN_PACKS)


def test_default_registry_enables_risky_packs_only_when_configured(tmp_path: Path) -> None:
    base = default_registry({"env": False, "entry_points": False})
    assert base.report is not None and base.report.ok
    assert {"calculator", "clock.now", "http.get", "http.post"} <= set(base.names())
    assert not any(n.startswith(("files.", "shell.", "memory.")) for n in base.names())
    assert base["calculator"].source == "pack:calculator"
    assert base["calculator"].run({"expression": "355/113"}) == "3.1415929203539825"

    configured = default_registry(
        ToolsConfig(
            files_root=tmp_path, shell_allow=["echo"], http=False, entry_points=False, env=False
        )
    )
    names = set(configured.names())
    assert {"files.list", "files.read", "files.search", "files.write", "shell.run"} <= names
    assert not any(n.startswith("http.") for n in names)
    assert configured["files.write"].requires_approval
    assert configured["shell.run"].requires_approval

    only = default_registry({"packs": ["calculator"], "env": False, "entry_points": False})
    assert only.names() == ["calculator"]


def test_default_registry_reads_plugin_folders_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _write(first, "good.py", GOOD)
    _write(second, "broken.py", "raise RuntimeError('plugin exploded')\n")
    monkeypatch.setenv("GEMMA_AGENTS_TOOL_DIRS", f"{first}{':'}{second}")
    registry = default_registry({"entry_points": False})
    assert "hello" in registry and "calculator" in registry
    assert registry.report is not None
    assert [e.error for e in registry.report.errors] == ["line 1: RuntimeError: plugin exploded"]


def test_default_registry_rejects_bad_settings() -> None:
    with pytest.raises(ConfigError, match="unknown tools settings: file_root"):
        default_registry({"file_root": "/tmp"})
    with pytest.raises(ConfigError, match="unknown tool packs: browser"):
        default_registry({"packs": ["browser"]})


def test_entry_point_target_shapes() -> None:
    """Everything an entry point may point at: Tool, list, module, register(), factory, LangChain."""
    import types

    from langchain_core.tools import tool as lc_tool

    from gemma_agents.tools import tool
    from gemma_agents.tools.plugins import tools_from_object

    @tool
    def one() -> str:
        """One."""
        return "1"

    @tool
    def two() -> str:
        """Two."""
        return "2"

    @lc_tool
    def three() -> str:
        """Three."""
        return "3"

    def register(registry: ToolRegistry) -> None:
        registry.register(one, namespace="reg")

    def factory() -> list[object]:
        return [two, three]

    module = types.ModuleType("fake_plugin")
    module.one, module.two, module._hidden = one, two, three  # type: ignore[attr-defined]

    def names(obj: object) -> list[str]:
        return [t.name for t in tools_from_object(obj)]

    assert names(one) == ["one"]
    assert names([one, (two,)]) == ["one", "two"]
    assert names(module) == ["one", "two"]
    assert names(register) == ["reg.one"]
    assert names(factory) == ["two", "three"]
    assert names(three) == ["three"]
    with pytest.raises(TypeError, match="provides no tools"):
        tools_from_object(42)


@pytest.mark.slow
def test_installed_wheel_ships_the_packs_as_package_data(tmp_path: Path) -> None:
    """Build the project wheel, install it alone, and find the packs at gemma_agents/_packs."""
    pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling")
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(REPO)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    wheel = next(wheels.glob("gemma_agents-*.whl"))
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    script = textwrap.dedent(
        """
        import json, sys
        from gemma_agents.tools import builtin_packs_dir, default_registry
        registry = default_registry({"env": False, "entry_points": False})
        print(json.dumps({
            "packs": str(builtin_packs_dir()),
            "names": registry.names(),
            "errors": [str(e) for e in registry.report.errors],
            "top_level_tools": "tools" in sys.modules,
        }))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["packs"] == str(site / "gemma_agents" / "_packs")
    assert result["names"][:2] == ["calculator", "clock.now"] and result["errors"] == []
    assert result["top_level_tools"] is False
