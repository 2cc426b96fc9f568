"""Shared fixtures: a throwaway PostgreSQL cluster on 127.0.0.1.

Tests that need Postgres (checkpoints, the tool journal, shared rate limits) take
``postgres_dsn`` (one cluster per session) or ``postgres_db`` (a fresh database per test).
The cluster lives in a temp dir, listens on a free port on 127.0.0.1 only, trusts local
connections, and is stopped at the end. As root, the server binaries refuse to run, so
initdb/pg_ctl run as the ``postgres`` user via ``runuser``. Without the binaries (install
them with ``scripts/ensure-postgres.sh``) the tests are skipped with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of a throwaway PostgreSQL cluster (skips when the server is not installed)."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found; run scripts/ensure-postgres.sh")
    prefix: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="gemma-agents-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        try:
            shutil.chown(base, user="postgres", group="postgres")
        except (LookupError, PermissionError) as exc:
            pytest.skip(f"no usable 'postgres' user to run the server: {exc}")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, log = base / "data", base / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        initdb = ["-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
        run(str(bindir / "initdb"), *initdb)
        options = f"-p {port} -h 127.0.0.1 -c unix_socket_directories={base} -F"
        start = ["-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"]
        run(str(bindir / "pg_ctl"), *start)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip()[-500:]
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL cluster: {detail}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_dsn: str) -> Iterator[str]:
    """DSN of a fresh, empty database in the session cluster (dropped afterwards)."""
    psycopg = pytest.importorskip("psycopg")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_dsn.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
