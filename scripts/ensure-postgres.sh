#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries when they are missing. The tests start their
# own throwaway cluster on 127.0.0.1 (tests/conftest.py), so nothing is started here.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "PostgreSQL server binaries are missing; install them with: sudo apt-get install -y postgresql" >&2
    echo "(the Postgres tests are skipped until then)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
# Debian starts a cluster on install; the tests use their own.
service postgresql stop >/dev/null 2>&1 || true
