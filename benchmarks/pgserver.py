"""A PostgreSQL cluster that outlives one command, for the benchmarks.

    python -m benchmarks.pgserver start /tmp/sp-bench   # prints the DB URL
    python -m benchmarks.pgserver url /tmp/sp-bench     # the URL of the running cluster
    python -m benchmarks.pgserver stop /tmp/sp-bench    # stops it and deletes the folder

The same binaries and `postgres` user as the test servers (tests/backends.py), with settings
for a 2-core machine holding a few GB of data: bigger shared buffers and maintenance memory.
Durability is off (fsync, synchronous_commit, full_page_writes) as in the tests: the data is
regenerated, never kept, and query timings do not depend on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.backends import _as_postgres, _pg_bin
from tests.mailbox import free_port

SETTINGS = {
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "maintenance_work_mem": "512MB",
    "work_mem": "16MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}


def url(root: Path) -> str | None:
    """The URL of the cluster in `root` if it is running."""
    port_file = root / "port"
    running = subprocess.run(
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(root / "data"), "status"]),
        check=False,
        capture_output=True,
    )
    if not port_file.exists() or running.returncode != 0:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:{port_file.read_text()}/support_portal"


def start(root: Path, port: int) -> str:
    if (running := url(root)) is not None:
        return running
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    if not data.exists():
        subprocess.run(
            _as_postgres(
                [_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
    options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
    options += f" -c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
    subprocess.run(
        _as_postgres(
            [_pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
             "-l", str(root / "server.log"), "start"]
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    (root / "port").write_text(str(port))
    _create_database(port, "support_portal")
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/support_portal"


def _create_database(port: int, name: str) -> None:
    import psycopg

    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def stop(root: Path, *, remove: bool) -> None:
    subprocess.run(
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop"]),
        check=False,
        capture_output=True,
    )
    if remove:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "url", "stop"])
    parser.add_argument("root", type=Path, help="folder for the cluster (created if missing)")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="stop: keep the data folder")
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start(args.root.resolve(), args.port or free_port()))
    elif args.action == "url":
        found = url(args.root.resolve())
        if found is None:
            sys.exit(f"no cluster running in {args.root}")
        print(found)
    else:
        stop(args.root.resolve(), remove=not args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
