"""A PostgreSQL cluster of our own for fault injection (stop, crash, restart).

The shared server on port 5432 is never stopped or restarted: other people
run tests against it. Fault runs use a separate cluster, ``faults`` on port
5433, which this module creates on a fresh machine (Debian's
``postgresql-common`` tools; run as root, as CI does):

    pg_createcluster <version> faults --port 5433
    pg_hba.conf: trust for local sockets and 127.0.0.1/32 only
    pg_ctlcluster --skip-systemctl-redirect <version> faults start

Every wait here is bounded in time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NAME = "faults"
PORT = 5433
#: held by whoever stops or crashes the faults cluster (tests, bench runs), so
#: that two runs on one machine do not pull the database from under each other
LOCK_PATH = Path("/tmp/khaosat-pg-faults.lock")
#: pg_hba.conf of the faults cluster: no password, and only from this machine
HBA = """\
# Written by bench/pg_cluster.py: the fault-injection cluster trusts loopback only.
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
"""


class ClusterUnavailable(RuntimeError):
    """The PostgreSQL cluster tools are missing or the cluster cannot be set up."""


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str = NAME
    port: int = PORT

    @property
    def config_dir(self) -> Path:
        return Path("/etc/postgresql") / self.version / self.name

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, action: str, *extra: str, timeout: float = 60) -> None:
        cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *extra]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise ClusterUnavailable(f"{' '.join(cmd)} failed: {done.stderr.strip() or done.stdout.strip()}")

    def ready(self) -> bool:
        done = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"], timeout=10, check=False)
        return done.returncode == 0

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return
            time.sleep(0.2)
        raise ClusterUnavailable(f"cluster {self.version}/{self.name} not ready after {timeout:.0f} s")

    def running(self) -> bool:
        done = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "status"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return done.returncode == 0

    def start(self) -> None:
        if not self.running():
            self._ctl("start")
        self.wait_ready()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server. ``mode="immediate"`` is a crash: no checkpoint, WAL
        recovery at the next start; ``fast`` disconnects clients and shuts down."""
        if self.running():
            self._ctl("stop", "-m", mode)

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-tAc", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterUnavailable(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def database_recreate(self, database: str) -> str:
        """Drop and create ``database``; return its URL."""
        self.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def database_drop(self, database: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextlib.contextmanager
def cluster_lock(timeout: float = 300) -> Iterator[None]:
    """Hold the faults cluster for one run; wait at most ``timeout`` seconds for another run to finish."""
    with open(LOCK_PATH, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ClusterUnavailable(
                        f"the faults cluster is busy: another run held {LOCK_PATH} for over {timeout:.0f} s"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tools_missing() -> str | None:
    """Why a faults cluster cannot be made here, or None if the tools are installed."""
    for tool in ("pg_createcluster", "pg_ctlcluster", "pg_isready", "psql"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package postgresql-common / postgresql)"
    return None


def _installed_version() -> str:
    root = Path("/usr/lib/postgresql")
    versions = sorted((p.name for p in root.iterdir() if (p / "bin" / "postgres").exists()), key=float)
    if not versions:
        raise ClusterUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql")
    return versions[-1]


def faults_cluster(name: str = NAME, port: int = PORT) -> Cluster:
    """The faults cluster, created, configured for loopback trust, and running.

    Raises
    ------
    ClusterUnavailable
        If the tools are missing, or creating the cluster needs root and this
        process is not root.
    """
    missing = tools_missing()
    if missing:
        raise ClusterUnavailable(missing)
    existing = list(Path("/etc/postgresql").glob(f"*/{name}/postgresql.conf"))
    version = existing[0].parent.parent.name if existing else _installed_version()
    cluster = Cluster(version, name, port)
    if not existing:
        if os.geteuid() != 0:
            raise ClusterUnavailable(
                f"creating the {name} cluster needs root: sudo pg_createcluster {version} {name} --port {port}"
            )
        subprocess.run(
            ["pg_createcluster", version, name, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    hba = cluster.config_dir / "pg_hba.conf"
    if hba.read_text() != HBA:
        hba.write_text(HBA)
        if cluster.running():
            cluster._ctl("reload")
    cluster.start()
    return cluster


def shared_database_recreate(database: str, port: int = 5432) -> str:
    """Drop and create a database of our own on the shared server (never stopped
    nor restarted here: only ``DROP/CREATE DATABASE`` of a ``load*`` database)."""
    if not database.startswith("load"):
        raise ValueError(f"refusing to recreate {database!r} on the shared server: only load* databases")
    for sql in (f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"'):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-tAc", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"
