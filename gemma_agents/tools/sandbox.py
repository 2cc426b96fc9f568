"""Confine file access to one directory tree.

Paths come from the model, so they are hostile by assumption: absolute paths, ``..``
segments and NUL bytes are refused outright; whatever remains is resolved with
``os.path.realpath`` and must stay inside the root (a symlink inside the root that points
outside is refused). The checked path is then opened *component by component* from a
descriptor of the root with ``O_NOFOLLOW``, so swapping a directory for a symlink between
the check and the open (a TOCTOU race) makes the open fail instead of escaping.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .results import ToolInputError

__all__ = ["PathPolicyError", "Sandbox"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class PathPolicyError(ToolInputError):
    """A path was refused (outside the root, absolute, ``..``, not found, wrong type)."""


@dataclass(frozen=True)
class Sandbox:
    """A directory tree that file tools may touch.

    Attributes:
        root: The tree's root, fully resolved (symlinks in the root path itself are fine).
    """

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> Sandbox:
        """A sandbox for an existing directory.

        Raises:
            PathPolicyError: ``root`` is not a directory.
        """
        real = Path(os.path.realpath(os.fspath(Path(root).expanduser())))
        if not real.is_dir():
            raise PathPolicyError("files", f"files root {str(root)!r} is not a directory")
        return cls(real)

    def resolve(self, user_path: str, *, tool: str = "files") -> Path:
        """The real path inside the root that ``user_path`` names.

        Raises:
            PathPolicyError: absolute, contains ``..`` or NUL, or resolves outside the root.
        """
        if not isinstance(user_path, str):
            raise PathPolicyError(tool, "path must be a string")
        if "\x00" in user_path:
            raise PathPolicyError(tool, "path contains a NUL byte")
        cleaned = user_path.strip() or "."
        pure = PurePosixPath(cleaned)
        if pure.is_absolute() or cleaned.startswith("~") or os.path.isabs(cleaned):
            raise PathPolicyError(
                tool,
                f"absolute paths are not allowed: {user_path!r}",
                hint="give a path relative to the files root, e.g. 'notes/todo.txt'",
            )
        if ".." in pure.parts:
            raise PathPolicyError(
                tool,
                f"'..' is not allowed in paths: {user_path!r}",
                hint="paths are relative to the files root and cannot leave it",
            )
        real = Path(os.path.realpath(self.root / pure))
        if not self.contains(real):
            raise PathPolicyError(
                tool,
                f"{user_path!r} resolves outside the files root (through a symlink)",
                hint="only files inside the root are accessible",
            )
        return real

    def contains(self, real: Path) -> bool:
        return real == self.root or self.root in real.parents

    def relative(self, real: Path) -> str:
        """``real`` as a path relative to the root (``.`` for the root itself)."""
        return real.relative_to(self.root).as_posix() or "."

    def open(self, real: Path, flags: int, mode: int = 0o644, *, tool: str = "files") -> int:
        """Open a resolved path without following any symlink on the way; return the fd.

        Raises:
            PathPolicyError: a component is (now) a symlink, or the file is missing.
        """
        parts = real.relative_to(self.root).parts
        fd = os.open(self.root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        try:
            for part in parts[:-1]:
                next_fd = self._step(fd, part, os.O_RDONLY | _DIRECTORY, tool)
                os.close(fd)
                fd = next_fd
            if not parts:
                return os.dup(fd)
            return self._step(fd, parts[-1], flags, tool, mode)
        finally:
            os.close(fd)

    def makedirs(self, real: Path, *, tool: str = "files") -> None:
        """Create the missing directories of ``real`` (inside the root) without following links."""
        fd = os.open(self.root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        try:
            for part in real.relative_to(self.root).parts:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                next_fd = self._step(fd, part, os.O_RDONLY | _DIRECTORY, tool)
                os.close(fd)
                fd = next_fd
        finally:
            os.close(fd)

    def walk(self, real: Path) -> Iterator[Path]:
        """Regular files under ``real``, never following symlinks, sorted for stable output."""
        for current, dirs, files in os.walk(real, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(current) / name
                try:
                    info = path.lstat()
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    yield path

    @staticmethod
    def _step(dir_fd: int, name: str, flags: int, tool: str, mode: int = 0o644) -> int:
        try:
            return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP or (exc.errno == errno.ENOTDIR and _is_link(dir_fd, name)):
                raise PathPolicyError(tool, f"refusing to follow a symlink at {name!r}") from exc
            if exc.errno == errno.ENOENT:
                raise PathPolicyError(tool, f"{name!r} does not exist") from exc
            if exc.errno == errno.EEXIST:
                raise PathPolicyError(tool, f"{name!r} already exists") from exc
            if exc.errno in (errno.EISDIR, errno.ENOTDIR):
                kind = "a directory" if exc.errno == errno.EISDIR else "not a directory"
                raise PathPolicyError(tool, f"{name!r} is {kind}") from exc
            raise


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False
